import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InMemoryRoomStore, RoomDirectory } from '../../../src/server/core/index.ts'

test('open() gives 404 (undefined) for unknown rooms unless autoCreate is set', () => {
  const strict = new RoomDirectory()
  assert.equal(strict.open('sip:new@example.test'), undefined)
  const lobby = strict.create('sip:lobby@example.test', { maxMessageSize: 10 })
  assert.equal(strict.open('<sip:lobby@EXAMPLE.test;transport=tcp>'), lobby, 'same instance, found by URI identity')

  const lenient = new RoomDirectory(new InMemoryRoomStore(), { autoCreate: { allowPrivateMessages: false } })
  const room = lenient.open('sip:new@example.test')
  assert.equal(room?.state.config.allowPrivateMessages, false)
  assert.equal(lenient.open('not a uri'), undefined)
  assert.deepEqual(lenient.list().map((r) => r.uri), ['sip:new@example.test'])
})

test('delete() closes the room and returns the leaves', () => {
  const rooms = new RoomDirectory(undefined, { newId: (() => { let n = 0; return () => `id${++n}` })() })
  const room = rooms.create('sip:lobby@example.test')
  room.join({ uri: 'sip:alice@example.test' })
  const changes = rooms.delete('sip:lobby@example.test')
  assert.deepEqual(changes.map((c) => [c.participant.id, c.reason]), [['id1', 'room-deleted']])
  assert.equal(rooms.get('sip:lobby@example.test'), undefined)
  assert.deepEqual(rooms.delete('sip:lobby@example.test'), [])
  assert.deepEqual(rooms.list(), [])
})
