import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createOffer, createAnswer, parseMsrpSdp, intersectAcceptTypes, acceptsType, answerSetup, SdpNegotiationError } from '../../src/sdp/index.ts'
import { ParseError } from '../../src/errors.ts'

const ALICE = 'msrp://alice.example.com:7394/2s93i93idj;tcp'
const BOB = 'msrp://bob.example.com:8493/si438dsaodes;tcp'

test('createOffer: m=message line, path, accept-types, actpass by default', () => {
  const text = createOffer({ path: [ALICE], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['text/plain', '*'], maxSize: 4096, username: 'alice', sessionId: '42' })
  assert.match(text, /^v=0\r\no=alice 42 0 IN IP4 alice\.example\.com\r\n/)
  assert.match(text, /\r\nc=IN IP4 alice\.example\.com\r\n/)
  assert.match(text, /\r\nm=message 7394 TCP\/MSRP \*\r\n/)
  assert.match(text, /\r\na=setup:actpass\r\n/)
  const m = parseMsrpSdp(text).media[0]!
  assert.deepEqual(m.path, [ALICE])
  assert.deepEqual(m.acceptTypes, ['message/cpim'])
  assert.deepEqual(m.acceptWrappedTypes, ['text/plain', '*'])
  assert.equal(m.maxSize, 4096)
  assert.equal(m.setup, 'actpass')
  assert.equal(m.direction, 'sendrecv')
})

test('createOffer: msrps path gives TCP/TLS/MSRP, IPv6 host gives IN IP6, chatroom and cema', () => {
  const text = createOffer({ path: ['msrps://[2001:db8::1]:9000/abc;tcp'], chatroom: { nickname: true, privateMessages: true }, cema: true })
  assert.match(text, /\r\nm=message 9000 TCP\/TLS\/MSRP \*\r\n/)
  assert.match(text, /\r\nc=IN IP6 2001:db8::1\r\n/)
  const m = parseMsrpSdp(text).media[0]!
  assert.equal(m.transport, 'tls')
  assert.deepEqual(m.chatroom, { nickname: true, privateMessages: true, extensions: [] })
  assert.equal(m.cema, true)
})

test('RFC 4975 example exchange: answer mirrors the offer and intersects accept-types', () => {
  const offer = createOffer({ path: [ALICE], acceptTypes: ['text/plain'] })
  const res = createAnswer(offer, { path: [BOB], acceptTypes: ['message/cpim', 'text/plain'], username: 'bob' })
  assert.ok(res.ok)
  assert.deepEqual(res.local.acceptTypes, ['text/plain'])
  assert.deepEqual(res.local.path, [BOB])
  assert.equal(res.local.port, 8493)
  assert.equal(res.remote.port, 7394)
})

test('RFC 6135: actpass → active (answerer connects); active → passive; passive → active', () => {
  const mk = (setup: 'actpass' | 'active' | 'passive'): string => createOffer({ path: [ALICE], setup })
  const a = createAnswer(mk('actpass'), { path: [BOB] })
  assert.ok(a.ok)
  assert.equal(a.local.setup, 'active')
  assert.equal(a.connect, true)
  const b = createAnswer(mk('active'), { path: [BOB] })
  assert.ok(b.ok)
  assert.equal(b.local.setup, 'passive')
  assert.equal(b.connect, false)
  const c = createAnswer(mk('passive'), { path: [BOB] })
  assert.ok(c.ok)
  assert.equal(c.local.setup, 'active')
  assert.equal(c.connect, true)
  const d = createAnswer(mk('actpass'), { path: [BOB], setup: 'passive' })
  assert.ok(d.ok)
  assert.equal(d.local.setup, 'passive')
  assert.equal(d.connect, false)
})

