import { test } from 'node:test'
import assert from 'node:assert/strict'
import { identityKey, identityKeyOrText, sameIdentity } from '../../src/rooms/identity.ts'
import { parseUri } from '../../src/sip/uri.ts'

test('identityKey keeps scheme, user, host, port; drops display name, params and headers', () => {
  assert.equal(identityKey('"Alice" <SIP:alice@Example.TEST:5060;transport=tcp?subject=x>'), 'sip:alice@example.test:5060')
  assert.equal(identityKey('im:bob@example.test'), 'im:bob@example.test')
  assert.equal(identityKey('sip:example.test;lr'), 'sip:example.test')
  assert.equal(identityKey('sip:%61lice@example.test'), 'sip:alice@example.test')
  assert.equal(identityKey('nonsense'), undefined)
  assert.equal(identityKey('sip:'), undefined)
})

test('sameIdentity: user part is case-sensitive, host is not, ports matter', () => {
  assert.ok(sameIdentity('sip:alice@example.test', '<sip:alice@EXAMPLE.test;gr>'))
  assert.ok(!sameIdentity('sip:Alice@example.test', 'sip:alice@example.test'))
  assert.ok(!sameIdentity('sip:alice@example.test', 'sip:alice@example.test:5070'))
  assert.ok(!sameIdentity('sip:alice@example.test', 'sips:alice@example.test'))
  assert.ok(!sameIdentity('junk', 'junk'))
})

test('identityKey never reads an escaped @ or ? in a user part as the end of it (issue 16 item 1)', () => {
  assert.equal(identityKey('<sip:mod%40example.test%3F@evil.test>'), 'sip:mod%40example.test%3F@evil.test')
  assert.ok(!sameIdentity('<sip:mod%40example.test%3F@evil.test>', 'sip:mod@example.test'))
  assert.ok(!sameIdentity('"x<sip:mod@example.test>" <sip:guest@evil.test>', 'sip:mod@example.test'), 'a < inside a quoted display name is not the address')
  assert.equal(identityKey('sip:mod@example.test@evil.test'), undefined)
})

test('identityKey: one key for client and server; a parsed URI always has one', () => {
  assert.equal(identityKey(parseUri('sip:Bob@Example.TEST;gr=x')), 'sip:Bob@example.test')
  assert.equal(identityKey('"Bob" <sips:Bob@example.test>'), 'sips:Bob@example.test', 'sip: and sips: stay distinct (RFC 3261 §19.1.4)')
  assert.equal(identityKeyOrText('  not a uri '), 'not a uri')
  assert.ok(!sameIdentity('not a uri', 'not a uri'))
})
