import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_ROOM_CONFIG, InMemoryRoomStore, type ServerParticipant, type RoomStoreEvent } from '../../../src/server/core/index.ts'

const ROOM = 'sip:lobby@example.test'
const p = (id: string, uri: string): ServerParticipant => ({ id, uri, joinedAt: 0, muted: false, role: 'participant' })

test('rooms are found by URI identity; config merges onto defaults without sharing arrays', () => {
  const store = new InMemoryRoomStore()
  const moderators = ['sip:mod@example.test']
  const room = store.createRoom(ROOM, { moderators, maxMessageSize: 100 })
  moderators.push('sip:evil@example.test')
  assert.deepEqual(room.config.moderators, ['sip:mod@example.test'])
  assert.equal(room.config.allowPrivateMessages, DEFAULT_ROOM_CONFIG.allowPrivateMessages)
  assert.equal(store.getRoom('<sip:lobby@EXAMPLE.test;transport=tls>'), room)
  assert.throws(() => store.createRoom('sip:lobby@Example.Test'), { code: 'MIXER_ROOM_EXISTS' })
  assert.throws(() => store.createRoom('no-uri'), { code: 'MIXER_BAD_ROOM_URI' })
  assert.throws(() => store.addParticipant('sip:none@example.test', p('x', 'sip:a@example.test')), { code: 'MIXER_UNKNOWN_ROOM' })
  store.updateConfig(ROOM, { maxMessageSize: 200 })
  assert.equal(store.getRoom(ROOM)?.config.maxMessageSize, 200)
  assert.deepEqual(store.listRooms().map((r) => r.uri), [ROOM])
  assert.ok(store.deleteRoom(ROOM))
  assert.ok(!store.deleteRoom(ROOM))
})

test('participant ids are unique; updates that change nothing return undefined', () => {
  const store = new InMemoryRoomStore()
  store.createRoom(ROOM)
  store.addParticipant(ROOM, p('a', 'sip:a@example.test'))
  assert.throws(() => store.addParticipant(ROOM, p('a', 'sip:a@example.test')), { code: 'MIXER_DUPLICATE_PARTICIPANT' })
  assert.equal(store.updateParticipant(ROOM, 'a', { muted: false }), undefined)
  assert.equal(store.updateParticipant(ROOM, 'a', { nickname: null }), undefined)
  assert.throws(() => store.updateParticipant(ROOM, 'zz', { muted: true }), { code: 'MIXER_UNKNOWN_PARTICIPANT' })
  assert.equal(store.updateParticipant(ROOM, 'a', { role: 'moderator' })?.kind, 'role')
  assert.equal(store.getRoom(ROOM)?.version, 2)
})

test('a replica fed the owner\'s events converges and ignores redelivered or stale ones', () => {
  const owner = new InMemoryRoomStore()
  const replica = new InMemoryRoomStore()
  const wire: string[] = []
  owner.subscribe((e) => wire.push(JSON.stringify(e)))
  owner.createRoom(ROOM, { maxMessageSize: 5 })
  owner.addParticipant(ROOM, p('a', 'sip:a@example.test'))
  owner.addParticipant(ROOM, p('b', 'sip:b@example.test'))
  owner.updateParticipant(ROOM, 'a', { nickname: 'Al' })
  owner.removeParticipant(ROOM, 'b', 'bye')
  owner.updateConfig(ROOM, { subject: 'hello' })
  const seen: RoomStoreEvent[] = []
  replica.subscribe((e) => seen.push(e))
  for (const json of wire) assert.ok(replica.applyRemote(JSON.parse(json) as RoomStoreEvent))
  for (const json of wire.slice(1, 3)) assert.ok(!replica.applyRemote(JSON.parse(json) as RoomStoreEvent), 'redelivery is ignored')
  const a = owner.getRoom(ROOM)!
  const b = replica.getRoom(ROOM)!
  assert.equal(b.version, a.version)
  assert.deepEqual([...b.participants.values()], [...a.participants.values()])
  assert.equal(b.config.subject, 'hello')
  assert.equal(seen.length, wire.length, 'replica listeners see applied events once')
})
