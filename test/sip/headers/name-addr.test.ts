import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseNameAddr, parseNameAddrList, serializeNameAddr, tagOf, requireNameAddrHeader } from '../../../src/sip/headers/name-addr.ts'
import { SipHeaders } from '../../../src/sip/header-list.ts'
import { parseUri } from '../../../src/sip/uri.ts'

test('quoted display name with escapes, URI and tag', () => {
  const v = parseNameAddr('"Bob \\"B\\" Smith" <sip:bob@biloxi.com;transport=tcp>;tag=a6c85cf', 'From')
  assert.equal(v.displayName, 'Bob "B" Smith')
  assert.equal(v.uri.kind === 'sip' && v.uri.params.get('transport'), 'tcp')
  assert.equal(tagOf(v), 'a6c85cf')
})
test('token display names and bare addr-spec', () => {
  assert.equal(parseNameAddr('Bob  Smith <sip:bob@b.example>').displayName, 'Bob Smith')
  const bare = parseNameAddr('sip:bob@b.example;tag=1')
  assert.equal(bare.displayName, undefined)
  assert.equal(tagOf(bare), '1')
})
test('serialize always brackets and quotes; re-parse is equal', () => {
  const v = parseNameAddr('Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl;x="y z"')
  const text = serializeNameAddr(v)
  assert.equal(text, '"Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl;x="y z"')
  assert.deepEqual(parseNameAddr(text), v)
  assert.equal(serializeNameAddr({ uri: parseUri('sip:a@b'), params: new Map([['tag', 'x y']]) }), '<sip:a@b>;tag="x y"')
})
test('lists split on commas outside quotes and brackets', () => {
  const list = parseNameAddrList('<sip:p1.example.com;lr>, "a,b" <sip:p2.example.com;lr>', 'Record-Route')
  assert.equal(list.length, 2)
  assert.equal(list[1]!.displayName, 'a,b')
})
for (const bad of ['"unterminated <sip:a@b>', '< sip:a@b>', 'sip:a@b?x=y', 'Bell, Alexander <sip:a@b>', '<sip:a@b', '<>', 'name', '<sip:a@b> junk']) {
  test(`rejects ${JSON.stringify(bad)} naming the header`, () => assert.throws(() => parseNameAddr(bad, 'Refer-To'), { code: 'SIP_BAD_REFER_TO' }))
}
test('requireNameAddrHeader names the missing header', () => {
  assert.throws(() => requireNameAddrHeader(new SipHeaders(), 'From'), { code: 'SIP_MISSING_FROM' })
})
