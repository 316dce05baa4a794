import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SipStreamFramer, contentLength, type SipFrame } from '../../src/sip/framing.ts'
import { ParseError } from '../../src/errors.ts'

const message = (body: string, extra = '') =>
  Buffer.from(
    `MESSAGE sip:bob@example.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )

const messages = (frames: SipFrame[]) =>
  frames.filter((f) => f.type === 'message').map((f) => (f as { bytes: Buffer }).bytes.toString())

test('cuts two messages delivered in one chunk', () => {
  const a = message('hello')
  const b = message('world!')
  const framer = new SipStreamFramer()
  assert.deepEqual(messages(framer.push(Buffer.concat([a, b]))), [a.toString(), b.toString()])
  assert.equal(framer.buffered, 0)
})

test('any split of a stream yields the same messages', () => {
  const stream = Buffer.concat([message('one'), Buffer.from('\r\n\r\n'), message(''), message('x'.repeat(300))])
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 20 }), (cuts) => {
      const framer = new SipStreamFramer()
      const points = [...new Set(cuts)].sort((x, y) => x - y)
      const frames: SipFrame[] = []
      let last = 0
      for (const p of [...points, stream.length]) {
        frames.push(...framer.push(stream.subarray(last, p)))
        last = p
      }
      assert.deepEqual(frames.map((f) => f.type), ['message', 'ping', 'message', 'message'])
      assert.equal(messages(frames)[2], message('x'.repeat(300)).toString())
    }),
    { numRuns: 200 },
  )
})

test('keepalive: double CRLF is a ping, single CRLF a pong (RFC 5626 §3.5.1)', () => {
  const client = new SipStreamFramer({ side: 'client' })
  assert.deepEqual(client.push(Buffer.from('\r\n')), [{ type: 'pong' }])
  const server = new SipStreamFramer()
  assert.deepEqual(server.push(Buffer.from('\r\n\r\n')), [{ type: 'ping' }])
  assert.deepEqual(server.push(Buffer.from('\r\n')), [], 'a server waits: this may be half a ping')
  assert.deepEqual(server.push(Buffer.from('\r')), [])
  assert.deepEqual(server.push(Buffer.from('\n')), [{ type: 'ping' }])
  assert.deepEqual(server.push(Buffer.concat([Buffer.from('\r\n'), message('')])).map((f) => f.type), ['pong', 'message'])
})

test('compact and folded Content-Length are read', () => {
  assert.equal(contentLength('MESSAGE sip:a@b SIP/2.0\r\nl: 12'), 12)
  assert.equal(contentLength('MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n   7'), 7)
  assert.equal(contentLength('MESSAGE sip:a@b SIP/2.0\r\ncontent-length : 0'), 0)
})

test('a message without Content-Length on a stream is an error and the framer stays failed', () => {
  const framer = new SipStreamFramer()
  const frames = framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n'))
  assert.equal(frames.length, 1)
  const frame = frames[0]!
  assert.equal(frame.type, 'error')
  assert.ok(frame.type === 'error' && frame.error instanceof ParseError)
  assert.equal(frame.type === 'error' && frame.error.code, 'SIP_MISSING_CONTENT_LENGTH')
  assert.equal(framer.push(message('later'))[0]!.type, 'error')
})

test('conflicting or non-numeric Content-Length is rejected', () => {
  const twice = contentLength('A sip:a SIP/2.0\r\nContent-Length: 1\r\nl: 2')
  assert.ok(twice instanceof ParseError && twice.code === 'SIP_BAD_CONTENT_LENGTH')
  const word = contentLength('A sip:a SIP/2.0\r\nContent-Length: ten')
  assert.ok(word instanceof ParseError && word.code === 'SIP_BAD_CONTENT_LENGTH')
})

test('header and body sizes are bounded', () => {
  const small = new SipStreamFramer({ maxHeaderBytes: 100 })
  const [frame] = small.push(Buffer.from('A'.repeat(200)))
  assert.equal(frame?.type === 'error' && frame.error.code, 'SIP_HEADER_TOO_LARGE')
  const tiny = new SipStreamFramer({ maxBodyBytes: 4 })
  const [big] = tiny.push(message('12345'))
  assert.equal(big?.type === 'error' && big.error.code, 'SIP_BODY_TOO_LARGE')
})

test('a body split from its headers waits for the rest', () => {
  const whole = message('0123456789')
  const framer = new SipStreamFramer()
  assert.deepEqual(framer.push(whole.subarray(0, whole.length - 3)), [])
  assert.deepEqual(messages(framer.push(whole.subarray(whole.length - 3))), [whole.toString()])
})
