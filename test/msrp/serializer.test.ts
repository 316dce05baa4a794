import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { MsrpFrame, MsrpRequest, MsrpResponse } from '../../src/msrp/message.ts'
import { MsrpParser, parseFrame } from '../../src/msrp/parser.ts'
import {
  MsrpSerializeError,
  bodyContainsEndLine,
  generateTransactionId,
  serializeFrame,
  serializeFrameParts,
  transactionIdFor,
} from '../../src/msrp/serializer.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { msrpFrame } from './arbitraries.ts'

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n'

// RFC 4975 §4 and §11 (Examples), RFC 4976 §7.1 (AUTH; the RFC folds long lines only for print),
// RFC 7701 NICKNAME. Each must parse and serialize back to the identical bytes.
const RFC_4975_SECTION_4_SEND = crlf([
  'MSRP a786hjs2 SEND',
  'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp',
  'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp',
  'Message-ID: 87652491',
  'Byte-Range: 1-25/25',
  'Content-Type: text/plain',
  '',
  'Hey Bob, are you there?',
  '-------a786hjs2$',
])
const RFC_4975_SECTION_4_OK = crlf([
  'MSRP a786hjs2 200 OK',
  'To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp',
  'From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp',
  '-------a786hjs2$',
])
const RFC_4975_11_1_SEND = crlf([
  'MSRP d93kswow SEND',
  'To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp',
  'From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'Message-ID: 12339sdqwer',
  'Byte-Range: 1-16/16',
  'Content-Type: text/plain',
  '',
  "Hi, I'm Alice!",
  '-------d93kswow$',
])
const RFC_4975_11_1_OK = crlf([
  'MSRP d93kswow 200 OK',
  'To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp',
  '-------d93kswow$',
])
const RFC_4975_11_4_SYSTEM = crlf([
  'MSRP d93kswow SEND',
  'To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'From-Path: msrp://example.com:7777/iau39soe2843z;tcp',
  'Message-ID: 12339sdqwer',
  'Byte-Range: 1-37/37',
  'Failure-Report: no',
  'Success-Report: no',
  'Content-Type: text/plain',
  '',
  'This conference will end in 5 minutes',
  '-------d93kswow$',
])
const RFC_4975_11_5_SEND = crlf([
  'MSRP d93kswow SEND',
  'To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp',
  'From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'Message-ID: 12339sdqwer',
  'Success-Report: yes',
  'Failure-Report: no',
  'Byte-Range: 1-106/106',
  'Content-Type: text/html',
  '',
  '<html><body>',
  '<p>Here is that important link...',
  '<a href="http://example.com/foo.html">foo</a>',
  '</p>',
  '</body></html>',
  '-------d93kswow$',
])
const RFC_4975_11_5_REPORT = crlf([
  'MSRP dkei38sd REPORT',
  'To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp',
  'Message-ID: 12339sdqwer',
  'Byte-Range: 1-106/106',
  'Status: 000 200 OK',
  '-------dkei38sd$',
])
const RFC_4975_11_3_CHUNK = crlf([
  'MSRP 7443 SEND',
  'To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp',
  'Message-ID: 12339sdqwer',
  'Byte-Range: 1-137/148',
  'Success-Report: yes',
  'Failure-Report: yes',
  'Content-Type: message/cpim',
  '',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>',
  'Content-Type: image/jpeg',
  'Content-ID: <foo@example.com>',
  'Content-Disposition: inline',
  '-------7443+',
])
const RFC_4976_AUTH = crlf([
  'MSRP 49fh AUTH',
  'To-Path: msrps://alice@intra.example.com;tcp',
  'From-Path: msrps://alice.example.com:9892/98cjs;tcp',
  '-------49fh$',
])
const RFC_4976_401 = crlf([
  'MSRP 49fh 401 Unauthorized',
  'To-Path: msrps://alice.example.com:9892/98cjs;tcp',
  'From-Path: msrps://alice@intra.example.com;tcp',
  'WWW-Authenticate: Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"',
  '-------49fh$',
])
const RFC_4976_AUTH_2 = crlf([
  'MSRP 49fi AUTH',
  'To-Path: msrps://alice@intra.example.com;tcp',
  'From-Path: msrps://alice.example.com:9892/98cjs;tcp',
  'Authorization: Digest username="Alice", realm="intra.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"',
  '-------49fi$',
])
const RFC_4976_200 = crlf([
  'MSRP 49fi 200 OK',
  'To-Path: msrps://alice.example.com:9892/98cjs;tcp',
  'From-Path: msrps://alice@intra.example.com;tcp',
  'Use-Path: msrps://relay.example.com:2855/hjdhfsfhlk;tcp',
  'Expires: 900',
  '-------49fi$',
])
const RFC_7701_NICKNAME = crlf([
  'MSRP a786hjs2 NICKNAME',
  'To-Path: msrp://chatroom.example.com:12763/kjhd37s2s20w2a;tcp',
  'From-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp',
  'Use-Nickname: "Alice the great"',
  '-------a786hjs2$',
])
const RFC_7701_425 = crlf([
  'MSRP a786hjs2 425 Nickname usage failed',
  'To-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp',
  'From-Path: msrp://chatroom.example.com:12763/kjhd37s2s20w2a;tcp',
  '-------a786hjs2$',
])

