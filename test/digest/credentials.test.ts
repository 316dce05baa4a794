import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatDigestCredentials, parseAuthHeader, parseDigestChallenges, readDigestChallenge } from '../../src/digest/index.ts'

// RFC 7616 §3.9.1: the same request answered with SHA-256 and with MD5.
const RFC7616 = {
  username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', method: 'GET', uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS', qop: 'auth', nc: '00000001',
} as const

test('credentials: the RFC 7616 §3.9.1 responses, written as one Digest value', () => {
  for (const [algorithm, response] of [['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'], ['MD5', '8ca523f5e9506fed4657c9700eebdbec']] as const) {
    const value = formatDigestCredentials({ ...RFC7616, algorithm })
    const [parsed] = parseAuthHeader(value)
    assert.equal(parsed!.scheme, 'Digest')
    assert.equal(parsed!.params.get('response'), response)
    assert.equal(parsed!.params.get('opaque'), RFC7616.opaque)
    assert.match(value, /algorithm=\w[\w-]*, opaque="[^"]+", qop=auth, nc=00000001, cnonce="/) // tokens bare, strings quoted
  }
})

test('credentials: RFC 2069 form without qop, and a hashed username (RFC 7616 §3.4.4)', () => {
  const plain = parseAuthHeader(formatDigestCredentials({ algorithm: 'MD5', username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'AUTH', uri: 'msrp://relay;tcp' }))[0]!
  assert.deepEqual([...plain.params.keys()], ['username', 'realm', 'nonce', 'uri', 'response', 'algorithm'])
  const hashed = parseAuthHeader(formatDigestCredentials({ algorithm: 'SHA-256', username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'REGISTER', uri: 'sip:r', userhash: true }))[0]!
  assert.notEqual(hashed.params.get('username'), 'u')
  assert.equal(hashed.params.get('userhash'), 'true')
})

test('challenges: Digest ones with realm and nonce, algorithm canonical, qop lower case', () => {
  const list = parseDigestChallenges(['Digest realm="a", nonce="1", algorithm=sha-256, qop="AUTH, auth-int"', 'Basic realm="b", Digest realm="c"'])
  assert.equal(list.length, 1)
  assert.deepEqual({ ...list[0]! }, { realm: 'a', nonce: '1', opaque: undefined, algorithm: 'SHA-256', supported: true, qop: ['auth', 'auth-int'], stale: false, userhash: false, domain: undefined })
  assert.equal(readDigestChallenge({ scheme: 'Digest', params: new Map([['realm', 'r'], ['nonce', 'n'], ['algorithm', 'AKAv1-MD5']]) })?.supported, false)
})
