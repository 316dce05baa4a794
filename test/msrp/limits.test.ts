/**
 * The MSRP layer's defences against a peer that wants the server to hold memory: chunk caps
 * for unknown and bound sessions, the process-wide read budget, header and unbound timeouts,
 * connection caps, and the bound on output queued for a receiver that stopped reading.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { FakeClock } from '../../src/clock.ts'
import type { MsrpConnection, MsrpRequestHandler } from '../../src/msrp/connection.ts'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { createMemoryPair } from '../../src/msrp/memory-stream.ts'
import { MsrpReadBudget } from '../../src/msrp/read-budget.ts'
import { MsrpSession } from '../../src/msrp/session.ts'
import { connectionWithRawPeer, RawPeer, until } from './helpers.ts'

const FROM = 'msrp://127.0.0.1:9/peer;tcp'

/** The start line and headers of a SEND to `sessionId` whose body follows (no end-line). */
function sendHead(sessionId: string, tid = 'tid1'): string {
  return `MSRP ${tid} SEND\r\nTo-Path: msrp://127.0.0.1:2855/${sessionId};tcp\r\nFrom-Path: ${FROM}\r\nMessage-ID: m-${tid}\r\nByte-Range: 1-*/*\r\nContent-Type: text/plain\r\n\r\n`
}

/** Resolves with the error the connection closed with. */
function closed(connection: MsrpConnection): Promise<Error | undefined> {
  return new Promise((resolve) => connection.once('close', resolve))
}

/** A listener-side connection fed by hand from the raw end of a memory pair. */
function accepted(listener: MsrpListener, remoteAddress = '192.0.2.1'): { connection: MsrpConnection | undefined; raw: ReturnType<typeof createMemoryPair>[0] } {
  const [raw, server] = createMemoryPair({ addresses: [{ address: remoteAddress, port: 40000 }, { address: '127.0.0.1', port: 2855 }] })
  raw.resume() // a peer that reads (and so sees the close) unless a test pauses it
  return { connection: listener.accept(server), raw }
}

describe('MSRP limits: chunk caps', () => {
  it('closes a connection after a few KiB of body for an unknown session, holding no more than that', async () => {
    const listener = new MsrpListener({ unknownSessionMaxBodyBytes: 4096 })
    const { connection, raw } = accepted(listener)
    assert.ok(connection)
    const gone = closed(connection)
    raw.write(sendHead('nosuch'))
    const piece = Buffer.alloc(1024, 0x61)
    for (let i = 0; i < 3; i++) raw.write(piece)
    await until(() => listener.connections.size === 1)
    // 3 KiB held so far: still open, nothing answered yet.
    assert.equal(connection.state, 'open')
    for (let i = 0; i < 64; i++) raw.write(piece) // the attack: megabytes without an end-line
    const error = await gone
    assert.equal((error as { code?: string }).code, 'MSRP_BODY_TOO_LARGE')
    assert.match(error!.message, /4096/)
    await listener.close()
  })

  it('a bound session gets its own chunk limit (maxChunkBytes), a bigger chunk closes the connection', async () => {
    const listener = new MsrpListener({ unknownSessionMaxBodyBytes: 16 })
    const handled: number[] = []
    let bound: MsrpConnection | undefined
    const session: MsrpRequestHandler & { id: string; connection: MsrpConnection | undefined; bind(c: MsrpConnection): void } = {
      id: 'known',
      connection: undefined,
      bind(c) {
        this.connection = c
        bound = c
        c.attach('known', this)
      },
      handleRequest(request, c) {
        handled.push(request.body?.length ?? 0)
        c.respond(request, 200)
      },
      connectionClosed() {},
      maxChunkBytes: () => 1000,
    }
    listener.register(session)
    const { connection, raw } = accepted(listener)
    const peer = new RawPeer(raw)
    raw.write(`${sendHead('known', 'tid-a1')}${'x'.repeat(900)}\r\n-------tid-a1$\r\n`)
    assert.equal((await peer.nextResponse()).status, 200)
    assert.equal(bound, connection, 'the first request bound the connection before its body was buffered')
    assert.deepEqual(handled, [900])
    const gone = closed(connection!)
    raw.write(`${sendHead('known', 'tid-a2')}${'x'.repeat(1200)}`)
    assert.equal(((await gone) as { code?: string }).code, 'MSRP_BODY_TOO_LARGE')
    await listener.close()
  })

  it('a response with a body is held to the unknown-session cap (RFC 4975 §7.2: responses carry none)', async () => {
    const { connection, peerStream } = connectionWithRawPeer({ unknownSessionMaxBodyBytes: 64 })
    const gone = closed(connection)
    peerStream.write(`MSRP tid-r1 200 OK\r\nTo-Path: ${FROM}\r\nFrom-Path: ${FROM}\r\n\r\n${'y'.repeat(200)}`)
    assert.equal(((await gone) as { code?: string }).code, 'MSRP_BODY_TOO_LARGE')
  })
})

