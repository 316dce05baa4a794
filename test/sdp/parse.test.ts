import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMsrpSdp } from '../../src/sdp/index.ts'
import { ParseError } from '../../src/errors.ts'

const sdp = (...lines: string[]): string => lines.join('\r\n') + '\r\n'

function assertSdpError(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ParseError && err.protocol === 'sdp' && err.code === code)
}

// RFC 4975 examples section (basic IM session), Alice's offer.
const RFC4975_OFFER = sdp(
  'v=0',
  'o=alice 2890844557 2890844559 IN IP4 alice.example.com',
  's= -',
  'c=IN IP4 alice.example.com',
  't=0 0',
  'm=message 7394 TCP/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrp://alice.example.com:7394/2s93i93idj;tcp',
)

test('RFC 4975 example: basic offer', () => {
  const d = parseMsrpSdp(RFC4975_OFFER)
  assert.deepEqual(d.origin, { username: 'alice', sessionId: '2890844557', sessionVersion: 2890844559, address: 'alice.example.com' })
  assert.equal(d.address, 'alice.example.com')
  assert.equal(d.mediaCount, 1)
  assert.deepEqual(d.media[0], {
    index: 0,
    port: 7394,
    transport: 'tcp',
    path: ['msrp://alice.example.com:7394/2s93i93idj;tcp'],
    acceptTypes: ['text/plain'],
    acceptWrappedTypes: [],
    cema: false,
    direction: 'sendrecv',
    address: 'alice.example.com',
    otherAttributes: [],
  })
})

test('RFC 4975 TLS offer with wrapped types, max-size and a relay path', () => {
  const d = parseMsrpSdp(sdp(
    'v=0',
    'o=alice 2890844526 2890844527 IN IP4 alice.example.com',
    's= -',
    'c=IN IP4 alice.example.com',
    't=0 0',
    'm=message 7654 TCP/TLS/MSRP *',
    'a=accept-types:message/cpim text/plain text/html',
    'a=accept-wrapped-types:text/plain image/*',
    'a=max-size:131072',
    'a=path:msrps://relay.example.com:2855/asdf;tcp msrps://alice.example.com:7654/jshA7weztas;tcp',
    'a=sendonly',
    'a=x-unknown:1',
  ))
  const m = d.media[0]!
  assert.equal(m.transport, 'tls')
  assert.deepEqual(m.acceptTypes, ['message/cpim', 'text/plain', 'text/html'])
  assert.deepEqual(m.acceptWrappedTypes, ['text/plain', 'image/*'])
  assert.equal(m.maxSize, 131072)
  assert.equal(m.path.length, 2)
  assert.equal(m.direction, 'sendonly')
  assert.deepEqual(m.otherAttributes, ['x-unknown:1'])
})

test('RFC 7701 chat room answer: a=chatroom with nickname and private-messages', () => {
  const d = parseMsrpSdp(sdp(
    'v=0',
    'o=chat 2890844527 2890844528 IN IP4 chat.example.com',
    's= -',
    'c=IN IP4 chat.example.com',
    't=0 0',
    'm=message 7654 TCP/MSRP *',
    'a=accept-types:message/cpim text/plain text/html',
    'a=accept-wrapped-types:*',
    'a=path:msrp://chat.example.com:7654/jshA7weztas;tcp',
    'a=chatroom:nickname private-messages',
  ))
  assert.deepEqual(d.media[0]?.chatroom, { nickname: true, privateMessages: true, extensions: [] })
  assert.deepEqual(d.media[0]?.acceptWrappedTypes, ['*'])
})

test('RFC 6135 offer with a=setup:actpass and a=msrp-cema (RFC 6714)', () => {
  const d = parseMsrpSdp(sdp(
    'v=0',
    'o=alice 2890844526 2890844527 IN IP4 192.0.2.1',
    's= -',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=message 7394 TCP/MSRP *',
    'a=accept-types:text/plain',
    'a=path:msrp://192.0.2.1:7394/2s93i93idj;tcp',
    'a=setup:actpass',
    'a=msrp-cema',
  ))
  assert.equal(d.media[0]?.setup, 'actpass')
  assert.equal(d.media[0]?.cema, true)
})

test('session-level setup, direction and a huge session id are kept exactly', () => {
  const d = parseMsrpSdp(sdp(
    'v=0', 'o=- 123456789012345678901 2 IN IP6 ::1', 's=-', 'c=IN IP6 ::1', 't=0 0', 'a=setup:passive', 'a=recvonly',
    'm=audio 4000 RTP/AVP 0',
    'm=message 9 TCP/MSRP *', 'a=accept-types:*', 'a=path:msrp://[::1]:9/x;tcp',
  ))
  assert.equal(d.origin.sessionId, '123456789012345678901')
  assert.equal(d.mediaCount, 2)
  assert.equal(d.media[0]?.index, 1)
  assert.equal(d.media[0]?.setup, 'passive')
  assert.equal(d.media[0]?.direction, 'recvonly')
  assert.equal(d.media[0]?.address, '::1')
})

test('a rejected (port 0) MSRP line may omit path and accept-types', () => {
  const d = parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 's=-', 't=0 0', 'm=message 0 TCP/MSRP *'))
  assert.equal(d.media[0]?.port, 0)
})

test('malformed SDP → ParseError("sdp")', () => {
  assertSdpError(() => parseMsrpSdp(''), 'SDP_EMPTY')
  assertSdpError(() => parseMsrpSdp('hello'), 'SDP_BAD_VERSION')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 'garbage')), 'SDP_BAD_LINE')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 's=-')), 'SDP_MISSING_ORIGIN')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 's=-', 'm=message x TCP/MSRP *')), 'SDP_BAD_MEDIA')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 's=-', 'm=message 1 TCP/MSRP *', 'a=accept-types:text/plain')), 'SDP_MISSING_PATH')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 's=-', 'm=message 1 TCP/MSRP *', 'a=path:msrp://x:1/a;tcp')), 'SDP_MISSING_ACCEPT_TYPES')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 's=-', 'm=message 1 TCP/MSRP *', 'a=path:msrp://x:1/a;tcp', 'a=accept-types:*', 'a=max-size:big')), 'SDP_BAD_MAX_SIZE')
  assertSdpError(() => parseMsrpSdp(sdp('v=0', 'o=- 1 1 IN IP4 x', 's=-', 'm=message 1 TCP/MSRP *', 'a=path:msrp://x:1/a;tcp', 'a=accept-types:*', 'a=setup:sideways')), 'SDP_BAD_SETUP')
  assertSdpError(() => parseMsrpSdp('v=0\r\n' + 'a=x\r\n'.repeat(20000)), 'SDP_TOO_LARGE')
})
