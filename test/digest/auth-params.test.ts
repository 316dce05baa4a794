import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import { formatAuthHeader, parseAuthHeader } from '../../src/digest/index.ts'

test('auth-params: quoted strings with escapes, tokens, any-case names, LWS', () => {
  const [c] = parseAuthHeader('Digest  REALM = "a \\"quoted\\" realm\\\\" ,nonce="n,1",\r\n Algorithm=SHA-256 , qop="auth,auth-int", stale=TRUE')
  assert.equal(c!.scheme, 'Digest')
  assert.equal(c!.params.get('realm'), 'a "quoted" realm\\')
  assert.equal(c!.params.get('nonce'), 'n,1')
  assert.equal(c!.params.get('algorithm'), 'SHA-256')
  assert.equal(c!.params.get('qop'), 'auth,auth-int')
  assert.equal(c!.params.get('stale'), 'TRUE')
})

test('auth-params: several challenges in one value', () => {
  const list = parseAuthHeader('Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="2", Basic realm="b"')
  assert.deepEqual(list.map((c) => [c.scheme, c.params.get('nonce') ?? null]), [['Digest', '1'], ['Digest', '2'], ['Basic', null]])
})

test('auth-params: malformed values are ParseErrors naming the fault', () => {
  for (const [bad, pattern] of [
    ['Digest realm="open', /unterminated/],
    ['realm="x"', /scheme|before any scheme/],
    ['Digest realm="a", realm="b"', /twice/],
    ['Digest realm=', /no value/],
    ['Digest realm="a" nonce="b"', /expected ","/],
    ['Digest realm', /expected "name=value" after scheme "Digest"/],
    ['', /empty/],
    ['Digest ' + 'a'.repeat(9000), /exceeds/],
  ] as const) {
    assert.throws(() => parseAuthHeader(bad), (error: unknown) => {
      assert.ok(error instanceof ParseError, `${bad} should be a ParseError`)
      assert.equal(error.code, 'SIP_BAD_AUTH_HEADER')
      assert.match(error.message, pattern)
      return true
    })
  }
})

test('auth-params: format then parse gives the values back (property)', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)
  const value = fc.string({ maxLength: 30 }).filter((s) => !/[\r\n]/.test(s))
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, minLength: 1, maxLength: 6 }), (params) => {
      const text = formatAuthHeader('Digest', params.map(([n, v]) => [n, v, 'quoted'] as const))
      const [parsed] = parseAuthHeader(text)
      assert.deepEqual([...parsed!.params], params)
    }),
    { numRuns: 200 },
  )
})

test('auth-params: arbitrary input never throws anything but ParseError (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (text) => {
      try {
        parseAuthHeader(text)
      } catch (error) {
        assert.ok(error instanceof ParseError)
      }
    }),
    { numRuns: 300 },
  )
})

test('auth-params: a scheme without parameters, followed by another challenge', () => {
  const list = parseAuthHeader('Negotiate, Digest realm="r", nonce="n"')
  assert.deepEqual(list.map((c) => [c.scheme, c.params.size]), [['Negotiate', 0], ['Digest', 2]])
  assert.equal(formatAuthHeader('Negotiate', []), 'Negotiate')
})

test('auth-params: errors carry the protocol and code the caller names', () => {
  assert.throws(() => parseAuthHeader('Digest realm="x', { protocol: 'msrp', code: 'MSRP_AUTH_CHALLENGE_INVALID' }), (error: unknown) => {
    assert.ok(error instanceof ParseError)
    assert.equal(error.protocol, 'msrp')
    assert.equal(error.code, 'MSRP_AUTH_CHALLENGE_INVALID')
    return true
  })
})

test('auth-params: quoting drops CR and LF so a value cannot break the header line', () => {
  assert.equal(formatAuthHeader('Digest', [['realm', 'a\r\nVia: x"', 'quoted']]), 'Digest realm="aVia: x\\""')
})
