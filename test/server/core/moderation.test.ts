import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyKick, decideRefer, parseReferTo, setMuted } from '../../../src/server/core/index.ts'
import { ALICE, BOB, MOD, OWNER, cpim, joinOk, makeRoom } from './fixtures.ts'

test('parseReferTo reads the URI and its method parameter', () => {
  assert.deepEqual(parseReferTo('<sip:bob@example.test;method=BYE>'), { uri: 'sip:bob@example.test;method=BYE', method: 'BYE' })
  assert.deepEqual(parseReferTo('"Bob" <sip:bob@example.test;transport=tcp;method=bye?Call-ID=x>'), { uri: 'sip:bob@example.test;transport=tcp;method=bye?Call-ID=x', method: 'BYE' })
  assert.equal(parseReferTo('sip:bob@example.test')?.method, 'INVITE')
  assert.deepEqual(parseReferTo('<sip:bob@example.test> ;method=BYE'), { uri: 'sip:bob@example.test', method: 'BYE' }, 'header-parameter form accepted')
  assert.equal(parseReferTo('<not a uri>'), undefined)
  assert.equal(parseReferTo('<sip:bob@example.test'), undefined)
})

test('a moderator removes a participant: 202, kick action for every session, then leave with reason kicked', () => {
  const { room } = makeRoom()
  joinOk(room, ALICE)
  const b1 = joinOk(room, BOB)
  const b2 = joinOk(room, BOB)
  const d = decideRefer(room, { requester: MOD, referTo: `<${BOB};method=BYE>` })
  assert.ok(d.ok)
  assert.equal(d.status, 202)
  assert.deepEqual(d.action.targets.map((t) => t.id), [b1, b2])
  assert.equal(d.action.sipfrag, 'SIP/2.0 200 OK')
  const v = room.version
  const changes = applyKick(room, d.action)
  assert.deepEqual(changes.map((c) => [c.kind, c.reason]), [['leave', 'kicked'], ['leave', 'kicked']])
  assert.equal(room.version, v + 2)
  assert.equal(room.findByUri(BOB).length, 0)
})

test('REFER BYE authorisation: plain participants get 403; moderators cannot remove owners; owners can remove moderators', () => {
  const { room } = makeRoom()
  joinOk(room, ALICE)
  joinOk(room, BOB)
  joinOk(room, MOD)
  joinOk(room, OWNER)
  const byAlice = decideRefer(room, { requester: ALICE, referTo: `<${BOB};method=BYE>` })
  assert.ok(!byAlice.ok && byAlice.status === 403 && byAlice.problem === 'not-authorised')
  const modOnOwner = decideRefer(room, { requester: MOD, referTo: `<${OWNER};method=BYE>` })
  assert.ok(!modOnOwner.ok && modOnOwner.status === 403)
  assert.ok(decideRefer(room, { requester: OWNER, referTo: `<${MOD};method=BYE>` }).ok)
  assert.ok(decideRefer(room, { requester: ALICE, referTo: `<${ALICE};method=BYE>` }).ok, 'anyone may remove themselves')
})

test('REFER BYE to someone absent is 404 for moderators, 403 for others (no roster probing); other methods 403; bad Refer-To 400', () => {
  const { room } = makeRoom()
  joinOk(room, ALICE)
  const absent = decideRefer(room, { requester: MOD, referTo: '<sip:nobody@example.test;method=BYE>' })
  assert.ok(!absent.ok && absent.status === 404)
  const probe = decideRefer(room, { requester: ALICE, referTo: '<sip:nobody@example.test;method=BYE>' })
  assert.ok(!probe.ok && probe.status === 403)
  const invite = decideRefer(room, { requester: MOD, referTo: `<${ALICE}>` })
  assert.ok(!invite.ok && invite.status === 403 && invite.problem === 'unsupported-method')
  const bad = decideRefer(room, { requester: MOD, referTo: 'garbage' })
  assert.ok(!bad.ok && bad.status === 400)
})

test('mute/unmute: moderators may, participants may not, unknown target 404', () => {
  const { room } = makeRoom()
  const a = joinOk(room, ALICE)
  joinOk(room, BOB)
  const denied = setMuted(room, { requester: BOB, targetId: a, muted: true })
  assert.ok(!denied.ok && denied.status === 403)
  const selfUnmute = setMuted(room, { requester: ALICE, targetId: a, muted: false })
  assert.ok(!selfUnmute.ok && selfUnmute.status === 403)
  const muted = setMuted(room, { requester: MOD, targetId: a, muted: true })
  assert.ok(muted.ok && muted.change?.kind === 'media' && muted.change.participant.muted)
  const m = room.handleMessage({ participantId: a, cpim: cpim(ALICE, 'x') })
  assert.ok(m.action === 'reject' && m.status === 403)
  const again = setMuted(room, { requester: OWNER, targetId: a, muted: true })
  assert.ok(again.ok && again.change === undefined, 'no change, no version bump')
  assert.ok(setMuted(room, { requester: OWNER, targetId: a, muted: false }).ok)
  assert.equal(room.handleMessage({ participantId: a, cpim: cpim(ALICE, 'x') }).action, 'deliver')
  const missing = setMuted(room, { requester: MOD, targetId: 'nope', muted: true })
  assert.ok(!missing.ok && missing.status === 404)
})
