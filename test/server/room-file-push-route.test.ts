// Where a room's file push goes: the participant's flow, or its address of record through the
// call-out proxy when its room dialog came from the proxy and it is not registered here.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pushRoute } from '../../src/server/room-file-push-route.ts'
import type { PushTarget } from '../../src/server/room-file-push.ts'

const proxy = { host: '192.0.2.10', port: 5060, transport: 'TCP' }
const viaProxy: PushTarget = { participantId: 'p1', identity: 'sip:bob@example.test', contact: 'sip:bob@198.51.100.7:40000;transport=tcp', destination: { host: '192.0.2.10', port: 5060, transport: 'TCP' }, focusContact: '<sip:lobby@203.0.113.1:5060;transport=tcp>;isfocus' }

test('a participant whose dialog came through the call-out proxy, not registered here: its address of record, through the proxy', () => {
  assert.deepEqual(pushRoute(viaProxy, false, proxy), { ...viaProxy, contact: 'sip:bob@example.test', destination: proxy })
  assert.deepEqual(pushRoute({ ...viaProxy, destination: { ...viaProxy.destination, host: '[2001:DB8::1]' } }, false, { ...proxy, host: '2001:db8::1' }).contact, 'sip:bob@example.test')
})

test('registered here, no call-out proxy, or signalling from another host: the flow of its room dialog', () => {
  assert.equal(pushRoute(viaProxy, true, proxy), viaProxy)
  assert.equal(pushRoute(viaProxy, false, undefined), viaProxy)
  const direct = { ...viaProxy, destination: { host: '198.51.100.7', port: 40000, transport: 'TCP' } }
  assert.equal(pushRoute(direct, false, proxy), direct)
})
