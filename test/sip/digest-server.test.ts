import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DigestServer, digestHa1 } from '../../src/sip/digest-server.ts'
import { DigestClient } from '../../src/sip/digest.ts'

function setup(options: { qop?: boolean; ttl?: number } = {}) {
  let now = 1_700_000_000_000
  const server = new DigestServer({
    realm: 'example.test',
    lookup: (user) => (user === 'alice' ? { password: 'secret' } : user === 'bob' ? { ha1: { 'SHA-256': digestHa1('SHA-256', 'bob', 'example.test', 'pw') } } : undefined),
    now: () => now,
    nonceTtlMs: options.ttl ?? 60_000,
    ...(options.qop === undefined ? {} : { qop: options.qop }),
  })
  return { server, advance: (ms: number) => { now += ms } }
}

const REGISTER = { method: 'REGISTER', uri: 'sip:example.test' }

test('server challenge → client answer → verified, SHA-256 preferred', async () => {
  const { server } = setup()
  const challenges = server.challenge()
  assert.equal(challenges.length, 2)
  assert.match(challenges[0]!, /^Digest realm="example.test", nonce="[^"]+", qop="auth", algorithm=SHA-256$/)
  const client = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const headers = client.answer('www', challenges, REGISTER)
  assert.deepEqual(await server.verify(headers.map((h) => h.value), REGISTER), { ok: true, username: 'alice', algorithm: 'SHA-256' })
  // Pre-emptive reuse with nc=2 passes; replaying nc=2 does not.
  const [next] = client.preemptive(REGISTER)
  assert.equal((await server.verify(next!.value, REGISTER)).ok, true)
  assert.deepEqual(await server.verify(next!.value, REGISTER), { ok: false, reason: 'replay', username: 'alice' })
})

test('stored HA1 instead of a password; MD5 when the client only does MD5', async () => {
  const { server } = setup()
  const client = new DigestClient({ credentials: { username: 'bob', password: 'pw' } })
  const [h] = client.answer('www', server.challenge(), REGISTER)
  assert.equal((await server.verify(h!.value, REGISTER)).ok, true)
  const md5Client = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const [m] = md5Client.answer('www', [server.challenge()[1]!], REGISTER)
  assert.deepEqual(await server.verify(m!.value, REGISTER), { ok: true, username: 'alice', algorithm: 'MD5' })
  // bob has only a SHA-256 HA1 stored, so an MD5 answer cannot be checked
  const bobMd5 = new DigestClient({ credentials: { username: 'bob', password: 'pw' } })
  const [b] = bobMd5.answer('www', [server.challenge()[1]!], REGISTER)
  assert.deepEqual(await server.verify(b!.value, REGISTER), { ok: false, reason: 'unsupported-algorithm', username: 'bob' })
})

test('an expired nonce with the right password is stale; the client retries without new credentials', async () => {
  const { server, advance } = setup({ ttl: 60_000 })
  const client = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const [h] = client.answer('www', server.challenge(), REGISTER)
  advance(60_001)
  const result = await server.verify(h!.value, REGISTER)
  assert.deepEqual(result, { ok: false, reason: 'stale', username: 'alice' })
  const stale = server.challenge({ stale: true })
  assert.match(stale[0]!, /stale=true/)
  const [retry] = client.answer('www', stale, REGISTER, [h!.value])
  assert.equal((await server.verify(retry!.value, REGISTER)).ok, true)
})

test('wrong password, unknown user, forged nonce, wrong uri, missing, malformed', async () => {
  const { server } = setup()
  const wrong = new DigestClient({ credentials: { username: 'alice', password: 'nope' } })
  const [w] = wrong.answer('www', server.challenge(), REGISTER)
  assert.deepEqual(await server.verify(w!.value, REGISTER), { ok: false, reason: 'bad-response', username: 'alice' })
  const stranger = new DigestClient({ credentials: { username: 'eve', password: 'x' } })
  const [s] = stranger.answer('www', server.challenge(), REGISTER)
  assert.equal((await server.verify(s!.value, REGISTER) as { reason: string }).reason, 'unknown-user')
  const forger = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const [f] = forger.answer('www', ['Digest realm="example.test", nonce="bm90LW91cnM", qop="auth", algorithm=SHA-256'], REGISTER)
  assert.equal((await server.verify(f!.value, REGISTER) as { reason: string }).reason, 'bad-nonce')
  const good = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const [g] = good.answer('www', server.challenge(), REGISTER)
  assert.equal((await server.verify(g!.value, { method: 'REGISTER', uri: 'sip:other.test' }) as { reason: string }).reason, 'wrong-uri')
  assert.deepEqual(await server.verify(undefined, REGISTER), { ok: false, reason: 'missing' })
  assert.deepEqual(await server.verify('Digest realm="elsewhere", nonce="x"', REGISTER), { ok: false, reason: 'missing' })
  assert.deepEqual(await server.verify('Digest realm="example.test", nonce="x"', REGISTER), { ok: false, reason: 'malformed' })
  assert.deepEqual(await server.verify('Digest realm="open', REGISTER), { ok: false, reason: 'malformed' })
})

test('qop=false offers the RFC 2069 form and verifies it', async () => {
  const { server } = setup({ qop: false })
  const challenges = server.challenge()
  assert.doesNotMatch(challenges[0]!, /qop/)
  const client = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const [h] = client.answer('proxy', challenges, { method: 'MESSAGE', uri: 'sip:bob@example.test' })
  assert.doesNotMatch(h!.value, /qop|nc=/)
  assert.equal((await server.verify(h!.value, { method: 'MESSAGE', uri: 'sip:bob@example.test' })).ok, true)
})

test('replay window (issue 16 item 10): after 10,001 other nonces an old Authorization is still refused within its lifetime', async () => {
  const { server } = setup()
  const alice = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
  const [first] = alice.answer('www', server.challenge(), REGISTER)
  assert.equal((await server.verify(first!.value, REGISTER)).ok, true)
  for (let i = 0; i < 10_001; i++) {
    const client = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
    const [h] = client.answer('www', [server.challenge()[1]!], REGISTER)
    assert.equal((await server.verify(h!.value, REGISTER)).ok, true)
  }
  assert.deepEqual(await server.verify(first!.value, REGISTER), { ok: false, reason: 'replay', username: 'alice' })
})

test('nonce counts are forgotten when the nonce expires; at the cap a new nonce is stale, never an old one forgotten', async () => {
  let now = 1_700_000_000_000
  const server = new DigestServer({ realm: 'example.test', lookup: () => ({ password: 'secret' }), now: () => now, nonceTtlMs: 60_000, maxTrackedNonces: 3 })
  const answer = (): string => new DigestClient({ credentials: { username: 'alice', password: 'secret' } }).answer('www', server.challenge(), REGISTER)[0]!.value
  const used = [answer(), answer(), answer()]
  for (const h of used) assert.equal((await server.verify(h, REGISTER)).ok, true)
  assert.equal(server.trackedNonces, 3)
  assert.deepEqual(await server.verify(answer(), REGISTER), { ok: false, reason: 'stale', username: 'alice' }, 'full: refused, not tracked')
  for (const h of used) assert.deepEqual(await server.verify(h, REGISTER), { ok: false, reason: 'replay', username: 'alice' })
  now += 60_001
  assert.deepEqual(await server.verify(used[0]!, REGISTER), { ok: false, reason: 'stale', username: 'alice' }, 'an expired nonce is refused as stale')
  assert.equal((await server.verify(answer(), REGISTER)).ok, true, 'expired nonces made room')
  assert.equal(server.trackedNonces, 1)
})
