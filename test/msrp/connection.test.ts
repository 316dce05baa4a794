import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { MsrpClosedError, MsrpTimeoutError } from '../../src/msrp/errors.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'
import { MsrpConnection } from '../../src/msrp/connection.ts'
import { FakeClock } from '../../src/clock.ts'
import { connectMsrp, connectMsrpWebSocket } from '../../src/msrp/node-dial.ts'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { MemoryNetwork } from '../../src/msrp/memory-stream.ts'
import { MsrpSession, localMsrpUri } from '../../src/msrp/session.ts'
import { generateTransactionId, serializeFrame } from '../../src/msrp/serializer.ts'
import type { MsrpResponse, MsrpHeaders } from '../../src/msrp/message.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { RawPeer, connectionWithRawPeer, nextMessage, until } from './helpers.ts'
import { createMemoryPair } from '../../src/msrp/memory-stream.ts'
import { streamTransport } from '../../src/msrp/transport.ts'

function send(to: string, from: string, body = 'hi', method = 'SEND'): MsrpRequest {
  return {
    type: 'request',
    method,
    transactionId: generateTransactionId(),
    headers: { 'To-Path': [parseMsrpUri(to)], 'From-Path': [parseMsrpUri(from)], 'Message-ID': generateTransactionId(), 'Byte-Range': { start: 1, end: body.length, total: body.length }, 'Content-Type': 'text/plain' },
    extensionHeaders: [],
    body: Buffer.from(body),
    continuation: '$',
  }
}

