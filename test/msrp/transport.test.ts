import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, connect, type Socket } from 'node:net'
import { setImmediate as tick } from 'node:timers/promises'
import { createMemoryPair } from '../../src/msrp/memory-stream.ts'
import { parseFrame, MsrpParser } from '../../src/msrp/parser.ts'
import { bodyContainsEndLine, serializeFrame, serializeFrameParts } from '../../src/msrp/serializer.ts'
import { streamTransport, type TransportListeners } from '../../src/msrp/transport.ts'
import { formatMsrpPath, formatMsrpUri, parseMsrpUri } from '../../src/msrp/uri.ts'
import { parseByteRange } from '../../src/msrp/headers.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'

function listeners(): TransportListeners & { chunks: Buffer[]; drains: number; closed: boolean } {
  const l = {
    chunks: [] as Buffer[],
    drains: 0,
    closed: false,
    data(chunk: Buffer) {
      l.chunks.push(chunk)
    },
    drain() {
      l.drains++
    },
    close() {
      l.closed = true
    },
  }
  return l
}

describe('stream transport', () => {
  it('gathers the frames written in one event-loop turn into one write, in order', async () => {
    const [a, b] = createMemoryPair()
    const writes: Buffer[] = []
    const write = a.write.bind(a)
    a.write = ((chunk: Buffer, ...rest: never[]) => {
      writes.push(chunk)
      return write(chunk, ...rest)
    }) as typeof a.write
    const transport = streamTransport(a, 'memory')
    transport.start(listeners())
    const peer = listeners()
    streamTransport(b, 'memory').start(peer)
    assert.equal(transport.write([Buffer.from('one ')]), true)
    assert.equal(transport.write([Buffer.from('two '), Buffer.from('three')]), true)
    assert.equal(transport.bufferedBytes, 13, 'pending bytes count as buffered')
    assert.equal(writes.length, 0, 'nothing reaches the stream before the turn ends')
    await tick()
    assert.equal(writes.length, 1)
    assert.equal(writes[0]!.toString(), 'one two three')
    await tick()
    assert.equal(Buffer.concat(peer.chunks).toString(), 'one two three')
    transport.close()
  })

  it('gathers the output of many transports in one turn: each stream gets one write at the end of the turn', async () => {
    const writes: string[][] = []
    const transports = []
    const peers = []
    for (let i = 0; i < 5; i++) {
      const [a, b] = createMemoryPair()
      const mine: string[] = []
      writes.push(mine)
      const write = a.write.bind(a)
      a.write = ((chunk: Buffer, ...rest: never[]) => {
        mine.push(chunk.toString())
        return write(chunk, ...rest)
      }) as typeof a.write
      const transport = streamTransport(a, 'memory')
      transport.start(listeners())
      const peer = listeners()
      streamTransport(b, 'memory').start(peer)
      transports.push(transport)
      peers.push(peer)
    }
    // One frame to each, then a second one to the odd ones (a single part, then an array of parts).
    transports.forEach((t, i) => t.write([Buffer.from(`a${i} `)]))
    transports.forEach((t, i) => i % 2 === 1 && t.write([Buffer.from(`b${i}`)]))
    assert.deepEqual(writes, [[], [], [], [], []], 'nothing reaches a stream before the turn ends')
    await tick()
    assert.deepEqual(writes, [['a0 '], ['a1 b1'], ['a2 '], ['a3 b3'], ['a4 ']])
    // The next turn's output is gathered again.
    transports[0]!.write([Buffer.from('c0')])
    await tick()
    assert.deepEqual(writes[0], ['a0 ', 'c0'])
    await tick()
    assert.deepEqual(peers.map((p) => Buffer.concat(p.chunks).toString()), ['a0 c0', 'a1 b1', 'a2 ', 'a3 b3', 'a4 '])
    for (const t of transports) t.close()
  })

  it('flushes what is pending before it ends the stream', async () => {
    const [a, b] = createMemoryPair()
    const transport = streamTransport(a, 'memory')
    transport.start(listeners())
    const peer = listeners()
    streamTransport(b, 'memory').start(peer)
    transport.write([Buffer.from('last words')])
    transport.close()
    await once(b, 'end')
    assert.equal(Buffer.concat(peer.chunks).toString(), 'last words')
  })

  it('signals back-pressure like the stream would and owes a drain once the bytes are taken', async () => {
    const [a, b] = createMemoryPair({ highWaterMark: 16 })
    const transport = streamTransport(a, 'memory')
    const mine = listeners()
    transport.start(mine)
    streamTransport(b, 'memory').start(listeners())
    assert.equal(transport.write([Buffer.alloc(8, 0x61)]), true)
    assert.equal(transport.write([Buffer.alloc(8, 0x62)]), false, '16 bytes reach the high-water mark')
    for (let i = 0; i < 5 && mine.drains === 0; i++) await tick()
    assert.ok(mine.drains >= 1, 'a drain follows, whether the stream emits it or the transport does')
    transport.close()
  })

  it('writes a large batch corked (writev) without copying and delivers it intact over TCP', async () => {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const accepted = once(server, 'connection') as Promise<[Socket]>
    const client = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port })
    await once(client, 'connect')
    const [socket] = await accepted
    const transport = streamTransport(client)
    transport.start(listeners())
    const parts = Array.from({ length: 5 }, (_, i) => Buffer.alloc(20_000, 0x30 + i))
    for (const p of parts) transport.write([p])
    const received: Buffer[] = []
    let got = 0
    const all = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk)
        got += chunk.length
        if (got === 100_000) resolve()
      }),
    )
    await all
    assert.deepEqual(Buffer.concat(received), Buffer.concat(parts))
    transport.close()
    socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
})

