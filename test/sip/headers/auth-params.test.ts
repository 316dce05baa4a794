import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseAuthValue, parseAuthValues, serializeAuthValue } from '../../../src/sip/headers/auth-params.ts'

test('Digest challenge with quoted and token values', () => {
  const c = parseAuthValue('Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5', 'WWW-Authenticate')
  assert.equal(c.scheme, 'Digest')
  assert.equal(c.params.get('realm'), 'atlanta.com')
  assert.equal(c.params.get('qop'), 'auth,auth-int')
  assert.equal(c.params.get('opaque'), '')
  assert.equal(c.params.get('algorithm'), 'MD5')
})
test('several challenges in one value', () => {
  const list = parseAuthValues('Digest realm="a", nonce="1", Digest realm="b", nonce="2", algorithm=SHA-256')
  assert.deepEqual(list.map((c) => c.params.get('realm')), ['a', 'b'])
  assert.equal(list[1]!.params.get('algorithm'), 'SHA-256')
})
test('credentials round trip with RFC quoting rules', () => {
  const creds = { scheme: 'Digest', params: new Map([['username', 'bob'], ['realm', 'biloxi.com'], ['qop', 'auth'], ['nc', '00000001'], ['response', 'abc']]) }
  const text = serializeAuthValue(creds)
  assert.equal(text, 'Digest username="bob", realm="biloxi.com", qop=auth, nc=00000001, response="abc"')
  assert.deepEqual(parseAuthValue(text), creds)
})
test('bad values name the header', () => {
  assert.throws(() => parseAuthValue('Digest realm="x', 'Proxy-Authenticate'), { code: 'SIP_BAD_PROXY_AUTHENTICATE' })
  assert.throws(() => parseAuthValue('Digest realm', 'Authorization'), { code: 'SIP_BAD_AUTHORIZATION' })
})