test('setup conflicts are 488-worthy typed errors', () => {
  const res = createAnswer(createOffer({ path: [ALICE], setup: 'active' }), { path: [BOB], setup: 'active' })
  assert.equal(res.ok, false)
  assert.ok(!res.ok && res.error instanceof SdpNegotiationError)
  assert.equal(!res.ok && res.error.code, 'SDP_SETUP_CONFLICT')
  assert.equal(typeof answerSetup('passive', 'passive'), 'string')
  // No a=setup in the offer: RFC 4975 default, the offerer connects.
  assert.deepEqual(answerSetup(undefined, undefined), { role: undefined, connect: false })
})

test('no common accept-types → SDP_NO_COMMON_TYPES naming both lists, status 488', () => {
  const res = createAnswer(createOffer({ path: [ALICE], acceptTypes: ['image/png'] }), { path: [BOB], acceptTypes: ['message/cpim', 'text/plain'] })
  assert.ok(!res.ok)
  assert.ok(res.error instanceof SdpNegotiationError)
  assert.equal(res.error.code, 'SDP_NO_COMMON_TYPES')
  assert.equal(res.error.status, 488)
  assert.match(res.error.message, /image\/png/)
  assert.match(res.error.message, /message\/cpim text\/plain/)
})

test('RFC 7701: a focus answers with a=chatroom; cema only when both support it; direction is mirrored', () => {
  const offer = createOffer({ path: [ALICE], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['text/plain'], direction: 'sendonly', cema: true })
  const res = createAnswer(offer, {
    path: ['msrp://chat.example.com:7654/jshA7weztas;tcp'],
    acceptTypes: ['message/cpim', 'text/plain'],
    acceptWrappedTypes: ['*'],
    chatroom: { nickname: true, privateMessages: true },
  })
  assert.ok(res.ok)
  assert.deepEqual(res.local.chatroom, { nickname: true, privateMessages: true, extensions: [] })
  assert.deepEqual(res.local.acceptWrappedTypes, ['text/plain'])
  assert.equal(res.local.cema, false)
  assert.equal(res.local.direction, 'recvonly')
  assert.match(res.sdp, /a=chatroom:nickname private-messages\r\n/)
})

test('other m-lines are rejected with port 0; transport must match', () => {
  const offer = [
    'v=0', 'o=- 1 1 IN IP4 a.example', 's=-', 'c=IN IP4 a.example', 't=0 0',
    'm=audio 4000 RTP/AVP 0',
    'm=message 7394 TCP/TLS/MSRP *', 'a=accept-types:text/plain', 'a=path:msrps://a.example:7394/x;tcp', '',
  ].join('\r\n')
  const res = createAnswer(offer, { path: ['msrps://b.example:8493/y;tcp'] })
  assert.ok(res.ok)
  assert.match(res.sdp, /m=audio 0 RTP\/AVP 0\r\nm=message 8493 TCP\/TLS\/MSRP \*/)
  assert.equal(res.local.index, 1)
  const bad = createAnswer(offer, { path: [BOB] })
  assert.ok(!bad.ok && bad.error.code === 'SDP_TRANSPORT_MISMATCH')
})

test('MSRP over WebSocket (RFC 7977 §7, §8): a ;ws path offers TCP/WS/MSRP, answered only with a ;ws path', () => {
  const offer = createOffer({ path: ['msrp://df7jal23ls0d.invalid:9/abcdefghij;ws'], acceptTypes: ['message/cpim'], setup: 'active' })
  assert.match(offer, /m=message 9 TCP\/WS\/MSRP \*/)
  assert.equal(parseMsrpSdp(offer).media[0]!.transport, 'ws')
  const answer = createAnswer(offer, { path: ['msrp://127.0.0.1:8080/srv123;ws'], acceptTypes: ['message/cpim'], setup: 'passive' })
  assert.ok(answer.ok)
  assert.match(answer.sdp, /m=message 8080 TCP\/WS\/MSRP \*/)
  assert.equal(answer.connect, false)
  const overTcp = createAnswer(offer, { path: [BOB] })
  assert.ok(!overTcp.ok && overTcp.error.code === 'SDP_TRANSPORT_MISMATCH')
  assert.match(overTcp.error.message, /TCP\/WS\/MSRP.*msrp:\/\/ URI with ;ws/)
  const wss = createOffer({ path: ['msrps://x.invalid:9/abcdefghij;ws'] })
  assert.match(wss, /TCP\/WSS\/MSRP/)
})

