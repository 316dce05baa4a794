import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { MsrpClosedError, MsrpRequestError } from '../../src/msrp/errors.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'
import { chunkMessage } from '../../src/msrp/chunker.ts'
import { connectMsrp } from '../../src/msrp/node-dial.ts'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { MsrpSession, localMsrpUri } from '../../src/msrp/session.ts'
import { generateTransactionId } from '../../src/msrp/serializer.ts'
import { FakeClock } from '../../src/clock.ts'
import type { IncomingMsrpMessage } from '../../src/msrp/session.ts'
import { connectionWithRawPeer, nextMessage, sessionPair, until } from './helpers.ts'
import type { PairKind } from './helpers.ts'

for (const kind of ['memory', 'tcp'] as PairKind[]) {
  describe(`MSRP sessions over ${kind}`, () => {
    it('binds with the first SEND and exchanges chunked messages both ways', async () => {
      const pair = await sessionPair(kind, { active: { chunkSize: 700 }, passive: { chunkSize: 300 } })
      try {
        assert.equal(pair.active.state, 'open')
        assert.equal(pair.passive.state, 'open')
        assert.equal(pair.passive.connection?.role, 'passive')
        const big = randomBytes(10_000)
        const arrived = nextMessage(pair.passive)
        const result = await pair.active.send({ contentType: 'application/octet-stream', body: big })
        assert.equal(result.chunks, 15)
        const got = await arrived
        assert.ok(got.body.equals(big))
        assert.equal(got.contentType, 'application/octet-stream')
        assert.equal(got.messageId, result.messageId)

        const back = nextMessage(pair.active)
        await pair.passive.send({ contentType: 'text/plain; charset=utf-8', body: 'héllo '.repeat(200) })
        assert.equal((await back).body.toString('utf8'), 'héllo '.repeat(200))
      } finally {
        await pair.close()
      }
    })

    it('keeps message order for concurrent sends and delivers an empty message', async () => {
      const pair = await sessionPair(kind, { active: { chunkSize: 64, maxPendingSends: 2 } })
      try {
        const got: string[] = []
        pair.passive.on('message', (m) => got.push(m.body.toString()))
        const texts = Array.from({ length: 6 }, (_, i) => `message ${i} `.repeat(20 + i))
        await Promise.all([...texts.map((body) => pair.active.send({ contentType: 'text/plain', body })), pair.active.send({ contentType: 'text/plain', body: '' })])
        assert.deepEqual(got, [...texts, ''])
      } finally {
        await pair.close()
      }
    })

    it('refuses a message over maxMessageBytes with 413 and a type outside accept-types with 415', async () => {
      const pair = await sessionPair(kind, { passive: { maxMessageBytes: 1000, acceptTypes: ['text/*', 'message/cpim'] } })
      try {
        let delivered = 0
        pair.passive.on('message', () => delivered++)
        await assert.rejects(pair.active.send({ contentType: 'text/plain', body: 'x'.repeat(5000) }), (e: unknown) => e instanceof MsrpRequestError && e.status === 413)
        await assert.rejects(pair.active.send({ contentType: 'image/png', body: 'png' }), (e: unknown) => e instanceof MsrpRequestError && e.status === 415)
        await pair.active.send({ contentType: 'text/html', body: '<b>ok</b>' })
        await pair.active.send({ contentType: 'message/cpim', body: 'cpim' })
        assert.equal(delivered, 2)
      } finally {
        await pair.close()
      }
    })

    it('waits for the success REPORT when asked for one', async () => {
      const pair = await sessionPair(kind)
      try {
        const reports: MsrpRequest[] = []
        pair.active.on('report', (r) => reports.push(r))
        const result = await pair.active.send({ contentType: 'text/plain', body: 'report me', successReport: true })
        assert.equal(reports.length, 1)
        assert.deepEqual(reports[0]?.headers.Status, { namespace: 0, code: 200, comment: 'OK' })
        assert.deepEqual(reports[0]?.headers['Byte-Range'], { start: 1, end: 9, total: 9 })
        assert.equal(reports[0]?.headers['Message-ID'], result.messageId)
      } finally {
        await pair.close()
      }
    })

    it('asks for a nickname: 200, 425 in use, 424 too long; 501 without a handler (RFC 7701)', async () => {
      const pair = await sessionPair(kind, {
        passive: { onNickname: (nick) => (nick === 'taken' ? 425 : nick.length > 10 ? 424 : 200) },
      })
      try {
        const seen: Array<[string, number]> = []
        pair.passive.on('nickname', (n, s) => seen.push([n, s]))
        assert.equal((await pair.active.setNickname('alice')).status, 200)
        await assert.rejects(pair.active.setNickname('taken'), (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_NICKNAME_REJECTED' && e.status === 425)
        await assert.rejects(pair.active.setNickname('a very long nickname'), (e: unknown) => e instanceof MsrpRequestError && e.status === 424)
        assert.deepEqual(seen, [['alice', 200], ['taken', 425], ['a very long nickname', 424]])
        await assert.rejects(pair.passive.setNickname('bob'), (e: unknown) => e instanceof MsrpRequestError && e.status === 501)
      } finally {
        await pair.close()
      }
    })

    it('rejects pending sends with a typed error when the connection closes', async () => {
      const pair = await sessionPair(kind, { active: { chunkSize: 1024 } })
      try {
        // The passive side stops answering: its connection goes away mid-send.
        pair.passive.connection!.close()
        const closed = new Promise((resolve) => pair.active.once('close', resolve))
        await assert.rejects(pair.active.send({ contentType: 'text/plain', body: 'late' }), (e: unknown) => e instanceof MsrpClosedError)
        await closed
        assert.equal(pair.active.state, 'closed')
        await assert.rejects(pair.active.send({ contentType: 'text/plain', body: 'after' }), (e: unknown) => e instanceof MsrpClosedError && e.code === 'MSRP_SESSION_CLOSED')
      } finally {
        await pair.close()
      }
    })
  })
}

describe('MSRP sessions: back-pressure, interleaving, timeouts', () => {
  it('a slow reader makes the sender wait instead of buffering, and the message arrives intact', async () => {
    const pair = await sessionPair('memory', { active: { chunkSize: 2048 }, highWaterMark: 16 * 1024 })
    try {
      const body = randomBytes(1 << 20)
      pair.passiveStream!.pause()
      let done = false
      const arrived = nextMessage(pair.passive)
      const sending = pair.active.send({ contentType: 'application/octet-stream', body }).then((r) => {
        done = true
        return r
      })
      await until(() => pair.activeStream!.writableNeedDrain)
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r))
      assert.equal(done, false)
      // Bounded: at most the stream's buffers plus one frame, far below the 1 MiB body.
      assert.ok(pair.activeStream!.writableLength <= 16 * 1024 + 2048 + 512, `buffered ${pair.activeStream!.writableLength}`)
      pair.passiveStream!.resume()
      const result = await sending
      assert.equal(result.chunks, 512)
      assert.ok((await arrived).body.equals(body))
    } finally {
      await pair.close()
    }
  })

  it('cancelling a partly sent message ends it with # and rejects the send', async () => {
    const pair = await sessionPair('memory', { active: { chunkSize: 1024 }, highWaterMark: 8 * 1024 })
    try {
      pair.passiveStream!.pause()
      const controller = new AbortController()
      const aborted = new Promise<{ messageId: string }>((resolve) => pair.passive.once('aborted', resolve))
      const sending = pair.active.send({ contentType: 'text/plain', body: Buffer.alloc(200_000, 0x61), signal: controller.signal })
      await until(() => pair.activeStream!.writableNeedDrain)
      controller.abort()
      await assert.rejects(sending, (e: unknown) => e instanceof MsrpClosedError && e.code === 'MSRP_SEND_ABORTED')
      pair.passiveStream!.resume()
      const info = await aborted
      assert.ok(info.messageId.length > 0)
      // The session still works afterwards.
      const next = nextMessage(pair.passive)
      await pair.active.send({ contentType: 'text/plain', body: 'after abort' })
      assert.equal((await next).body.toString(), 'after abort')
    } finally {
      await pair.close()
    }
  })

  it('reassembles two interleaved messages sent chunk by chunk, in shuffled order', async () => {
    const pair = await sessionPair('memory')
    try {
      const got = new Map<string, IncomingMsrpMessage>()
      pair.passive.on('message', (m) => got.set(m.messageId, m))
      const connection = pair.active.connection!
      const a = randomBytes(3000)
      const b = randomBytes(2000)
      const frames: MsrpRequest[] = []
      for (const [id, body] of [['msgAAAA', a], ['msgBBBB', b]] as const) {
        for (const c of chunkMessage(body, { chunkSize: 500 })) {
          frames.push({
            type: 'request',
            method: 'SEND',
            transactionId: generateTransactionId(),
            headers: { 'To-Path': [pair.passive.localUri], 'From-Path': [pair.active.localUri], 'Message-ID': id, 'Byte-Range': c.byteRange, 'Content-Type': 'application/octet-stream' },
            extensionHeaders: [],
            body: c.data,
            continuation: c.continuation,
          })
        }
      }
      // Interleave A and B, then reverse pairs so chunks also arrive out of order.
      const order = [0, 6, 2, 1, 7, 3, 9, 5, 4, 8].map((i) => frames[i]!)
      const responses = await Promise.all(order.map((f) => connection.request(f).response))
      assert.ok(responses.every((r) => r?.status === 200))
      assert.ok(got.get('msgAAAA')?.body.equals(a))
      assert.ok(got.get('msgBBBB')?.body.equals(b))
    } finally {
      await pair.close()
    }
  })

  it('times out a chunk with 408 on the injected clock', async () => {
    const clock = new FakeClock()
    const { connection, peer } = connectionWithRawPeer({ clock })
    const session = new MsrpSession({ localUri: localMsrpUri({ host: '127.0.0.1', port: 9 }), remotePath: 'msrp://127.0.0.1:2855/peer;tcp', clock, transactionTimeoutMs: 30_000 })
    session.bind(connection)
    const sending = session.send({ contentType: 'text/plain', body: 'anyone?' })
    await peer.nextRequest() // it arrives, but the peer never answers
    clock.advance(29_999)
    let settled = false
    sending.catch(() => {}).finally(() => (settled = true))
    await until(() => true)
    assert.equal(settled, false)
    clock.advance(1)
    await assert.rejects(sending, (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_TIMEOUT' && e.status === 408)
    await session.close()
    connection.close()
  })

  it('times out a missing success REPORT with 408, and a failure REPORT rejects with its status', async () => {
    const clock = new FakeClock()
    const { connection, peer } = connectionWithRawPeer({ clock })
    const session = new MsrpSession({ localUri: localMsrpUri({ host: '127.0.0.1', port: 9 }), remotePath: 'msrp://127.0.0.1:2855/peer;tcp', clock, reportTimeoutMs: 5000 })
    session.bind(connection)
    const first = session.send({ contentType: 'text/plain', body: 'report?', successReport: true })
    peer.respond(await peer.nextRequest())
    // The transaction's deadline timer stays armed after the 200; the report timer is the second.
    await until(() => clock.pending > 1)
    clock.advance(5000)
    await assert.rejects(first, (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_TIMEOUT')

    const second = session.send({ contentType: 'text/plain', body: 'fail me', successReport: true })
    const req = await peer.nextRequest()
    peer.respond(req)
    peer.send({
      type: 'request',
      method: 'REPORT',
      transactionId: generateTransactionId(),
      headers: { 'To-Path': req.headers['From-Path'], 'From-Path': [req.headers['To-Path'][0]!], 'Message-ID': req.headers['Message-ID']!, 'Byte-Range': { start: 1, end: 7, total: 7 }, Status: { namespace: 0, code: 413, comment: 'Message Too Large' } },
      extensionHeaders: [],
      continuation: '$',
    })
    await assert.rejects(second, (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_REPORT_FAILURE' && e.status === 413)
    await session.close()
    connection.close()
  })

  it('closing a session rejects its queued sends', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const session = new MsrpSession({ localUri: localMsrpUri({ host: '127.0.0.1', port: 9 }), remotePath: 'msrp://127.0.0.1:2855/peer;tcp', maxPendingSends: 1 })
    session.bind(connection)
    const first = session.send({ contentType: 'text/plain', body: 'one' })
    const second = session.send({ contentType: 'text/plain', body: 'two' })
    await peer.nextRequest()
    await session.close()
    await assert.rejects(first, (e: unknown) => e instanceof MsrpClosedError && e.code === 'MSRP_SESSION_CLOSED')
    await assert.rejects(second, (e: unknown) => e instanceof MsrpClosedError && e.code === 'MSRP_SESSION_CLOSED')
    assert.equal(session.state, 'closed')
    connection.close()
  })

  it('routes requests of several sessions sharing one connection by To-Path session id', async () => {
    const listener = await MsrpListener.listen({ port: 0 })
    const port = listener.address!.port
    const b1 = new MsrpSession({ localUri: localMsrpUri({ host: '127.0.0.1', port }), listener })
    const b2 = new MsrpSession({ localUri: localMsrpUri({ host: '127.0.0.1', port }), listener })
    const connection = await connectMsrp({ host: '127.0.0.1', port })
    const a1 = await MsrpSession.connect({ localUri: localMsrpUri({ host: '127.0.0.1', port: 9 }), remotePath: [b1.localUri], connection })
    const a2 = await MsrpSession.connect({ localUri: localMsrpUri({ host: '127.0.0.1', port: 9 }), remotePath: [b2.localUri], connection })
    try {
      assert.equal(listener.connections.size, 1)
      assert.equal(b1.connection, b2.connection)
      const m1 = nextMessage(b1)
      const m2 = nextMessage(b2)
      await a2.send({ contentType: 'text/plain', body: 'to b2' })
      await a1.send({ contentType: 'text/plain', body: 'to b1' })
      assert.equal((await m1).body.toString(), 'to b1')
      assert.equal((await m2).body.toString(), 'to b2')
      // Answers come back to the right session over the same connection.
      const r1 = nextMessage(a1)
      await b1.send({ contentType: 'text/plain', body: 'from b1' })
      assert.equal((await r1).body.toString(), 'from b1')
    } finally {
      await a1.close()
      await a2.close()
      connection.close()
      await listener.close()
    }
  })
})