const EXAMPLES: Record<string, string> = {
  RFC_4975_SECTION_4_SEND,
  RFC_4975_SECTION_4_OK,
  RFC_4975_11_1_SEND,
  RFC_4975_11_1_OK,
  RFC_4975_11_3_CHUNK,
  RFC_4975_11_4_SYSTEM,
  RFC_4975_11_5_SEND,
  RFC_4975_11_5_REPORT,
  RFC_4976_AUTH,
  RFC_4976_401,
  RFC_4976_AUTH_2,
  RFC_4976_200,
  RFC_7701_NICKNAME,
  RFC_7701_425,
}

describe('MSRP serializer: RFC examples byte-exact', () => {
  for (const [name, wire] of Object.entries(EXAMPLES)) {
    it(`${name} parses and serializes to the same bytes`, () => {
      const frame = parseFrame(wire)
      assert.equal(serializeFrame(frame).toString('utf8'), wire)
    })
  }

  it('RFC 4975 §4 SEND has the expected fields', () => {
    const f = parseFrame(RFC_4975_SECTION_4_SEND) as MsrpRequest
    assert.equal(f.type, 'request')
    assert.equal(f.method, 'SEND')
    assert.equal(f.transactionId, 'a786hjs2')
    assert.equal(f.headers['Message-ID'], '87652491')
    assert.deepEqual(f.headers['Byte-Range'], { start: 1, end: 25, total: 25 })
    assert.equal(f.headers['Content-Type'], 'text/plain')
    assert.deepEqual(f.headers['To-Path'], [parseMsrpUri('msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp')])
    assert.equal(f.continuation, '$')
    assert.equal(Buffer.from(f.body ?? []).toString(), 'Hey Bob, are you there?')
  })

  it('RFC 4975 §11.3 chunk keeps the + flag and the CPIM body lines', () => {
    const f = parseFrame(RFC_4975_11_3_CHUNK)
    assert.equal(f.continuation, '+')
    assert.deepEqual(f.headers['Byte-Range'], { start: 1, end: 137, total: 148 })
    assert.match(Buffer.from(f.body ?? []).toString(), /^To: Bob <sip:bob@example.com>\r\n.*Content-Disposition: inline$/s)
  })

  it('REPORT Status, AUTH challenge, Use-Path, Expires and NICKNAME are typed', () => {
    assert.deepEqual(parseFrame(RFC_4975_11_5_REPORT).headers.Status, { namespace: 0, code: 200, comment: 'OK' })
    const challenge = parseFrame(RFC_4976_401) as MsrpResponse
    assert.equal(challenge.status, 401)
    assert.equal(challenge.comment, 'Unauthorized')
    assert.match(challenge.headers['WWW-Authenticate'] ?? '', /^Digest realm="intra.example.com"/)
    const ok = parseFrame(RFC_4976_200)
    assert.equal(ok.headers['Use-Path']?.[0]?.sessionId, 'hjdhfsfhlk')
    assert.equal(ok.headers.Expires, 900)
    const nick = parseFrame(RFC_7701_NICKNAME) as MsrpRequest
    assert.equal(nick.method, 'NICKNAME')
    assert.equal(nick.headers['Use-Nickname'], 'Alice the great')
    assert.equal((parseFrame(RFC_7701_425) as MsrpResponse).status, 425)
  })

  it('all examples concatenated and fed a byte at a time give the same frames', () => {
    const all = Buffer.from(Object.values(EXAMPLES).join(''), 'utf8')
    const parser = new MsrpParser()
    const frames: MsrpFrame[] = []
    for (let i = 0; i < all.length; i++) parser.feed(all.subarray(i, i + 1), (f) => frames.push(f))
    assert.deepEqual(frames, Object.values(EXAMPLES).map((w) => parseFrame(w)))
  })
})

