import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sameUri, uriKey } from '../../src/mixer/index.ts'

test('uriKey keeps scheme, user, host, port; drops display name, params and headers', () => {
  assert.equal(uriKey('"Alice" <SIP:alice@Example.TEST:5060;transport=tcp?subject=x>'), 'sip:alice@example.test:5060')
  assert.equal(uriKey('im:bob@example.test'), 'im:bob@example.test')
  assert.equal(uriKey('sip:example.test;lr'), 'sip:example.test')
  assert.equal(uriKey('sip:%61lice@example.test'), 'sip:alice@example.test')
  assert.equal(uriKey('nonsense'), undefined)
  assert.equal(uriKey('sip:'), undefined)
})

test('sameUri: user part is case-sensitive, host is not, ports matter', () => {
  assert.ok(sameUri('sip:alice@example.test', '<sip:alice@EXAMPLE.test;gr>'))
  assert.ok(!sameUri('sip:Alice@example.test', 'sip:alice@example.test'))
  assert.ok(!sameUri('sip:alice@example.test', 'sip:alice@example.test:5070'))
  assert.ok(!sameUri('sip:alice@example.test', 'sips:alice@example.test'))
  assert.ok(!sameUri('junk', 'junk'))
})

test('uriKey never reads an escaped @ or ? in a user part as the end of it (issue 16 item 1)', () => {
  assert.equal(uriKey('<sip:mod%40example.test%3F@evil.test>'), 'sip:mod%40example.test%3F@evil.test')
  assert.ok(!sameUri('<sip:mod%40example.test%3F@evil.test>', 'sip:mod@example.test'))
  assert.ok(!sameUri('"x<sip:mod@example.test>" <sip:guest@evil.test>', 'sip:mod@example.test'), 'a < inside a quoted display name is not the address')
  assert.equal(uriKey('sip:mod@example.test@evil.test'), undefined)
})