describe('MSRP connection', () => {
  it('answers 481 for an unknown session, 506 for a session bound elsewhere, and never answers a REPORT', async () => {
    const listener = new MsrpListener()
    const session = new MsrpSession({ localUri: 'msrp://127.0.0.1:2855/known;tcp', listener })
    const [a, b] = createMemoryPair()
    listener.accept(b)
    const peer = new RawPeer(a)

    peer.send(send('msrp://127.0.0.1:2855/nosuch;tcp', 'msrp://127.0.0.1:9/me;tcp'))
    const r481 = await peer.nextResponse()
    assert.equal(r481.status, 481)
    assert.deepEqual(r481.headers['To-Path'], [parseMsrpUri('msrp://127.0.0.1:9/me;tcp')])

    // A REPORT for an unknown session gets nothing; the following SEND's 200 is the next frame.
    const report = send('msrp://127.0.0.1:2855/known;tcp', 'msrp://127.0.0.1:9/me;tcp', '', 'REPORT')
    delete report.body
    report.headers.Status = { namespace: 0, code: 200, comment: 'OK' }
    peer.send({ ...report, headers: { ...report.headers, 'To-Path': [parseMsrpUri('msrp://127.0.0.1:2855/nosuch;tcp')] } })
    peer.send(report)
    const bind = send('msrp://127.0.0.1:2855/known;tcp', 'msrp://127.0.0.1:9/me;tcp')
    peer.send(bind)
    const ok = await peer.nextResponse()
    assert.equal(ok.transactionId, bind.transactionId)
    assert.equal(ok.status, 200)
    assert.equal(session.state, 'open')

    // A second connection naming the bound session gets 506 (RFC 4975 §10).
    const [c, d] = createMemoryPair()
    listener.accept(d)
    const other = new RawPeer(c)
    other.send(send('msrp://127.0.0.1:2855/known;tcp', 'msrp://127.0.0.1:9/me;tcp'))
    assert.equal((await other.nextResponse()).status, 506)

    // Unknown methods get 501.
    peer.send(send('msrp://127.0.0.1:2855/known;tcp', 'msrp://127.0.0.1:9/me;tcp', 'x', 'FROB'))
    assert.equal((await peer.nextResponse()).status, 501)
    await session.close()
    await listener.close()
  })

  it('resolves a request once when a relay answers it twice (RFC 4976 hop-by-hop)', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const session = new MsrpSession({ localUri: 'msrp://127.0.0.1:9/mine;tcp', remotePath: 'msrp://relay:2855/r1;tcp msrp://far:1/theirs;tcp' })
    session.bind(connection)
    const sending = session.send({ contentType: 'text/plain', body: 'twice' })
    const req = await peer.nextRequest()
    assert.equal(req.headers['To-Path'].length, 2)
    peer.respond(req)
    peer.respond(req)
    const result = await sending
    assert.equal(result.bytes, 5)
    // The duplicate was ignored, the connection is healthy.
    const again = session.send({ contentType: 'text/plain', body: 'again' })
    peer.respond(await peer.nextRequest())
    await again
    assert.equal(connection.state, 'open')
    await session.close()
    connection.close()
  })

  it('answers a request with a malformed header 400 and keeps the connection and its session', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const session = new MsrpSession({ localUri: 'msrp://127.0.0.1:9/mine;tcp', remotePath: 'msrp://127.0.0.1:2855/x;tcp' })
    session.bind(connection)
    const received = nextMessage(session)
    peer.stream.write('MSRP bad00001 SEND\r\nTo-Path: msrp://127.0.0.1:9/mine;tcp\r\nFrom-Path: msrp://127.0.0.1:2855/x;tcp\r\nByte-Range: 0-1/1\r\nContent-Type: text/plain\r\n\r\nx\r\n-------bad00001$\r\n')
    const refused = await peer.nextResponse()
    assert.equal(refused.transactionId, 'bad00001')
    assert.equal(refused.status, 400)
    assert.match(refused.comment ?? '', /Byte-Range/)
    const good = send('msrp://127.0.0.1:9/mine;tcp', 'msrp://127.0.0.1:2855/x;tcp', 'still here')
    peer.send(good)
    assert.equal((await peer.nextResponse()).status, 200)
    assert.equal(Buffer.from((await received).body).toString(), 'still here')
    assert.equal(connection.state, 'open')
    assert.equal(session.state, 'open')
    await session.close()
    connection.close()
  })

  it('answers 400 to a malformed header whose value holds control characters (none echoed in the comment)', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const session = new MsrpSession({ localUri: 'msrp://127.0.0.1:9/mine;tcp', remotePath: 'msrp://127.0.0.1:2855/x;tcp' })
    session.bind(connection)
    peer.stream.write('MSRP bad00002 SEND\r\nTo-Path: msrp://127.0.0.1:9/mine;tcp\r\nFrom-Path: msrp://127.0.0.1:2855/x;tcp\r\nByte-Range: 1-\x01\x1b/1\r\nContent-Type: text/plain\r\n\r\nx\r\n-------bad00002$\r\n')
    const refused = await peer.nextResponse()
    assert.equal(refused.status, 400)
    assert.doesNotMatch(refused.comment ?? '', /[\x00-\x08\x0a-\x1f\x7f]/)
    assert.equal(connection.state, 'open')
    await session.close()
    connection.close()
  })

  it('closes on a parse error and rejects what was pending', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const session = new MsrpSession({ localUri: 'msrp://127.0.0.1:9/mine;tcp', remotePath: 'msrp://127.0.0.1:2855/x;tcp' })
    session.bind(connection)
    const sending = session.send({ contentType: 'text/plain', body: 'x' })
    await peer.nextRequest()
    const closed = new Promise<Error | undefined>((resolve) => connection.once('close', resolve))
    peer.stream.write('HTTP/1.1 400 Bad Request\r\n\r\n')
    const error = await closed
    assert.equal((error as { code?: string }).code, 'MSRP_BAD_START_LINE')
    await assert.rejects(sending, (e: unknown) => e instanceof MsrpClosedError && e.code === 'MSRP_CONNECTION_CLOSED')
    assert.equal(session.state, 'closed')
  })

  it('runs a session over WebSocket with the "msrp" subprotocol (RFC 7977)', async () => {
    const listener = await MsrpListener.listen({ port: 0, webSocket: true })
    const port = listener.address!.port
    const passive = new MsrpSession({ localUri: `msrp://127.0.0.1:${port}/wssess;ws`, listener })
    const connection = await connectMsrpWebSocket(`ws://127.0.0.1:${port}/`)
    try {
      assert.equal(connection.transport.kind, 'ws')
      const active = await MsrpSession.connect({ localUri: 'msrp://client.invalid/cl1ent;ws', remotePath: [passive.localUri], connection, chunkSize: 100 })
      const got = nextMessage(passive)
      await active.send({ contentType: 'text/plain', body: 'over websocket '.repeat(20) })
      assert.equal((await got).body.toString(), 'over websocket '.repeat(20))
      const back = nextMessage(active)
      await passive.send({ contentType: 'text/plain', body: 'and back' })
      assert.equal((await back).body.toString(), 'and back')
      await active.close()
    } finally {
      connection.close()
      await listener.close()
    }
  })

  it('refuses a WebSocket without the msrp subprotocol', async () => {
    const listener = await MsrpListener.listen({ port: 0, webSocket: true })
    const { WebSocket } = await import('ws')
    const ws = new WebSocket(`ws://127.0.0.1:${listener.address!.port}/`, 'sip')
    const [error] = await once(ws, 'error')
    assert.match(String(error), /protocol|Server sent no subprotocol|Unexpected/i)
    await listener.close()
  })

  it('connects sessions through a MemoryNetwork with the same code as TCP', async () => {
    const network = new MemoryNetwork()
    const listener = new MsrpListener()
    const stop = network.listen('chat.example.test', 2855, (stream) => listener.accept(stream))
    const passive = new MsrpSession({ localUri: 'msrp://chat.example.test:2855/room1;tcp', listener })
    const stream = network.connect('chat.example.test', 2855)
    const connection = new MsrpConnection(streamTransport(stream, 'memory'))
    const active = await MsrpSession.connect({ localUri: localMsrpUri({ host: 'bot.example.test' }), remotePath: [passive.localUri], connection })
    const got = nextMessage(passive)
    await active.send({ contentType: 'text/plain', body: 'in memory' })
    assert.equal((await got).body.toString(), 'in memory')
    assert.throws(() => network.connect('nowhere', 1), /refused/)
    await active.close()
    connection.close()
    stop()
    await listener.close()
  })
})

