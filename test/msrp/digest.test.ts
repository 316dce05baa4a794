import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { ParseError } from '../../src/errors.ts'
import { digestAuthorization, parseDigestChallenge } from '../../src/msrp/digest.ts'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')

describe('MSRP relay digest (RFC 4976 §5)', () => {
  it('parses a challenge with quoted and bare parameters', () => {
    assert.deepEqual(parseDigestChallenge('Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="x\\"y", stale=TRUE'), {
      realm: 'intra.example.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: ['auth'],
      algorithm: 'MD5',
      stale: true,
      opaque: 'x"y',
    })
    assert.throws(() => parseDigestChallenge('Basic realm="x"'), ParseError)
    assert.throws(() => parseDigestChallenge('Digest realm="x"'), ParseError)
    assert.throws(() => parseDigestChallenge('Digest realm="x", nonce'), ParseError)
  })

  it('computes the RFC 2617 §3.5 example response (qop=auth)', () => {
    const challenge = parseDigestChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    const header = digestAuthorization({ challenge, username: 'Mufasa', password: 'Circle Of Life', uri: '/dir/index.html', method: 'GET', cnonce: '0a4f113b', nc: 1 })
    assert.match(header, /response="6629fae49393a05397450978507c4ef1"/)
    assert.match(header, /qop=auth, nc=00000001, cnonce="0a4f113b"/)
    assert.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/)
  })

  it('uses HA2 = MD5("AUTH:" + relay URI) and the RFC 2069 form without qop', () => {
    const challenge = parseDigestChallenge('Digest realm="example.test", nonce="abc123"')
    const uri = 'msrp://127.0.0.1:2855;tcp'
    const header = digestAuthorization({ challenge, username: 'alice', password: 'secret', uri })
    const expected = md5(`${md5('alice:example.test:secret')}:abc123:${md5(`AUTH:${uri}`)}`)
    assert.ok(header.includes(`response="${expected}"`))
    assert.ok(header.startsWith('Digest username="alice", realm="example.test", nonce="abc123", uri="msrp://127.0.0.1:2855;tcp"'))
    assert.ok(!header.includes('qop='))
  })

  it('refuses algorithms it cannot compute, and computes SHA-256 (RFC 7616)', () => {
    const unknown = parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-1')
    assert.throws(() => digestAuthorization({ challenge: unknown, username: 'u', password: 'p', uri: 'msrp://r;tcp' }), RangeError)
    const sha = parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-256')
    const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
    const expected = sha256(`${sha256('u:r:p')}:n:${sha256('AUTH:msrp://r;tcp')}`)
    assert.ok(digestAuthorization({ challenge: sha, username: 'u', password: 'p', uri: 'msrp://r;tcp' }).includes(`response="${expected}"`))
  })
})