describe('MSRP codec fast paths', () => {
  const to = [parseMsrpUri('msrp://127.0.0.1:2855/abcdefghij;tcp')]
  const from = [parseMsrpUri('msrp://127.0.0.1:40000/klmnopqrst;tcp')]
  const send = (body: Buffer | undefined, tid = 'abcd1234'): MsrpRequest => ({
    type: 'request',
    method: 'SEND',
    transactionId: tid,
    headers: { 'To-Path': to, 'From-Path': from, 'Message-ID': 'm1234', 'Byte-Range': { start: 1, end: body?.length ?? 0, total: body?.length ?? 0 }, 'Content-Type': 'text/plain' },
    extensionHeaders: [],
    continuation: '$',
    ...(body === undefined ? {} : { body }),
  })

  it('serializes small frames as one buffer and round-trips them', () => {
    const frame = send(Buffer.from('hello'))
    const parts = serializeFrameParts(frame)
    assert.equal(parts.length, 1)
    assert.deepEqual(parseFrame(parts[0]!), { ...frame, headers: { ...frame.headers, 'To-Path': to, 'From-Path': from } })
  })

  it('parses an empty body right after the blank line, whole or cut at every byte', () => {
    const wire = Buffer.from('MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nMessage-ID: m1234\r\nContent-Type: text/plain\r\n\r\n-------abcd1234$\r\n')
    const whole = parseFrame(wire)
    assert.equal(whole.body?.length, 0)
    for (let cut = 1; cut < wire.length; cut++) {
      const parser = new MsrpParser()
      const frames = [...parser.push(wire.subarray(0, cut)), ...parser.push(wire.subarray(cut))]
      assert.equal(frames.length, 1, `cut at ${cut}`)
      assert.deepEqual(frames[0], whole)
    }
  })

  it('finds an end-line in a body only where it would end the frame', () => {
    assert.equal(bodyContainsEndLine(Buffer.from('no dashes here'), 'abcd'), false)
    assert.equal(bodyContainsEndLine(Buffer.from('x\r\n-------abcd$\r\ny'), 'abcd'), true)
    assert.equal(bodyContainsEndLine(Buffer.from('-------abcd+'), 'abcd'), true)
    assert.equal(bodyContainsEndLine(Buffer.from('x-------abcd$\r\n'), 'abcd'), false)
    assert.equal(bodyContainsEndLine(Buffer.from('\r\n-------abcdz$\r\n'), 'abcd'), false)
    assert.throws(() => serializeFrame(send(Buffer.from('\r\n-------abcd1234$\r\n'))), /end-line/)
  })

  it('still refuses header values with control characters or edge whitespace', () => {
    for (const bad of ['text/plain\r\nX: y', ' text/plain', 'text/plain\t', 'a\x7fb']) {
      const frame = send(Buffer.from('x'))
      frame.headers['Content-Type'] = bad
      assert.throws(() => serializeFrame(frame), /Content-Type/)
    }
  })

  it('parses Byte-Range without a regex for digits and with it for the rest', () => {
    assert.deepEqual(parseByteRange('1-25/25'), { start: 1, end: 25, total: 25 })
    assert.deepEqual(parseByteRange('1-*/*'), { start: 1, end: '*', total: '*' })
    assert.deepEqual(parseByteRange('10-19/*'), { start: 10, end: 19, total: '*' })
    for (const bad of ['0-1/1', '1-2', '1-2/3x', '-1-2/3', '1234567890123456-1/1', '']) assert.throws(() => parseByteRange(bad), /Byte-Range/)
  })

  it('caches the text of frozen URIs only, so a changed URI is never written stale', () => {
    const mutable = parseMsrpUri('msrp://h:1/s;tcp') as { host: string }
    assert.equal(formatMsrpUri(mutable as never), 'msrp://h:1/s;tcp')
    mutable.host = 'other'
    assert.equal(formatMsrpUri(mutable as never), 'msrp://other:1/s;tcp')
    const frozen = Object.freeze([Object.freeze({ ...parseMsrpUri('msrp://r:1/a;tcp'), params: Object.freeze([]) }), Object.freeze({ ...parseMsrpUri('msrp://h:2/b;tcp'), params: Object.freeze([]) })])
    assert.equal(formatMsrpPath(frozen), 'msrp://r:1/a;tcp msrp://h:2/b;tcp')
    assert.equal(formatMsrpPath(frozen), 'msrp://r:1/a;tcp msrp://h:2/b;tcp')
  })
})