describe('MsrpConnection response deadlines', () => {
  it('times out requests of different timeouts each on time, and keeps few timers for many timeouts', async () => {
    const clock = new FakeClock()
    const { connection, peer } = connectionWithRawPeer({ clock })
    const request = (timeoutMs: number): Promise<unknown> => connection.request(send('msrp://127.0.0.1:9/peer;tcp', 'msrp://127.0.0.1:8/me;tcp'), { timeoutMs }).response.then((r) => r?.status, (e: { status?: number }) => e.status)
    // Forty requests, each with a timeout of its own, answered one after the other.
    for (let i = 0; i < 40; i++) {
      const answered = request(1000 + i)
      peer.respond(await peer.nextRequest())
      assert.equal(await answered, 200)
    }
    assert.ok(clock.pending <= 9, `${clock.pending} timers for 40 answered requests`)
    // Unanswered ones time out at their own deadlines, the shorter first.
    const long = request(5000)
    const short = request(2000)
    const results: unknown[] = []
    void long.then((s) => results.push(`long ${s} at ${clock.now()}`))
    void short.then((s) => results.push(`short ${s} at ${clock.now()}`))
    await clock.advanceAsync(1999)
    assert.deepEqual(results, [])
    await clock.advanceAsync(1)
    await clock.advanceAsync(2999)
    assert.deepEqual(results, ['short 408 at 2000'])
    await clock.advanceAsync(1)
    assert.deepEqual(results, ['short 408 at 2000', 'long 408 at 5000'])
    connection.close()
    assert.equal(clock.pending, 0, 'closing stops every deadline timer')
  })
})

describe('MsrpConnection timeouts tell a stalled peer from a late one', () => {
  const to = 'msrp://127.0.0.1:9/peer;tcp'
  const from = 'msrp://127.0.0.1:8/me;tcp'
  const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(
    () => 'answered',
    (e: unknown) => (e instanceof MsrpTimeoutError ? `408 stalled=${e.peerStalled}` : String(e)),
  )

  it('a request timing out with no answer and no drain since it was written names the peer stalled', async () => {
    const clock = new FakeClock()
    const { connection, peer } = connectionWithRawPeer({ clock })
    const first = outcome(connection.request(send(to, from), { timeoutMs: 1000 }).response)
    await peer.nextRequest() // read, never answered
    await clock.advanceAsync(1000)
    assert.equal(await first, '408 stalled=true')
    connection.close()
  })

  it('a request timing out while the peer answers later requests is late, not stalled', async () => {
    const clock = new FakeClock()
    const { connection, peer } = connectionWithRawPeer({ clock })
    const unanswered = outcome(connection.request(send(to, from), { timeoutMs: 1000 }).response)
    await peer.nextRequest()
    await clock.advanceAsync(500)
    const second = outcome(connection.request(send(to, from), { timeoutMs: 1000 }).response)
    peer.respond(await peer.nextRequest())
    assert.equal(await second, 'answered')
    await clock.advanceAsync(500)
    assert.equal(await unanswered, '408 stalled=false')
    connection.close()
  })

  it('a drain of the output counts as progress: a peer that reads but answers too late is not stalled', async () => {
    const clock = new FakeClock()
    // A small high-water mark: the second request waits for a drain, which comes once the peer reads.
    const { connection, peer, peerStream } = connectionWithRawPeer({ clock }, 64)
    peerStream.pause()
    const a = outcome(connection.request(send(to, from, 'x'.repeat(200)), { timeoutMs: 1000 }).response)
    const b = outcome(connection.request(send(to, from, 'y'.repeat(200)), { timeoutMs: 1000 }).response)
    await until(() => connection.pendingWriteBytes > 0)
    peerStream.resume()
    await peer.nextRequest()
    await peer.nextRequest()
    await clock.advanceAsync(1000)
    assert.deepEqual([await a, await b], ['408 stalled=false', '408 stalled=false'])
    connection.close()
  })
})

