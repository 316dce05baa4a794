import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildFullRoster, buildPartialRoster } from '../../../src/conference/index.ts'
import { ServerRoom, ConferenceNotifier, InMemoryRoomStore, type ConferenceNotify } from '../../../src/server/core/index.ts'
import { FakeClock } from '../../../src/clock.ts'
import { ALICE, BOB, CAROL, ROOM } from './fixtures.ts'

function setup() {
  const clock = new FakeClock()
  const store = new InMemoryRoomStore({ clock })
  store.createRoom(ROOM)
  let n = 0
  const notifier = new ConferenceNotifier(store, { clock, newSubscriptionId: () => `s${++n}` })
  const sent: ConferenceNotify[] = []
  store.subscribe((e) => sent.push(...notifier.handleStoreEvent(e)))
  const room = new ServerRoom(store, ROOM, { clock })
  return { clock, store, notifier, sent, room }
}

test('a watcher gets a full document, then one partial per change, versions counting per subscription', () => {
  const { notifier, sent, room } = setup()
  room.join({ uri: ALICE })
  room.join({ uri: CAROL })
  assert.equal(room.version, 2)
  const s = notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', expires: 600 })
  assert.ok(s.status === 200)
  assert.equal(s.notify.document?.state, 'full')
  assert.equal(s.notify.document?.room.version, 1, 'the first document of this subscription, whatever the room version')
  const bob = room.join({ uri: BOB })
  assert.ok(bob.ok)
  room.setNickname(bob.participant.id, 'bobby')
  room.leave(bob.participant.id)
  assert.deepEqual(sent.map((n) => [n.document?.state, n.document?.room.version]), [['partial', 2], ['partial', 3], ['partial', 4]])
  const last = sent[2]!.document!
  assert.ok(last.state === 'partial')
  assert.deepEqual(last.changes.removed, [BOB])
  assert.match(buildPartialRoster(last.room, last.changes), /version="4"/)
  const first = s.notify.document!
  assert.ok(first.state === 'full')
  assert.match(buildFullRoster(first.room, first.participants), /sip:alice@example\.test/)
})

test('489, 404, 423, 481 and 403 refusals', () => {
  const clock = new FakeClock()
  const store = new InMemoryRoomStore()
  store.createRoom(ROOM)
  const notifier = new ConferenceNotifier(store, { clock, authorize: (w) => w !== 'sip:eve@example.test' })
  assert.equal(notifier.subscribe({ room: ROOM, watcher: BOB, event: 'presence' }).status, 489)
  assert.equal(notifier.subscribe({ room: 'sip:nope@example.test', watcher: BOB, event: 'conference' }).status, 404)
  assert.equal(notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', expires: 1 }).status, 423)
  assert.equal(notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', id: 'x', inDialog: true }).status, 481)
  assert.equal(notifier.subscribe({ room: ROOM, watcher: 'sip:eve@example.test', event: 'conference' }).status, 403)
})

test('refresh resends full state; unsubscribe and expiry terminate; deleting the room says noresource', () => {
  const { clock, notifier, sent, store } = setup()
  const s = notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', expires: 60 })
  assert.ok(s.status === 200)
  const r = notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', expires: 120, id: s.subscriptionId, inDialog: true })
  assert.ok(r.status === 200 && r.notify.document?.state === 'full' && r.notify.document.room.version === 2)
  const u = notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', expires: 0, id: s.subscriptionId, inDialog: true })
  assert.ok(u.status === 200 && u.notify.state === 'terminated')
  assert.deepEqual(notifier.watchersOf(ROOM), [])

  const e = notifier.subscribe({ room: ROOM, watcher: ALICE, event: 'conference', expires: 60 })
  assert.ok(e.status === 200)
  assert.equal(notifier.nextExpiry(), 60_000)
  clock.advance(60_000)
  assert.deepEqual(notifier.expire().map((n) => [n.subscriptionId, n.state, n.reason]), [[e.subscriptionId, 'terminated', 'timeout']])

  notifier.subscribe({ room: ROOM, watcher: ALICE, event: 'conference', expires: 600 })
  store.deleteRoom(ROOM)
  assert.deepEqual(sent.map((n) => [n.state, n.reason]), [['terminated', 'noresource']])
  assert.deepEqual(notifier.watchersOf(ROOM), [])
})

test('the room\'s files: listed in full documents, and a partial files-only document per change', () => {
  const clock = new FakeClock()
  const store = new InMemoryRoomStore({ clock })
  store.createRoom(ROOM)
  const files: Array<{ name: string; sha1: string }> = []
  const notifier = new ConferenceNotifier(store, { clock, filesOf: () => files })
  const empty = notifier.subscribe({ room: ROOM, watcher: BOB, event: 'conference', expires: 600 })
  assert.ok(empty.status === 200 && empty.notify.document?.state === 'full')
  assert.equal(empty.notify.document.room.files, undefined, 'no <files> while the room has none')
  files.push({ name: 'a.txt', sha1: 'a'.repeat(40) })
  const changed = notifier.filesChanged(ROOM)
  assert.equal(changed.length, 1)
  const partial = changed[0]!.document!
  assert.ok(partial.state === 'partial')
  assert.equal(partial.room.version, 2, 'counts on the subscription')
  assert.deepEqual(partial.room.files, files)
  assert.match(buildPartialRoster(partial.room, partial.changes), /<file><name>a\.txt<\/name>/)
  const late = notifier.subscribe({ room: ROOM, watcher: CAROL, event: 'conference', expires: 600 })
  assert.ok(late.status === 200 && late.notify.document?.state === 'full')
  assert.deepEqual(late.notify.document.room.files, files)
  assert.deepEqual(notifier.filesChanged('sip:nope@example.test'), [])
})