describe('MSRP limits: read budget', () => {
  it('closes the connection whose incomplete frame takes the shared budget past its limit, and gives its bytes back', async () => {
    const budget = new MsrpReadBudget(10_000)
    const listener = new MsrpListener({ readBudget: budget, unknownSessionMaxBodyBytes: 8_000 })
    const first = accepted(listener, '192.0.2.1')
    const second = accepted(listener, '192.0.2.2')
    first.raw.write(sendHead('nosuch', 'tid-b1') + 'z'.repeat(6_000))
    await until(() => budget.used >= 6_000)
    assert.equal(first.connection!.state, 'open')
    const gone = closed(second.connection!)
    second.raw.write(sendHead('nosuch', 'tid-b2') + 'z'.repeat(6_000))
    assert.equal(((await gone) as { code?: string }).code, 'MSRP_READ_BUDGET')
    assert.equal(first.connection!.state, 'open', 'the earlier connection keeps its share')
    assert.ok(budget.used <= 10_000, `budget used ${budget.used}`)
    const firstGone = closed(first.connection!)
    first.raw.destroy()
    await firstGone
    assert.equal(budget.used, 0, 'every byte is given back when the connections close')
    await listener.close()
  })
})

describe('MSRP limits: timeouts', () => {
  it('closes a connection whose header block is still incomplete after headerTimeoutMs, whatever trickles in', async () => {
    const clock = new FakeClock()
    const listener = new MsrpListener({ clock, headerTimeoutMs: 10_000, unboundTimeoutMs: 0 })
    const { connection, raw } = accepted(listener)
    const gone = closed(connection!)
    const head = sendHead('nosuch')
    // One byte every 2 s: each restarts no timer.
    for (let i = 0; i < 6; i++) {
      raw.write(head[i]!)
      await new Promise((resolve) => setImmediate(resolve))
      if (i < 5) assert.equal(connection!.state, 'open', `still open after ${i * 2} s`)
      clock.advance(2_000)
    }
    assert.equal(((await gone) as { code?: string }).code, 'MSRP_HEADER_TIMEOUT')
    await listener.close()
  })

  it('a complete frame clears the header timer; a connection between frames is not timed out by it', async () => {
    const clock = new FakeClock()
    const listener = new MsrpListener({ clock, headerTimeoutMs: 1_000, unboundTimeoutMs: 0 })
    const { connection, raw } = accepted(listener)
    const peer = new RawPeer(raw)
    const head = `MSRP tid-c1 SEND\r\nTo-Path: msrp://127.0.0.1:2855/nosuch;tcp\r\nFrom-Path: ${FROM}\r\nMessage-ID: msg-0001\r\n`
    raw.write(head)
    await new Promise((resolve) => setImmediate(resolve))
    clock.advance(900)
    raw.write('-------tid-c1$\r\n')
    assert.equal((await peer.nextResponse()).status, 481)
    clock.advance(5_000)
    assert.equal(connection!.state, 'open')
    await listener.close()
  })

  it('closes an accepted connection that binds no session within unboundTimeoutMs, keeps a bound one', async () => {
    const clock = new FakeClock()
    const listener = new MsrpListener({ clock, unboundTimeoutMs: 15_000 })
    const session = new MsrpSession({ localUri: 'msrp://127.0.0.1:2855/known;tcp', listener, clock })
    const silent = accepted(listener, '192.0.2.1')
    const bound = accepted(listener, '192.0.2.2')
    const peer = new RawPeer(bound.raw)
    bound.raw.write(`MSRP tid-d1 SEND\r\nTo-Path: msrp://127.0.0.1:2855/known;tcp\r\nFrom-Path: ${FROM}\r\nMessage-ID: msg-0001\r\nByte-Range: 1-0/0\r\n-------tid-d1$\r\n`)
    assert.equal((await peer.nextResponse()).status, 200)
    const gone = closed(silent.connection!)
    clock.advance(15_000)
    assert.equal(((await gone) as { code?: string }).code, 'MSRP_UNBOUND_TIMEOUT')
    assert.equal(bound.connection!.state, 'open')
    session.close()
    await listener.close()
  })
})

describe('MSRP limits: connection caps', () => {
  it('refuses connections beyond maxConnectionsPerSource and maxConnections, and admits again after a close', async () => {
    const listener = new MsrpListener({ maxConnections: 3, maxConnectionsPerSource: 2, unboundTimeoutMs: 0 })
    const a1 = accepted(listener, '192.0.2.1')
    const a2 = accepted(listener, '192.0.2.1')
    const a3 = accepted(listener, '192.0.2.1')
    assert.ok(a1.connection && a2.connection)
    assert.equal(a3.connection, undefined, 'a third connection from one address is refused')
    assert.ok(a3.raw.destroyed || (await once(a3.raw, 'close'), true))
    const b1 = accepted(listener, '192.0.2.2')
    const b2 = accepted(listener, '192.0.2.3')
    assert.ok(b1.connection)
    assert.equal(b2.connection, undefined, 'the fourth connection overall is refused')
    assert.equal(listener.refused, 2)
    const gone = closed(a1.connection!)
    a1.raw.destroy()
    await gone
    assert.ok(accepted(listener, '192.0.2.1').connection, 'a slot freed by a close is usable again')
    await listener.close()
  })
})