describe('MSRP serializer', () => {
  it('writes To-Path and From-Path first, MIME headers and Content-Type last (RFC 4975 §9)', () => {
    const wire = serializeFrame({
      type: 'request',
      method: 'SEND',
      transactionId: 'abcd1234',
      headers: {
        'Content-Type': 'text/plain',
        'Content-Disposition': 'inline',
        'Message-ID': 'm1234',
        'From-Path': [parseMsrpUri('msrp://a:1/x;tcp')],
        'To-Path': [parseMsrpUri('msrp://b:2/y;tcp')],
        'Byte-Range': { start: 1, end: '*', total: '*' },
      },
      extensionHeaders: [{ name: 'Content-Language', value: 'en' }, { name: 'X-Trace', value: 't 1' }],
      body: Buffer.from('hi'),
      continuation: '+',
    }).toString()
    assert.equal(
      wire,
      crlf([
        'MSRP abcd1234 SEND',
        'To-Path: msrp://b:2/y;tcp',
        'From-Path: msrp://a:1/x;tcp',
        'Message-ID: m1234',
        'Byte-Range: 1-*/*',
        'X-Trace: t 1',
        'Content-Disposition: inline',
        'Content-Language: en',
        'Content-Type: text/plain',
        '',
        'hi',
        '-------abcd1234+',
      ]),
    )
  })

  it('round-trips any frame: parse(serialize(x)) deep-equals x (property)', () => {
    fc.assert(
      fc.property(msrpFrame, (frame) => {
        fc.pre(frame.body === undefined || !bodyContainsEndLine(frame.body, frame.transactionId))
        assert.deepStrictEqual(parseFrame(serializeFrame(frame)), frame)
      }),
      { numRuns: 300 },
    )
  })

  it('refuses a body that contains its own end-line (RFC 4975 §7.1.1)', () => {
    const frame = parseFrame(RFC_4975_11_1_SEND) as MsrpRequest
    for (const body of ['x\r\n-------d93kswow$\r\ny', '-------d93kswow+\r\n', 'a\r\n-------d93kswow#']) {
      assert.ok(bodyContainsEndLine(Buffer.from(body), 'd93kswow'), body)
      assert.throws(() => serializeFrame({ ...frame, body: Buffer.from(body) }), MsrpSerializeError)
    }
    for (const body of ['x-------d93kswow$\r\n', '\r\n-------d93kswow$x', '\r\n-------d93kswowX\r\n', '\r\n-------d93kswow$\r', '\r\n-------d93ksw']) {
      assert.ok(!bodyContainsEndLine(Buffer.from(body), 'd93kswow'), JSON.stringify(body))
      const wire = serializeFrame({ ...frame, body: Buffer.from(body) })
      assert.equal(Buffer.from(parseFrame(wire).body ?? []).toString(), body)
    }
  })

  it('rejects frames without a wire form', () => {
    const frame = parseFrame(RFC_4975_11_1_SEND) as MsrpRequest
    const bad: MsrpFrame[] = [
      { ...frame, transactionId: 'x' },
      { ...frame, method: 'send' },
      { ...frame, headers: { ...frame.headers, 'Content-Type': 'text/plain\r\nX: y' } },
      { ...frame, headers: { ...frame.headers, 'To-Path': [] } },
      { ...frame, extensionHeaders: [{ name: 'Message-ID', value: 'abcd' }] },
      { ...frame, extensionHeaders: [{ name: 'Bad Name', value: 'v' }] },
      { ...(parseFrame(RFC_4975_11_1_OK) as MsrpResponse), status: 42 },
    ]
    for (const f of bad) assert.throws(() => serializeFrame(f), MsrpSerializeError)
  })

  it('returns head, body and tail separately so large bodies are not copied', () => {
    const body = Buffer.alloc(100_000, 7)
    const parts = serializeFrameParts({ ...(parseFrame(RFC_4975_11_1_SEND) as MsrpRequest), body })
    assert.equal(parts.length, 3)
    assert.equal(parts[1], body)
  })

  it('generates random alphanumeric transaction ids and avoids ones whose end-line is in the body', () => {
    const ids = new Set(Array.from({ length: 500 }, () => generateTransactionId()))
    assert.equal(ids.size, 500)
    for (const id of ids) assert.match(id, /^[A-Za-z0-9]{12}$/)
    const body = Buffer.from('payload')
    assert.ok(!bodyContainsEndLine(body, transactionIdFor(body)))
  })
})
