import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import { type SipUri, addressOfRecordKey, parseSipUri, parseUri, sameAddressOfRecord, serializeUri, sipUri, uriEquals, hostForSocket } from '../../src/sip/uri.ts'

describe('SIP URI parsing', () => {
  test('parses every component', () => {
    const u = parseSipUri('sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent')
    assert.equal(u.scheme, 'sips')
    assert.equal(u.user, 'alice')
    assert.equal(u.password, 'secret')
    assert.equal(u.host, '[2001:db8::1]')
    assert.equal(hostForSocket(u.host), '2001:db8::1')
    assert.equal(u.port, 5061)
    assert.deepEqual([...u.params], [['transport', 'tcp'], ['lr', null], ['maddr', '239.255.255.1']])
    assert.deepEqual(u.headers, [['subject', 'project x'], ['priority', 'urgent']])
  })
  test('host-only URI, IPv4 and upper-case scheme', () => {
    assert.deepEqual(parseSipUri('SIP:192.0.2.1:5060'), { kind: 'sip', scheme: 'sip', host: '192.0.2.1', port: 5060, params: new Map(), headers: [] })
  })
  test('tel URI', () => {
    const u = parseUri('tel:+1-201-555-0123;ext=1234')
    assert.equal(u.kind, 'tel')
    assert.ok(uriEquals(u, parseUri('tel:+12015550123;EXT=1234')))
    assert.equal(serializeUri(u), 'tel:+1-201-555-0123;ext=1234')
  })
  test('unknown schemes are carried opaque', () => {
    assert.deepEqual(parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), { kind: 'absolute', scheme: 'urn', rest: 'uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6' })
  })
  for (const bad of ['sip:', 'sip:user@', 'sip:host:99999', 'sip:a b@host', '<sip:x>', 'nocolon', 'sip:[::1', 'sip:host;=x', 'sip:host?noequals', 'sip:h%zz@host', 'http:a b']) {
    test(`rejects ${JSON.stringify(bad)} with ParseError`, () => {
      assert.throws(() => parseUri(bad), (e: unknown) => e instanceof ParseError && e.code === 'SIP_BAD_URI')
    })
  }
  test('parseSipUri refuses other schemes; codes are configurable', () => {
    assert.throws(() => parseSipUri('tel:+123', { code: 'SIP_BAD_TO' }), { code: 'SIP_BAD_TO' })
  })
})

describe('SIP URI serialization', () => {
  test('escapes what the grammar does not allow', () => {
    const u = sipUri({ user: 'I have spaces@', host: 'example.net', params: { name: 'value%41' } })
    assert.equal(serializeUri(u), 'sip:I%20have%20spaces%40@example.net;name=value%2541')
    assert.deepEqual(parseSipUri(serializeUri(u)), u)
  })
  test('round-trips generated URIs', () => {
    const token = fc.stringMatching(/^[a-z0-9][a-z0-9\-]{0,8}$/)
    const text = fc.string({ unit: 'grapheme', maxLength: 12 })
    fc.assert(
      fc.property(
        fc.record({
          scheme: fc.constantFrom<'sip' | 'sips'>('sip', 'sips'),
          user: fc.option(text.filter((s) => s.length > 0), { nil: undefined }),
          host: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,6}(\.[a-z]{2,4}){0,2}$/), fc.ipV4(), fc.ipV6().map((a) => `[${a}]`)),
          port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
          params: fc.dictionary(token, fc.option(text.filter((s) => s.length > 0), { nil: null }), { maxKeys: 3 }),
        }),
        (parts) => {
          const u = sipUri(parts)
          const again = parseSipUri(serializeUri(u))
          assert.deepEqual(again, u)
          assert.ok(uriEquals(again, u))
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('URI comparison (RFC 3261 §19.1.4 examples)', () => {
  const equal = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
  ]
  const different = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
  ]
  for (const [a, b] of equal) test(`${a} = ${b}`, () => assert.ok(uriEquals(parseUri(a!), parseUri(b!))))
  for (const [a, b] of different) test(`${a} ≠ ${b}`, () => assert.ok(!uriEquals(parseUri(a!), parseUri(b!))))
  test('a URI equals itself after a round trip', () => {
    const u = parseUri('sip:user;par=u%40example.net@example.com') as SipUri
    assert.equal(u.user, 'user;par=u@example.net')
    assert.ok(uriEquals(u, parseUri(serializeUri(u))))
  })
})

describe('addressOfRecordKey / sameAddressOfRecord (RFC 3261 §10.3, §19.1.4)', () => {
  test('keeps scheme, user, host and port; drops parameters, headers and password', () => {
    const key = (text: string): string | undefined => { const r = addressOfRecordKey(text); return r.ok ? r.key : undefined }
    assert.equal(key('<SIP:alice@Example.TEST:5060;transport=tcp?subject=x>'), 'sip:alice@example.test:5060')
    assert.equal(key('sip:%61lice:pw@example.test'), 'sip:alice@example.test')
    assert.equal(key('sips:alice@example.test'), 'sips:alice@example.test')
    assert.equal(key('tel:+1-201-555-0123;phone-context=x'), 'tel:+12015550123')
    assert.equal(key('im:bob@Example.TEST'), 'im:bob@example.test')
  })

  test('escapes a user part that hides an @, ? or : so it never reads as another identity', () => {
    const r = addressOfRecordKey('<sip:mod%40example.test%3F@evil.test>')
    assert.ok(r.ok)
    assert.equal(r.key, 'sip:mod%40example.test%3F@evil.test')
    assert.ok(r.uri.kind === 'sip' && r.uri.host === 'evil.test' && r.uri.user === 'mod@example.test?')
    assert.ok(!sameAddressOfRecord('sip:mod%40example.test%3F@evil.test', 'sip:mod@example.test'))
    assert.ok(!sameAddressOfRecord('sip:mod%3Aevil@example.test', 'sip:mod@example.test'))
    assert.ok(sameAddressOfRecord('sip:mod%40example.test%3F@evil.test', 'sip:mod%40example.test?@EVIL.test'))
  })

  test('refuses what does not parse, with a typed error, and never matches it', () => {
    for (const bad of ['sip:mod@example.test@evil.test', 'sip:', 'nonsense', 'sip:mod@exa mple.test', '']) {
      const r = addressOfRecordKey(bad)
      assert.ok(!r.ok, bad)
      assert.equal(r.error.code, 'SIP_BAD_IDENTITY')
      assert.ok(!sameAddressOfRecord(bad, bad))
    }
  })

  test('compares user parts case-sensitively and hosts case-insensitively', () => {
    assert.ok(sameAddressOfRecord('sip:alice@EXAMPLE.test', '<sip:alice@example.test;gr>'))
    assert.ok(!sameAddressOfRecord('sip:Alice@example.test', 'sip:alice@example.test'))
    assert.ok(!sameAddressOfRecord('sip:alice@example.test', 'sip:alice@example.test:5070'))
    assert.ok(!sameAddressOfRecord('sip:alice@example.test', 'sips:alice@example.test'))
  })
})