describe('MSRP limits: output queued for a receiver that stopped reading', () => {
  it('counts frames waiting for a drain against maxWriteBufferBytes and closes the connection instead of queueing without limit', async () => {
    const { connection, peerStream } = connectionWithRawPeer({ maxWriteBufferBytes: 256 * 1024 }, 16 * 1024)
    peerStream.pause() // the receiver stops reading
    const gone = closed(connection)
    const body = Buffer.alloc(60 * 1024, 0x62)
    const outcomes: Array<string> = []
    for (let i = 0; i < 100; i++) {
      const bytes = Buffer.from(`MSRP tid-q${i} SEND\r\nTo-Path: ${FROM}\r\nFrom-Path: ${FROM}\r\nMessage-ID: msg-${i}\r\nByte-Range: 1-${body.length}/${body.length}\r\nContent-Type: text/plain\r\n\r\n${body.toString('latin1')}\r\n-------tid-q${i}$\r\n`, 'latin1')
      connection.sendPrepared({ transactionId: `tid-q${i}`, method: 'SEND', bytes: [bytes], expectResponse: true }, 10_000, (_response, error) => {
        outcomes.push(error === undefined ? 'ok' : ((error as { code?: string }).code ?? 'error'))
      })
      if (connection.state !== 'open') break
      assert.ok(connection.pendingWriteBytes <= 256 * 1024 + bytes.length, `pending ${connection.pendingWriteBytes}`)
    }
    await until(() => connection.state !== 'open')
    peerStream.resume() // let the close complete
    assert.equal(((await gone) as { code?: string }).code, 'MSRP_WRITE_OVERFLOW')
    await until(() => outcomes.length > 0 && outcomes.every((o) => o !== 'ok'))
    assert.ok(outcomes.every((o) => o === 'MSRP_CONNECTION_CLOSED'), `every copy failed with the close: ${[...new Set(outcomes)].join(',')}`)
  })

  it('writes frames that waited for a drain once each, in the order they were given, and new frames after them', async () => {
    const { connection, peerStream } = connectionWithRawPeer({ maxWriteBufferBytes: 64 * 1024 * 1024 }, 1024)
    peerStream.pause()
    const body = Buffer.alloc(2 * 1024, 0x64)
    const frame = (i: number): Buffer => Buffer.from(`MSRP tid-o${i} SEND\r\nTo-Path: ${FROM}\r\nFrom-Path: ${FROM}\r\nMessage-ID: msg-${i}\r\n\r\n${body.toString('latin1')}\r\n-------tid-o${i}$\r\n`, 'latin1')
    let sent = 0
    const send = (): void => {
      const i = sent++
      connection.sendPrepared({ transactionId: `tid-o${i}`, method: 'SEND', bytes: [frame(i)], expectResponse: false }, 5_000, () => undefined)
    }
    for (let i = 0; i < 2_000; i++) send()
    assert.ok(connection.pendingWriteBytes > 1_000 * body.length, 'most frames wait for a drain')
    const received: string[] = []
    let text = ''
    peerStream.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      for (let end = text.indexOf('$\r\n'); end >= 0; end = text.indexOf('$\r\n')) {
        const start = text.lastIndexOf('-------tid-o', end)
        received.push(text.slice(start + 7, end))
        text = text.slice(end + 3)
      }
      if (received.length === 1_000) for (let i = 0; i < 10; i++) send() // frames given while others still wait
    })
    peerStream.resume()
    await until(() => received.length === 2_010, 100_000)
    assert.deepEqual(received, Array.from({ length: 2_010 }, (_, i) => `tid-o${i}`))
    assert.equal(connection.pendingWriteBytes, 0)
    const gone = closed(connection)
    connection.close()
    await gone
  })

  it('a copy stuck behind a congested connection times out (408) from when it was relayed, not from when it is written', async () => {
    const clock = new FakeClock()
    const { connection, peerStream } = connectionWithRawPeer({ clock, maxWriteBufferBytes: 64 * 1024 * 1024 }, 1024)
    peerStream.pause()
    const big = Buffer.alloc(8 * 1024, 0x63)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const bytes = Buffer.from(`MSRP tid-t${i} SEND\r\nTo-Path: ${FROM}\r\nFrom-Path: ${FROM}\r\nMessage-ID: msg-${i}\r\n\r\n${big.toString('latin1')}\r\n-------tid-t${i}$\r\n`, 'latin1')
      connection.sendPrepared({ transactionId: `tid-t${i}`, method: 'SEND', bytes: [bytes], expectResponse: true }, 5_000, (_r, error) => statuses.push((error as { status?: number } | undefined)?.status ?? 200))
    }
    await new Promise((resolve) => setImmediate(resolve))
    clock.advance(5_000)
    await until(() => statuses.length === 4)
    assert.deepEqual(statuses, [408, 408, 408, 408])
    const gone = closed(connection)
    connection.close()
    peerStream.resume()
    await gone
  })
})
