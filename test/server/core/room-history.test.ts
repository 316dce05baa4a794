import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InMemoryRoomStore, MAX_HISTORY_MARKS, RoomDirectory, RoomHistory, ServerRoom } from '../../../src/server/core/index.ts'
import { parseCpim } from '../../../src/cpim/parser.ts'
import { buildCpim } from '../../../src/cpim/builder.ts'
import { isHistoryReplay, markHistoryReplay } from '../../../src/rooms/history.ts'

const ROOM = 'sip:lobby@example.test'
const bytes = (n: number): Uint8Array => new Uint8Array(n)

test('RoomHistory keeps at most N messages and B bytes, evicting the oldest; seq numbers are never reused', () => {
  const h = new RoomHistory()
  const limits = { messages: 3, bytes: 250 }
  for (let i = 0; i < 5; i++) h.append({ sender: 'sip:a@x', at: i, cpim: bytes(50) }, limits)
  assert.deepEqual(h.entries.map((e) => e.seq), [3, 4, 5], 'count cap')
  h.append({ sender: 'sip:a@x', at: 6, cpim: bytes(200) }, limits)
  assert.deepEqual(h.entries.map((e) => e.seq), [5, 6], 'byte cap: the oldest went')
  assert.equal(h.bytes, 250)
  assert.equal(h.append({ sender: 'sip:a@x', at: 7, cpim: bytes(251) }, limits), undefined, 'one message over the cap alone is not kept')
  assert.equal(h.append({ sender: 'sip:a@x', at: 8, cpim: bytes(1) }, { messages: 0, bytes: 250 }), undefined, 'history off')
  h.trim({ messages: 0, bytes: 250 })
  assert.equal(h.entries.length, 0)
  assert.equal(h.lastSeq, 6)
})

test('RoomHistory remembers a bounded number of last-seen marks', () => {
  const h = new RoomHistory()
  for (let i = 0; i <= MAX_HISTORY_MARKS; i++) h.markSeen(`id${i}`, i)
  assert.equal(h.lastSeen('id0'), undefined, 'the oldest mark was forgotten')
  assert.equal(h.lastSeen(`id${MAX_HISTORY_MARKS}`), MAX_HISTORY_MARKS)
})

test('ServerRoom keeps public chat messages only, adds a DateTime when missing, and replays what an identity has not seen', () => {
  const store = new InMemoryRoomStore()
  store.createRoom(ROOM, { history: 10 })
  let n = 0
  const room = new ServerRoom(store, ROOM, { newId: () => `p${++n}` })
  const alice = room.join({ uri: 'sip:alice@example.test' })
  const bob = room.join({ uri: 'sip:bob@example.test' })
  assert.ok(alice.ok && bob.ok)
  const send = (from: string, participantId: string, to: string, body: string, contentType = 'text/plain'): void => {
    const raw = buildCpim({ from: { uri: from }, to: [{ uri: to }], contentType, body })
    const d = room.handleMessage({ participantId, cpim: parseCpim(raw), raw, receivedAt: new Date('2026-12-07T12:00:00Z') })
    assert.equal(d.action, 'deliver')
  }
  send('sip:alice@example.test', 'p1', ROOM, 'public')
  send('sip:alice@example.test', 'p1', 'sip:bob@example.test', 'private')
  send('sip:alice@example.test', 'p1', ROOM, '<isComposing/>', 'application/im-iscomposing+xml')
  const kept = store.listHistory(ROOM)
  assert.equal(kept.length, 1, 'only the public chat message')
  const cpim = parseCpim(kept[0]!.cpim)
  assert.equal(cpim.dateTime?.toISOString(), '2026-12-07T12:00:00.000Z', 'the focus added the DateTime')
  assert.equal(Buffer.from(cpim.body).toString(), 'public')
  assert.ok(isHistoryReplay(parseCpim(markHistoryReplay(kept[0]!.cpim))))

  const carol = room.join({ uri: 'sip:carol@example.test' })
  assert.ok(carol.ok)
  assert.deepEqual(room.historyFor('p3').map((e) => e.seq), [1], 'a newcomer gets it')
  const carol2 = room.join({ uri: 'sip:carol@example.test' })
  assert.ok(carol2.ok)
  assert.deepEqual(room.historyFor('p4'), [], 'a second session of someone in the room gets nothing')
  room.sawHistory('p3')
  room.leave('p3')
  room.leave('p4')
  send('sip:alice@example.test', 'p1', ROOM, 'later')
  const back = room.join({ uri: 'sip:carol@example.test' })
  assert.ok(back.ok)
  assert.deepEqual(room.historyFor('p5').map((e) => e.seq), [2], 'only what was said while away')
})

test('RoomDirectory: rooms on demand are bounded, removed when empty, history kept or dropped', () => {
  const keep = new RoomDirectory(new InMemoryRoomStore(), { autoCreate: true, maxRoomsOnDemand: 1, historyOnRemoval: 'keep', newId: () => 'p1' })
  const opened = keep.openOnDemand('sip:a@example.test')
  assert.ok(opened.ok && opened.created)
  const refused = keep.openOnDemand('sip:b@example.test')
  assert.ok(!refused.ok && refused.status === 503)
  const again = keep.openOnDemand('sip:a@EXAMPLE.test')
  assert.ok(again.ok && !again.created, 'an existing room is no creation')
  const named = keep.create('sip:named@example.test')
  assert.equal(keep.removeIfEmpty(named.uri), false, 'rooms made by the operator stay')
  const room = opened.room
  const joined = room.join({ uri: 'sip:alice@example.test' })
  assert.ok(joined.ok)
  assert.equal(keep.removeIfEmpty(room.uri), false, 'not while someone is in it')
  keep.store.appendHistory(room.uri, { sender: 'sip:alice@example.test', at: 0, cpim: bytes(10) })
  room.leave('p1')
  assert.equal(keep.removeIfEmpty(room.uri), true)
  assert.equal(keep.get(room.uri), undefined)
  const back = keep.openOnDemand('sip:a@example.test')
  assert.ok(back.ok && back.created)
  assert.equal(keep.store.listHistory('sip:a@example.test').length, 1, 'history kept for the room created again')

  const drop = new RoomDirectory(new InMemoryRoomStore(), { autoCreate: true })
  const r = drop.openOnDemand('sip:a@example.test')
  assert.ok(r.ok)
  drop.store.appendHistory(r.room.uri, { sender: 'sip:alice@example.test', at: 0, cpim: bytes(10) })
  assert.equal(drop.removeIfEmpty(r.room.uri), true)
  const fresh = drop.openOnDemand('sip:a@example.test')
  assert.ok(fresh.ok)
  assert.equal(drop.store.listHistory(fresh.room.uri).length, 0, 'dropped by default')
  assert.ok(!new RoomDirectory().openOnDemand('sip:x@example.test').ok, '404 without autoCreate')
})