describe('MsrpConnection.respond', () => {
  /** What the frame serializer writes for the response respond() should send. */
  function expected(request: MsrpRequest, status: number, comment: string | undefined, extra: Partial<MsrpHeaders> = {}): Buffer {
    const response: MsrpResponse = {
      type: 'response',
      transactionId: request.transactionId,
      status,
      headers: { 'To-Path': request.headers['From-Path'], 'From-Path': [request.headers['To-Path'][0]!], ...extra },
      extensionHeaders: [],
      continuation: '$',
    }
    if (comment !== undefined) response.comment = comment
    return serializeFrame(response)
  }

  function frozenPath(uri: string): readonly ReturnType<typeof parseMsrpUri>[] {
    const u = parseMsrpUri(uri)
    return Object.freeze([Object.freeze({ ...u, params: Object.freeze([...u.params]) })])
  }

  it('writes the bytes of the frame serializer, with cached paths only while they cannot change', async () => {
    const { connection, peerStream } = connectionWithRawPeer()
    const seen: Buffer[] = []
    peerStream.on('data', (chunk: Buffer) => seen.push(chunk))
    const want: Buffer[] = []
    const respond = (request: MsrpRequest, status: number, comment?: string, extra?: Partial<MsrpHeaders>): void => {
      if (comment === undefined) connection.respond(request, status)
      else connection.respond(request, status, comment, extra)
      want.push(expected(request, status, comment ?? ({ 200: 'OK', 481: 'Session Does Not Exist' } as Record<number, string>)[status], extra))
    }
    const frozen = (to: string, from: string): MsrpRequest => {
      const r = send(to, from)
      return { ...r, headers: { ...r.headers, 'To-Path': frozenPath(to) as never, 'From-Path': frozenPath(from) as never } }
    }
    const a = frozen('msrp://127.0.0.1:2855/focus1;tcp', 'msrp://127.0.0.1:9/alice;tcp')
    respond(a, 200)
    respond({ ...a, transactionId: generateTransactionId() }, 200) // the same frozen paths: from the cache
    respond(frozen('msrp://127.0.0.1:2855/focus2;tcp', 'msrp://[::1]:9/bob;tcp'), 200) // other paths
    respond(a, 481)
    respond(a, 403, 'Request failed') // not a standard reason: the frame serializer
    respond(a, 200, 'Fine')
    respond(a, 200, 'OK', { 'Message-ID': 'abcd1234' }) // another header: the frame serializer
    // Unfrozen paths are never cached: a caller may change them between two answers.
    const loose = send('msrp://127.0.0.1:2855/focus3;tcp', 'msrp://127.0.0.1:9/carol;tcp')
    respond(loose, 200)
    ;(loose.headers['From-Path'] as ReturnType<typeof parseMsrpUri>[])[0] = parseMsrpUri('msrp://127.0.0.1:9/dave;tcp')
    respond(loose, 200)
    const all = Buffer.concat(want)
    await until(() => Buffer.concat(seen).length >= all.length)
    assert.equal(Buffer.concat(seen).toString('latin1'), all.toString('latin1'))
    connection.close()
  })
})

describe('MSRP over TLS (msrps:)', () => {
  it('exchanges a message over a TLS listener with a verified certificate', async () => {
    const { execFileSync } = await import('node:child_process')
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'msrp-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
      const key = readFileSync(join(dir, 'key.pem'))
      const cert = readFileSync(join(dir, 'cert.pem'))
      const listener = await MsrpListener.listen({ port: 0, tls: { key, cert } })
      const port = listener.address!.port
      const passive = new MsrpSession({ localUri: `msrps://127.0.0.1:${port}/tlssess;tcp`, listener })
      const connection = await connectMsrp({ host: '127.0.0.1', port, tls: { ca: cert } })
      assert.equal(connection.transport.kind, 'tls')
      const active = await MsrpSession.connect({ localUri: localMsrpUri({ host: '127.0.0.1', port: 9, secure: true }), remotePath: [passive.localUri], connection })
      const got = nextMessage(passive)
      await active.send({ contentType: 'text/plain', body: 'secret hello' })
      assert.equal((await got).body.toString(), 'secret hello')
      await assert.rejects(connectMsrp({ host: '127.0.0.1', port, tls: {} }), (e: unknown) => e instanceof MsrpClosedError && e.code === 'MSRP_CONNECT_FAILED')
      await active.close()
      connection.close()
      await listener.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