test('malformed offers come back as ParseError, not a throw', () => {
  const res = createAnswer('not sdp', { path: [BOB] })
  assert.ok(!res.ok && res.error instanceof ParseError && res.error.protocol === 'sdp')
  const none = createAnswer('v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n', { path: [BOB] })
  assert.ok(!none.ok && none.error.code === 'SDP_NO_MSRP_MEDIA')
})

test('intersectAcceptTypes: wildcards keep the narrower side, local order wins', () => {
  assert.deepEqual(intersectAcceptTypes(['message/cpim', 'text/plain'], ['text/plain', 'message/cpim']), ['message/cpim', 'text/plain'])
  assert.deepEqual(intersectAcceptTypes(['*'], ['text/plain', 'image/png']), ['text/plain', 'image/png'])
  assert.deepEqual(intersectAcceptTypes(['text/*'], ['text/plain', 'text/html', 'image/png']), ['text/plain', 'text/html'])
  assert.deepEqual(intersectAcceptTypes(['text/plain'], ['text/*']), ['text/plain'])
  assert.deepEqual(intersectAcceptTypes(['Text/Plain'], ['text/plain']), ['Text/Plain'])
  assert.deepEqual(intersectAcceptTypes(['text/plain'], ['image/*']), [])
  assert.ok(acceptsType(['text/*'], 'text/plain; charset=utf-8'))
  assert.ok(!acceptsType(['message/cpim'], 'text/plain'))
})

test('property: any offer we create is answerable by a peer accepting *', () => {
  const typeArb = fc.constantFrom('text/plain', 'message/cpim', 'text/html', 'image/png', 'text/*', '*')
  fc.assert(fc.property(fc.uniqueArray(typeArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 65535 }), (types, port) => {
    const offer = createOffer({ path: [`msrp://h.example:${port}/s;tcp`], acceptTypes: types })
    const res = createAnswer(offer, { path: [BOB], acceptTypes: ['*'] })
    assert.ok(res.ok)
    assert.equal(res.remote.port, port)
    assert.deepEqual(res.local.acceptTypes, types)
  }), { numRuns: 100 })
})

test('property: garbage SDP never throws anything but ParseError', () => {
  const line = fc.oneof(
    fc.constantFrom('v=0', 'o=- 1 1 IN IP4 x', 's=-', 'm=message 7 TCP/MSRP *', 'm=message', 'a=path:', 'a=accept-types:', 'a=setup:', 'a=max-size:9', 'c=IN IP4', 't=0 0'),
    fc.string({ maxLength: 20 }),
  )
  fc.assert(fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
    const text = lines.join('\r\n')
    try {
      parseMsrpSdp(text)
    } catch (err) {
      if (!(err instanceof ParseError)) throw err
    }
    const res = createAnswer(text, { path: [BOB] })
    if (!res.ok) assert.ok(res.error instanceof ParseError || res.error instanceof SdpNegotiationError)
  }), { numRuns: 200 })
})

test('RFC 4975 offer without a=setup: the offerer connects, the answer carries no a=setup', () => {
  const offer = [
    'v=0', 'o=alice 2890844557 2890844559 IN IP4 alice.example.com', 's= -', 'c=IN IP4 alice.example.com', 't=0 0',
    'm=message 7394 TCP/MSRP *', 'a=accept-types:text/plain', `a=path:${ALICE}`, '',
  ].join('\r\n')
  const res = createAnswer(offer, { path: [BOB], acceptTypes: ['text/plain'] })
  assert.ok(res.ok)
  assert.equal(res.connect, false)
  assert.equal(res.local.setup, undefined)
  assert.doesNotMatch(res.sdp, /a=setup/)
  const forced = createAnswer(offer, { path: [BOB], setup: 'active' })
  assert.ok(!forced.ok && forced.error.code === 'SDP_SETUP_CONFLICT')
})
