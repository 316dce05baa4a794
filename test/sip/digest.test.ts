import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import {
  DigestClient, DigestCredentialCache, DigestError, computeDigestResponse, parseAuthHeader, parseDigestChallenges, selectChallenges,
} from '../../src/sip/digest.ts'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')

function paramsOf(value: string): Map<string, string> {
  return new Map(parseAuthHeader(value)[0]!.params)
}

// RFC 7616 §3.9.1
const RFC7616 = {
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
}

test('RFC 7616 §3.9.1: SHA-256 and MD5 examples, via the client, server order', () => {
  const challenges = [
    `Digest realm="${RFC7616.realm}", qop="auth, auth-int", algorithm=SHA-256, nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`,
    `Digest realm="${RFC7616.realm}", qop="auth, auth-int", algorithm=MD5, nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`,
  ]
  const client = new DigestClient({ credentials: { username: 'Mufasa', password: 'Circle of Life' }, cnonce: () => RFC7616.cnonce })
  const [header] = client.answer('www', challenges, { method: 'GET', uri: '/dir/index.html' })
  assert.equal(header!.name, 'Authorization')
  const p = paramsOf(header!.value)
  assert.equal(p.get('algorithm'), 'SHA-256') // the topmost supported one (RFC 8760 §2.4)
  assert.equal(p.get('response'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1')
  assert.equal(p.get('nc'), '00000001')
  assert.equal(p.get('qop'), 'auth')
  assert.equal(p.get('opaque'), RFC7616.opaque)
  assert.equal(p.get('cnonce'), RFC7616.cnonce)
  assert.match(header!.value, /algorithm=SHA-256, .*qop=auth, nc=00000001/) // tokens, not quoted

  const md5Only = new DigestClient({ credentials: { username: 'Mufasa', password: 'Circle of Life' }, cnonce: () => RFC7616.cnonce })
  const [h2] = md5Only.answer('www', [challenges[1]!], { method: 'GET', uri: '/dir/index.html' })
  assert.equal(paramsOf(h2!.value).get('response'), '8ca523f5e9506fed4657c9700eebdbec')
})

test('RFC 2617 §3.5 example', () => {
  const client = new DigestClient({ credentials: { username: 'Mufasa', password: 'Circle Of Life' }, cnonce: () => '0a4f113b' })
  const [header] = client.answer('www', ['Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'], { method: 'GET', uri: '/dir/index.html' })
  const p = paramsOf(header!.value)
  assert.equal(p.get('response'), '6629fae49393a05397450978507c4ef1')
  assert.equal(p.get('algorithm'), 'MD5')
})

test('Kamailio-style challenge without qop: RFC 2069 response on a 407', () => {
  // As Kamailio's auth module sends it for a MESSAGE (no qop unless configured).
  const challenge = 'Digest realm="example.test", nonce="Z2YxNWE1ZGEwMDAwMDAwMWFiY2RlZmFiY2RlZjAx"'
  const client = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const uri = 'sip:bob@example.test'
  const [header] = client.answer('proxy', [challenge], { method: 'MESSAGE', uri })
  assert.equal(header!.name, 'Proxy-Authorization')
  const p = paramsOf(header!.value)
  const ha1 = md5('alice:example.test:secret')
  const ha2 = md5(`MESSAGE:${uri}`)
  assert.equal(p.get('response'), md5(`${ha1}:Z2YxNWE1ZGEwMDAwMDAwMWFiY2RlZmFiY2RlZjAx:${ha2}`))
  assert.equal(p.has('qop'), false)
  assert.equal(p.has('nc'), false)
  assert.equal(p.has('cnonce'), false)
  assert.equal(p.get('uri'), uri)
  assert.equal(p.get('username'), 'alice')
})

test('nonce count increments on reuse of one nonce and restarts with a new one', () => {
  const client = new DigestClient({ credentials: { username: 'u', password: 'p' }, cnonce: () => 'c' })
  const request = { method: 'MESSAGE', uri: 'sip:x@r' }
  client.answer('proxy', ['Digest realm="r", nonce="n1", qop="auth"'], request)
  const again = client.preemptive(request)
  assert.equal(again.length, 1)
  assert.equal(paramsOf(again[0]!.value).get('nc'), '00000002')
  assert.equal(again[0]!.name, 'Proxy-Authorization')
  assert.equal(paramsOf(client.preemptive(request)[0]!.value).get('nc'), '00000003')
  // A stale challenge brings a new nonce: no new credentials needed, nc restarts.
  const [fresh] = client.answer('proxy', ['Digest realm="r", nonce="n2", qop="auth", stale=true'], request, again.map((h) => h.value))
  const p = paramsOf(fresh!.value)
  assert.equal(p.get('nonce'), 'n2')
  assert.equal(p.get('nc'), '00000001')
  assert.equal(p.get('response'), computeDigestResponse({ algorithm: 'MD5', username: 'u', password: 'p', realm: 'r', nonce: 'n2', method: 'MESSAGE', uri: 'sip:x@r', qop: 'auth', nc: '00000001', cnonce: 'c' }))
})

test('a second non-stale challenge for a realm already answered means wrong credentials', () => {
  const client = new DigestClient({ credentials: { username: 'u', password: 'wrong' } })
  const request = { method: 'REGISTER', uri: 'sip:example.test' }
  const [first] = client.answer('www', ['Digest realm="example.test", nonce="a"'], request)
  assert.throws(() => client.answer('www', ['Digest realm="example.test", nonce="b"'], request, [first!.value]), (error: unknown) => {
    assert.ok(error instanceof DigestError)
    assert.equal(error.code, 'SIP_DIGEST_REJECTED')
    assert.match(error.message, /username and password/)
    return true
  })
  assert.deepEqual(client.cache.realms(), [])
})

test('no usable challenge and no credentials are typed errors', () => {
  const client = new DigestClient({ credentials: { username: 'u', password: 'p', realm: 'mine' } })
  const request = { method: 'REGISTER', uri: 'sip:r' }
  assert.throws(() => client.answer('www', ['Digest realm="r", nonce="n", algorithm=SHA-1'], request), { code: 'SIP_DIGEST_NO_USABLE_CHALLENGE' })
  assert.throws(() => client.answer('www', ['Digest realm="r", nonce="n", qop="auth-conf"'], request), { code: 'SIP_DIGEST_NO_USABLE_CHALLENGE' })
  assert.throws(() => client.answer('www', ['Basic realm="r"'], request), { code: 'SIP_DIGEST_NO_USABLE_CHALLENGE' })
  assert.throws(() => client.answer('www', ['Digest realm="other", nonce="n"'], request), { code: 'SIP_DIGEST_NO_CREDENTIALS' })
})

test('selection: server order by default, strongest on request, unsupported skipped', () => {
  const list = parseDigestChallenges([
    'Digest realm="r", nonce="1", algorithm=MD5',
    'Digest realm="r", nonce="2", algorithm=sha-256',
    'Digest realm="r", nonce="3", algorithm=SHA-512-256-sess, qop="auth"',
    'Digest realm="q", nonce="4", algorithm=AKAv1-MD5',
  ])
  assert.equal(list[1]!.algorithm, 'SHA-256')
  assert.equal(list[3]!.supported, false)
  assert.deepEqual(selectChallenges(list).map((c) => c.nonce), ['1'])
  assert.deepEqual(selectChallenges(list, 'strongest').map((c) => c.nonce), ['3'])
})

test('-sess, auth-int, userhash and escaping in the built header', () => {
  const client = new DigestClient({ credentials: { username: 'a"b', password: 'p' }, cnonce: () => 'cn' })
  const body = Buffer.from('hello')
  const [h] = client.answer('www', ['Digest realm="r", nonce="n", algorithm=SHA-256-sess, qop="auth-int"'], { method: 'MESSAGE', uri: 'sip:x@r', body })
  const p = paramsOf(h!.value)
  assert.match(h!.value, /username="a\\"b"/)
  assert.equal(p.get('username'), 'a"b')
  assert.equal(p.get('qop'), 'auth-int')
  assert.equal(p.get('response'), computeDigestResponse({ algorithm: 'SHA-256-sess', username: 'a"b', password: 'p', realm: 'r', nonce: 'n', method: 'MESSAGE', uri: 'sip:x@r', qop: 'auth-int', nc: '00000001', cnonce: 'cn', body }))
  const hashed = new DigestClient({ credentials: { username: 'Mufasa', password: 'p' } })
  const [u] = hashed.answer('www', ['Digest realm="r", nonce="n", algorithm=SHA-256, userhash=true'], { method: 'GET', uri: '/' })
  assert.equal(paramsOf(u!.value).get('username'), createHash('sha256').update('Mufasa:r').digest('hex'))
  assert.equal(paramsOf(u!.value).get('userhash'), 'true')
})

test('DigestCredentialCache keeps the count for the same nonce and answers per realm', () => {
  const cache = new DigestCredentialCache()
  const [c] = parseDigestChallenges('Digest realm="r", nonce="n", qop="auth"')
  cache.remember('www', c!, { username: 'u', password: 'p' })
  assert.equal(cache.nextNonceCount('r'), '00000001')
  cache.remember('www', c!, { username: 'u', password: 'p' })
  assert.equal(cache.nextNonceCount('r'), '00000002')
  assert.throws(() => cache.nextNonceCount('nope'), { code: 'SIP_DIGEST_NO_CREDENTIALS' })
  cache.forget('r')
  assert.deepEqual(cache.realms(), [])
})

test('two realms challenged at once (proxy and registrar) get one header each', () => {
  const client = new DigestClient({ credentials: (realm) => ({ username: `user-${realm}`, password: 'p' }) })
  const headers = client.answer('proxy', ['Digest realm="a", nonce="1"', 'Digest realm="b", nonce="2"'], { method: 'INVITE', uri: 'sip:x@b' })
  assert.deepEqual(headers.map((h) => [h.realm, paramsOf(h.value).get('username')]), [['a', 'user-a'], ['b', 'user-b']])
  assert.deepEqual(client.preemptive({ method: 'INVITE', uri: 'sip:y@b' }, 'b').map((h) => h.realm), ['b'])
})
