import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import { parseSipMessage } from '../../src/sip/parser.ts'
import { serializeSipMessage } from '../../src/sip/serializer.ts'
import { SipStreamFramer } from '../../src/sip/framing.ts'
import { plain, sipMessageArb } from './arbitraries.ts'

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Type: text/plain',
  'Content-Length: 5',
  '',
  'hello',
].join('\r\n')

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8')
function fails(input: string | Buffer, code: string, options = {}): void {
  assert.throws(() => parseSipMessage(typeof input === 'string' ? bytes(input) : input, options), (e: unknown) => e instanceof ParseError && e.code === code)
}

describe('parseSipMessage', () => {
  test('parses a request', () => {
    const m = parseSipMessage(bytes(INVITE))
    assert.equal(m.kind, 'request')
    assert.equal(m.kind === 'request' && m.method, 'INVITE')
    assert.equal(m.headers.get('cseq'), '314159 INVITE')
    assert.equal(m.body.toString(), 'hello')
  })
  test('accepts a Uint8Array and leading CRLFs (RFC 3261 §7.5)', () => {
    const m = parseSipMessage(new Uint8Array(bytes('\r\n\r\n' + INVITE)))
    assert.equal(m.body.toString(), 'hello')
  })
  test('datagram: octets past Content-Length are dropped', () => {
    const m = parseSipMessage(bytes(INVITE + 'garbage'), { datagram: true })
    assert.equal(m.body.toString(), 'hello')
  })
  test('no Content-Length: the body runs to the end', () => {
    const m = parseSipMessage(bytes(INVITE.replace('Content-Length: 5\r\n', '') + '!'), { datagram: true })
    assert.equal(m.body.toString(), 'hello!')
  })
  test('Content-Length larger than the bytes fails', () => fails(INVITE.replace('Content-Length: 5', 'Content-Length: 50'), 'SIP_BODY_TRUNCATED'))
  test('missing Via / CSeq always fail; strict also requires To, From, Call-ID, Max-Forwards', () => {
    fails(INVITE.replace(/Via: .*\r\n/, ''), 'SIP_MISSING_VIA')
    fails(INVITE.replace(/CSeq: .*\r\n/, ''), 'SIP_MISSING_CSEQ')
    fails(INVITE.replace(/Call-ID: .*\r\n/, ''), 'SIP_MISSING_CALL_ID', { strict: true })
    fails(INVITE.replace(/Max-Forwards: .*\r\n/, ''), 'SIP_MISSING_MAX_FORWARDS', { strict: true })
    assert.equal(parseSipMessage(bytes(INVITE.replace(/Max-Forwards: .*\r\n/, ''))).kind, 'request')
  })
  test('responses: status bounds and reason', () => {
    const ok = 'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n'
    const m = parseSipMessage(bytes(ok))
    assert.equal(m.kind === 'response' && m.status, 180)
    assert.equal(m.kind === 'response' && m.reason, 'Ringing')
    fails(ok.replace('180', '099'), 'SIP_BAD_STATUS_CODE')
    fails(ok.replace('180', '700'), 'SIP_BAD_STATUS_CODE')
    fails(ok.replace('SIP/2.0 180', 'SIP/3.0 180'), 'SIP_BAD_VERSION')
  })
  test('header lines', () => {
    fails(INVITE.replace('Max-Forwards: 70', 'Max-Forwards 70'), 'SIP_BAD_HEADER_LINE')
    fails(INVITE.replace('Max-Forwards: 70', 'Max Forwards: 70'), 'SIP_BAD_HEADER_LINE')
    fails(' ' + INVITE, 'SIP_BAD_REQUEST_LINE')
    fails(INVITE.slice(0, 100), 'SIP_INCOMPLETE_HEADERS')
    fails('\r\n\r\n', 'SIP_EMPTY_MESSAGE')
  })
  test('folded header values are unfolded', () => {
    const m = parseSipMessage(bytes(INVITE.replace('Contact: <sip:alice@pc33.atlanta.example.com>', 'Contact:\r\n  <sip:alice@pc33.atlanta.example.com>\r\n\t;expires=60')))
    assert.equal(m.headers.get('m'), '<sip:alice@pc33.atlanta.example.com> ;expires=60')
  })
})

describe('codec properties', () => {
  test('parse(serialize(x)) equals x', () => {
    fc.assert(
      fc.property(sipMessageArb, (m) => {
        const again = parseSipMessage(serializeSipMessage(m))
        assert.deepEqual(plain(again), plain(m))
      }),
      { numRuns: 200 },
    )
  })
  test('random bytes and mutated messages only ever raise ParseError', () => {
    const mutated = fc
      .tuple(sipMessageArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat())
      .map(([m, edits, cut]) => {
        const b = Buffer.from(serializeSipMessage(m))
        for (const [at, value] of edits) b[at % b.length] = value
        return b.subarray(0, b.length - (cut % 20))
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated), fc.boolean(), (input, datagram) => {
        try {
          parseSipMessage(input, { datagram })
        } catch (error) {
          if (!(error instanceof ParseError)) throw error
        }
      }),
      { numRuns: 400 },
    )
  })
  test('stream cut at random points through SipStreamFramer parses to the same messages', () => {
    fc.assert(
      fc.property(fc.array(sipMessageArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const stream = Buffer.concat(messages.map(serializeSipMessage))
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
        const framer = new SipStreamFramer()
        const parsed: unknown[] = []
        let last = 0
        for (const p of [...points, stream.length]) {
          for (const frame of framer.push(stream.subarray(last, p))) {
            assert.equal(frame.type, 'message')
            if (frame.type === 'message') parsed.push(plain(parseSipMessage(frame.bytes)))
          }
          last = p
        }
        assert.deepEqual(parsed, messages.map((m) => plain(parseSipMessage(serializeSipMessage(m)))))
        assert.deepEqual(parsed, messages.map(plain))
      }),
      { numRuns: 100 },
    )
  })
})
