import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildFullRoster, buildPartialRoster } from '../../../src/conference/index.ts'
import { fullRosterInput, partialRosterInput } from '../../../src/server/core/index.ts'
import { ALICE, BOB, ROOM, joinOk, makeRoom } from './fixtures.ts'

test('full roster: one user per identity, nickname, role, muted as recvonly, version = room version', () => {
  const { room } = makeRoom({ subject: 'Lobby' })
  const a = room.join({ uri: ALICE, displayName: 'Alice', contact: 'sip:alice@192.0.2.1;gr=x' })
  assert.ok(a.ok)
  joinOk(room, ALICE)
  const b = joinOk(room, BOB)
  room.setNickname(a.participant.id, 'Al')
  room.setMuted(b, true)
  const { room: desc, participants } = fullRosterInput(room.state)
  assert.deepEqual(desc, { entity: ROOM, version: 5, subject: 'Lobby' })
  assert.deepEqual(participants, [
    { uri: ALICE, status: 'connected', roles: ['participant'], media: [{ id: '1', type: 'message', status: 'sendrecv' }], nickname: 'Al', displayText: 'Alice', endpoint: 'sip:alice@192.0.2.1;gr=x', isBot: false },
    { uri: BOB, status: 'connected', roles: ['participant'], media: [{ id: '1', type: 'message', status: 'recvonly' }], isBot: false },
  ])
  const xml = buildFullRoster(desc, participants)
  assert.match(xml, /version="5"/)
  assert.match(xml, /Al/)
})

test('partial roster per change: join/nickname upsert, leave of the last session removes the user', () => {
  const { room } = makeRoom()
  const a1 = joinOk(room, ALICE)
  const a2 = joinOk(room, ALICE)
  const join = room.join({ uri: BOB })
  assert.ok(join.ok)
  const p1 = partialRosterInput(room.state, join.change)
  assert.deepEqual([p1.room.version, p1.changes.upserted?.map((u) => u.uri), p1.changes.userCount], [3, [BOB], 2])
  const leave1 = room.leave(a1)!
  const p2 = partialRosterInput(room.state, leave1)
  assert.deepEqual([p2.changes.upserted?.map((u) => u.uri), p2.changes.removed], [[ALICE], undefined], 'Alice still has a session')
  const leave2 = room.leave(a2, 'kicked')!
  const p3 = partialRosterInput(room.state, leave2)
  assert.deepEqual([p3.room.version, p3.changes.removed, p3.changes.userCount], [5, [ALICE], 1])
  assert.match(buildPartialRoster(p3.room, p3.changes), /state="deleted"/)
})
