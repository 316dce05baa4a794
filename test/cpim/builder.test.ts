import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { buildCpim, parseCpim, cpimText, IMDN_NAMESPACE, CPIM_CORE_NAMESPACE } from '../../src/cpim/index.ts'
import type { CpimMessageInit, CpimExtensionHeader } from '../../src/cpim/index.ts'
import { MsrpBotError, ParseError } from '../../src/errors.ts'

test('builds the RFC 5438 shape: NS declared before the imdn headers', () => {
  const wire = buildCpim({
    from: { displayName: 'Alice', uri: 'im:alice@example.com' },
    to: [{ displayName: 'Bob', uri: 'im:bob@example.com' }],
    dateTime: new Date('2006-04-04T17:16:49Z'),
    headers: [
      { namespace: IMDN_NAMESPACE, name: 'Message-ID', value: '34jk324j' },
      { namespace: IMDN_NAMESPACE, name: 'Disposition-Notification', value: 'positive-delivery, display' },
    ],
    contentType: 'text/plain',
    body: 'Hello World',
  }).toString('utf8')
  assert.equal(wire, [
    'From: Alice <im:alice@example.com>',
    'To: Bob <im:bob@example.com>',
    'DateTime: 2006-04-04T17:16:49.000Z',
    'NS: imdn <urn:ietf:params:imdn>',
    'imdn.Message-ID: 34jk324j',
    'imdn.Disposition-Notification: positive-delivery, display',
    '',
    'Content-Type: text/plain',
    '',
    'Hello World',
  ].join('\r\n'))
})

test('display names are quoted only when needed; values are escaped', () => {
  const wire = buildCpim({
    from: { displayName: 'Carol "C" <x>', uri: 'sip:carol@example.com' },
    to: [{ displayName: 'Plain Name', uri: 'sip:p@example.com' }],
    subject: [{ value: 'two\r\nlines', lang: 'en' }],
    body: '',
  }).toString('utf8')
  assert.match(wire, /^From: "Carol \\"C\\" <x>" <sip:carol@example\.com>\r\n/)
  assert.match(wire, /\r\nTo: Plain Name <sip:p@example\.com>\r\n/)
  assert.match(wire, /\r\nSubject:;lang=en two\\r\\nlines\r\n/)
  const m = parseCpim(wire)
  assert.equal(m.from.displayName, 'Carol "C" <x>')
  assert.deepEqual(m.subject, [{ value: 'two\r\nlines', lang: 'en' }])
})

test('prefixes are invented for undeclared namespaces and declared ones are reused', () => {
  const m = parseCpim(buildCpim({
    from: { uri: 'sip:a@x' },
    namespaces: { my: 'urn:example:my' },
    headers: [
      { namespace: 'urn:example:my', name: 'A', value: '1' },
      { namespace: 'urn:example:other', name: 'B', value: '2', params: { q: 'has space' } },
      { namespace: CPIM_CORE_NAMESPACE, name: 'X-Plain', value: '3' },
    ],
    require: ['my.A'],
    body: 'x',
  }))
  assert.deepEqual(m.namespaces, { my: 'urn:example:my', ns1: 'urn:example:other' })
  assert.deepEqual(m.require, ['my.A'])
  assert.deepEqual(m.headers, [
    { namespace: 'urn:example:my', name: 'A', value: '1' },
    { namespace: 'urn:example:other', name: 'B', value: '2', params: { q: 'has space' } },
    { namespace: CPIM_CORE_NAMESPACE, name: 'X-Plain', value: '3' },
  ])
})

test('unwritable fields are rejected with MsrpBotError, not silently mangled', () => {
  const bad = (init: CpimMessageInit): void => {
    assert.throws(() => buildCpim(init), (e: unknown) => e instanceof MsrpBotError && e.code === 'CPIM_INVALID_MESSAGE')
  }
  bad({ from: { uri: 'no-scheme' }, body: '' })
  bad({ from: { uri: 'sip:a@x' }, headers: [{ namespace: CPIM_CORE_NAMESPACE, name: 'Bad Name', value: '' }], body: '' })
  bad({ from: { uri: 'sip:a@x' }, contentHeaders: [{ name: 'X', value: 'a\r\nb' }], body: '' })
  bad({ from: { uri: 'sip:a@x' }, dateTime: new Date(NaN), body: '' })
})

// ---- property tests -------------------------------------------------------------------------

const nameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/)
const uriArb = fc.tuple(fc.constantFrom('sip', 'im', 'sips'), fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.stringMatching(/^[a-z]{1,8}\.test$/))
  .map(([s, u, h]) => `${s}:${u}@${h}`)
const addrArb = fc.record({ displayName: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), uri: uriArb })
  .map((a) => (a.displayName === undefined ? { uri: a.uri } : a))
const reserved = new Set(['From', 'To', 'cc', 'DateTime', 'Subject', 'NS', 'Require'])
const extArb: fc.Arbitrary<CpimExtensionHeader> = fc.record({
  namespace: fc.constantFrom(IMDN_NAMESPACE, 'urn:example:a', CPIM_CORE_NAMESPACE),
  name: nameArb.filter((n) => !reserved.has(n)),
  value: fc.string({ maxLength: 30 }),
})

test('property: parse(build(x)) round-trips', () => {
  fc.assert(fc.property(
    addrArb, fc.array(addrArb, { maxLength: 3 }), fc.array(addrArb, { maxLength: 2 }),
    fc.option(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), { nil: undefined }),
    fc.array(fc.record({ value: fc.string({ maxLength: 20 }), lang: fc.constantFrom('en', 'fr', 'de-CH') }), { maxLength: 2 }),
    fc.array(extArb, { maxLength: 4 }),
    fc.uint8Array({ maxLength: 64 }),
    (from, to, cc, dateTime, subject, headers, body) => {
      const init: CpimMessageInit = { from, to, cc, subject, headers, contentType: 'application/octet-stream', body }
      if (dateTime) init.dateTime = dateTime
      const m = parseCpim(buildCpim(init))
      assert.deepEqual(m.from, { ...from })
      assert.deepEqual(m.to, to.map((a) => ({ ...a })))
      assert.deepEqual(m.cc, cc.map((a) => ({ ...a })))
      assert.equal(m.dateTime?.getTime(), dateTime?.getTime())
      assert.deepEqual(m.subject, subject.map((s) => ({ ...s })))
      assert.deepEqual(m.headers, headers.map((h) => ({ ...h })))
      assert.equal(m.contentType, 'application/octet-stream')
      assert.deepEqual(Uint8Array.from(m.body), body)
    },
  ), { numRuns: 200 })
})

test('property: text bodies survive as text', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (text) => {
    assert.equal(cpimText(parseCpim(buildCpim({ from: { uri: 'sip:a@x' }, contentType: 'text/plain', body: text }))), text)
  }), { numRuns: 100 })
})

test('property: garbage never throws anything but ParseError', () => {
  const noise = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.array(fc.constantFrom('From: ', '<sip:a@x>', '\r\n', '\n', ':', ';lang=', '"', '\\', 'NS: ', 'p.', 'x', ' ', '<', '>', 'DateTime: ', 'imdn.'), { maxLength: 40 })
      .map((parts) => Buffer.from(parts.join(''))),
  )
  fc.assert(fc.property(noise, (bytes) => {
    try {
      parseCpim(bytes)
    } catch (err) {
      if (!(err instanceof ParseError)) throw err
    }
  }), { numRuns: 300 })
})
