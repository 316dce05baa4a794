import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCpim, cpimText, getCpimHeader, buildCpim, IMDN_NAMESPACE, CPIM_CORE_NAMESPACE } from '../../src/cpim/index.ts'
import { ParseError } from '../../src/errors.ts'

const crlf = (lines: string[]): string => lines.join('\r\n')

function assertCpimError(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`)
    assert.equal(err.protocol, 'cpim')
    assert.equal(err.code, code)
    return true
  })
}

// RFC 3862 / §5 example (message/cpim body only; the outer Content-Type belongs to the transport).
const RFC3862_EXAMPLE = crlf([
  'From: MR SANDERS <im:piglet@100akerwood.com>',
  'To: Depressed Donkey <im:eeyore@100akerwood.com>',
  'DateTime: 2000-12-13T13:40:00-08:00',
  'Subject: the weather will be fine today',
  "Subject:;lang=fr beau temps prevu pour aujourd'hui",
  'NS: MyFeatures <mid:MessageFeatures@id.foo.com>',
  'Require: MyFeatures.VitalMessageOption',
  'MyFeatures.VitalMessageOption: Confirmation-requested',
  'MyFeatures.WackyMessageOption: Use-silly-font',
  '',
  'Content-type: text/xml; charset=utf-8',
  'Content-ID: <1234567890@foo.com>',
  '',
  '<body>',
  'Here is the text of my message.',
  '</body>',
])

test('RFC 3862 example: core headers, subjects with lang, NS, Require, extension headers', () => {
  const m = parseCpim(RFC3862_EXAMPLE)
  assert.deepEqual(m.from, { displayName: 'MR SANDERS', uri: 'im:piglet@100akerwood.com' })
  assert.deepEqual(m.to, [{ displayName: 'Depressed Donkey', uri: 'im:eeyore@100akerwood.com' }])
  assert.equal(m.dateTimeText, '2000-12-13T13:40:00-08:00')
  assert.equal(m.dateTime?.toISOString(), '2000-12-13T21:40:00.000Z')
  assert.deepEqual(m.subject, [
    { value: 'the weather will be fine today' },
    { value: "beau temps prevu pour aujourd'hui", lang: 'fr' },
  ])
  assert.deepEqual(m.namespaces, { MyFeatures: 'mid:MessageFeatures@id.foo.com' })
  assert.deepEqual(m.require, ['MyFeatures.VitalMessageOption'])
  assert.equal(getCpimHeader(m, 'mid:MessageFeatures@id.foo.com', 'VitalMessageOption'), 'Confirmation-requested')
  assert.equal(getCpimHeader(m, 'mid:MessageFeatures@id.foo.com', 'WackyMessageOption'), 'Use-silly-font')
  assert.equal(m.contentType, 'text/xml; charset=utf-8')
  assert.deepEqual(m.contentHeaders[1], { name: 'Content-ID', value: '<1234567890@foo.com>' })
  assert.equal(cpimText(m), '<body>\r\nHere is the text of my message.\r\n</body>')
})

// RFC 5438-style IMDN request.
const RFC5438_EXAMPLE = crlf([
  'From: Alice <im:alice@example.com>',
  'To: Bob <im:bob@example.com>',
  'NS: imdn <urn:ietf:params:imdn>',
  'imdn.Message-ID: 34jk324j',
  'DateTime: 2006-04-04T12:16:49-05:00',
  'imdn.Disposition-Notification: positive-delivery, display',
  '',
  'Content-type: text/plain',
  'Content-length: 12',
  '',
  'Hello World',
])

test('RFC 5438 IMDN request: namespaced Message-ID and Disposition-Notification', () => {
  const m = parseCpim(RFC5438_EXAMPLE)
  assert.equal(getCpimHeader(m, IMDN_NAMESPACE, 'Message-ID'), '34jk324j')
  assert.equal(getCpimHeader(m, IMDN_NAMESPACE, 'Disposition-Notification'), 'positive-delivery, display')
  assert.equal(cpimText(m), 'Hello World')
  assert.equal(m.contentType, 'text/plain')
})

test('RFC 5438 IMDN delivery notification with XML body', () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>34jk324j</message-id></imdn>'
  const m = parseCpim(crlf([
    'From: Bob <im:bob@example.com>',
    'To: Alice <im:alice@example.com>',
    'NS: imdn <urn:ietf:params:imdn>',
    'imdn.Message-ID: dfaa3b4a',
    'DateTime: 2006-04-04T12:16:49-05:00',
    '',
    'Content-type: message/imdn+xml',
    'Content-Disposition: notification',
    `Content-length: ${Buffer.byteLength(xml)}`,
    '',
    xml,
  ]))
  assert.equal(m.contentType, 'message/imdn+xml')
  assert.equal(cpimText(m), xml)
})

test('RFC 7701 private message in a chat room: From and To both present', () => {
  const m = parseCpim(crlf([
    'From: <sip:alice@example.com>',
    'To: <sip:bob@example.com>',
    'DateTime: 2009-03-02T15:02:31-03:00',
    '',
    'Content-type: text/plain',
    '',
    'Hello Bob',
  ]))
  assert.deepEqual(m.from, { uri: 'sip:alice@example.com' })
  assert.deepEqual(m.to, [{ uri: 'sip:bob@example.com' }])
  assert.equal(cpimText(m), 'Hello Bob')
})

test('multiple To and cc, quoted display names with escapes', () => {
  const m = parseCpim(crlf([
    'From: "Alice \\"the boss\\" Smith" <sip:alice@example.com>',
    'To: Bob <sip:bob@example.com>',
    'To: "Carol, Jr." <sip:carol@example.com>',
    'cc: <sip:dave@example.com>',
    '',
    '',
    '',
  ]))
  assert.equal(m.from.displayName, 'Alice "the boss" Smith')
  assert.equal(m.to.length, 2)
  assert.equal(m.to[1]?.displayName, 'Carol, Jr.')
  assert.deepEqual(m.cc, [{ uri: 'sip:dave@example.com' }])
  assert.equal(m.body.length, 0)
  assert.deepEqual(m.contentHeaders, [])
})

test('header names are case-sensitive (RFC 3862): "from" is not From', () => {
  const m = parseCpim('From: <sip:a@x>\r\nfrom: <sip:b@x>\r\n\r\nContent-Type: text/plain\r\n\r\nhi')
  assert.equal(m.from.uri, 'sip:a@x')
  assert.deepEqual(m.headers, [{ namespace: CPIM_CORE_NAMESPACE, name: 'from', value: '<sip:b@x>' }])
})

test('value escapes are decoded (RFC 3862)', () => {
  const m = parseCpim('From: <sip:a@x>\r\nSubject: line1\\r\\nline2 \\"q\\" back\\\\slash \\u00e9\r\n\r\n\r\n')
  assert.equal(m.subject[0]?.value, 'line1\r\nline2 "q" back\\slash é')
})

test('body is binary-safe, including CRLFCRLF and invalid UTF-8', () => {
  const body = Uint8Array.from([0, 255, 13, 10, 13, 10, 1, 2, 0xc3])
  const wire = buildCpim({ from: { uri: 'sip:a@x' }, contentType: 'application/octet-stream', body })
  const m = parseCpim(wire)
  assert.deepEqual(Uint8Array.from(m.body), body)
})

test('LF-only line endings are tolerated', () => {
  const m = parseCpim('From: <sip:a@x>\nTo: <sip:b@x>\n\nContent-Type: text/plain\n\nhi\n')
  assert.equal(m.to[0]?.uri, 'sip:b@x')
  assert.equal(cpimText(m), 'hi\n')
})

test('folded MIME header lines are unfolded', () => {
  const m = parseCpim('From: <sip:a@x>\r\n\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\nx')
  assert.equal(m.contentType, 'text/plain; charset=utf-8')
})

test('malformed input → typed ParseError codes', () => {
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nContent-Type: text/plain'), 'CPIM_MISSING_BLANK_LINE')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\n\r\nContent-Type: text/plain\r\nhi'), 'CPIM_MISSING_BLANK_LINE')
  assertCpimError(() => parseCpim('To: <sip:a@x>\r\n\r\n\r\n'), 'CPIM_MISSING_FROM')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nFrom: <sip:b@x>\r\n\r\n\r\n'), 'CPIM_DUPLICATE_FROM')
  assertCpimError(() => parseCpim('From: sip:a@x\r\n\r\n\r\n'), 'CPIM_BAD_ADDRESS')
  assertCpimError(() => parseCpim('From: <not a uri>\r\n\r\n\r\n'), 'CPIM_BAD_ADDRESS')
  assertCpimError(() => parseCpim('From: "unterminated <sip:a@x>\r\n\r\n\r\n'), 'CPIM_BAD_ADDRESS')
  assertCpimError(() => parseCpim('From: Bad,Name <sip:a@x>\r\n\r\n\r\n'), 'CPIM_BAD_ADDRESS')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nno colon here\r\n\r\n\r\n'), 'CPIM_BAD_HEADER')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nBad Name: v\r\n\r\n\r\n'), 'CPIM_BAD_HEADER')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nimdn.Message-ID: 1\r\n\r\n\r\n'), 'CPIM_UNDECLARED_PREFIX')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nNS: imdn urn:ietf:params:imdn\r\n\r\n\r\n'), 'CPIM_BAD_NS')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\nDateTime: yesterday\r\n\r\n\r\n'), 'CPIM_BAD_DATETIME')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\n\r\nnot a header\r\n\r\n'), 'CPIM_BAD_CONTENT_HEADER')
  assertCpimError(() => parseCpim(Uint8Array.from([0x46, 0x72, 0xff, 0x3a, 0x20, 13, 10, 13, 10, 13, 10])), 'CPIM_BAD_ENCODING')
})

test('header section size is bounded', () => {
  const big = 'From: <sip:a@x>\r\nSubject: ' + 'x'.repeat(2000) + '\r\n\r\n\r\n'
  assertCpimError(() => parseCpim(big, { maxHeaderBytes: 1000 }), 'CPIM_HEADERS_TOO_LARGE')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\n' + 'Subject: y\r\n'.repeat(200), { maxHeaderBytes: 1000 }), 'CPIM_HEADERS_TOO_LARGE')
  assertCpimError(() => parseCpim('From: <sip:a@x>\r\n\r\n\r\n' + 'z'.repeat(50), { maxBodyBytes: 10 }), 'CPIM_BODY_TOO_LARGE')
})

test('MIME header section is bounded too', () => {
  const wire = 'From: <sip:a@x>\r\n\r\nContent-Type: text/plain\r\n' + 'X-Pad: y\r\n'.repeat(200)
  assertCpimError(() => parseCpim(wire, { maxHeaderBytes: 1000 }), 'CPIM_HEADERS_TOO_LARGE')
})

test('NS prefixes can be redeclared and may point at the core namespace (RFC 3862)', () => {
  const m = parseCpim(crlf([
    'From: <sip:a@x>',
    'NS: p <urn:example:one>',
    'p.A: 1',
    'NS: p <urn:example:two>',
    'p.A: 2',
    'NS: core <urn:ietf:params:cpim-headers:>',
    'core.To: <sip:b@x>',
    '',
    '',
    '',
  ]))
  assert.equal(getCpimHeader(m, 'urn:example:one', 'A'), '1')
  assert.equal(getCpimHeader(m, 'urn:example:two', 'A'), '2')
  assert.deepEqual(m.to, [{ uri: 'sip:b@x' }])
  assert.deepEqual(m.namespaces, { p: 'urn:example:two', core: CPIM_CORE_NAMESPACE })
})

test('a default-namespace NS re-homes later unprefixed headers', () => {
  const m = parseCpim('From: <sip:a@x>\r\nNS: <urn:example:dflt>\r\nTo: <sip:b@x>\r\n\r\n\r\n')
  assert.deepEqual(m.to, [])
  assert.deepEqual(m.headers, [{ namespace: 'urn:example:dflt', name: 'To', value: '<sip:b@x>' }])
})
