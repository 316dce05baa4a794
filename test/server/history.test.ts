/**
 * Room history on the wire: what a late joiner receives when its MSRP session comes up, and what
 * it does not (private messages, a second replay after a re-join or a re-INVITE).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildCpim } from '../../src/cpim/builder.ts'
import { getCpimHeader } from '../../src/cpim/parser.ts'
import { HISTORY_HEADER, MSRP_BOT_CPIM_NAMESPACE, isHistoryReplay } from '../../src/rooms/history.ts'
import { withServer } from './suite.ts'
import type { Received, TestParticipant } from './participant.ts'

const ROOM = 'sip:lobby@example.test'

/** Waits for `n` messages and returns their texts. */
async function texts(p: TestParticipant, n: number): Promise<string[]> {
  const out: Received[] = []
  for (let i = 0; i < n; i++) out.push(await p.messages.next())
  return out.map((m) => m.text)
}

for (const kind of ['memory', 'tcp'] as const) test(`a late joiner gets the public messages first, in order, once, marked, with a DateTime, never a private one (${kind})`, async () => {
  await withServer(kind, {}, async (_server, join) => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    await alice.joinOk('lobby')
    await bob.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'one'), 200)
    assert.equal(await bob.say('lobby', 'psst alice', { to: alice.uri }), 200, 'private: never kept')
    const given = new Date('2026-01-02T03:04:05.000Z')
    const dated = buildCpim({ from: { uri: bob.uri }, to: [{ uri: ROOM }], dateTime: given, contentType: 'text/plain', body: 'two' })
    assert.equal(await bob.sendRaw('lobby', 'message/cpim', dated), 200)
    assert.equal(await alice.say('lobby', 'three'), 200)
    const before = Date.now()

    const carol = await join('carol')
    await carol.joinOk('lobby')
    // A live message right away: it must come after the replay.
    assert.equal(await alice.say('lobby', 'live'), 200)
    assert.deepEqual(await texts(carol, 4), ['one', 'two', 'three', 'live'])
    const [one, two, three, live] = carol.messages.items
    for (const replayed of [one!, two!, three!]) {
      assert.ok(isHistoryReplay(replayed.cpim), 'marked as a replay')
      assert.equal(getCpimHeader(replayed.cpim, MSRP_BOT_CPIM_NAMESPACE, HISTORY_HEADER), 'replay')
      assert.equal(replayed.cpim.to[0]!.uri, ROOM, 'To unchanged')
      assert.ok(replayed.cpim.dateTime instanceof Date, 'every replayed message has a DateTime')
    }
    assert.equal(one!.cpim.from.uri, alice.uri, 'From unchanged')
    assert.equal(two!.cpim.from.uri, bob.uri)
    assert.equal(two!.cpim.dateTime!.toISOString(), given.toISOString(), 'a DateTime the sender gave is kept')
    assert.ok(one!.cpim.dateTime!.getTime() <= before && one!.cpim.dateTime!.getTime() > before - 60_000, 'a missing DateTime is the time the focus received it')
    assert.equal(live!.cpim.dateTime, undefined, 'live messages are relayed unchanged')
    assert.equal(isHistoryReplay(live!.cpim), false)
    assert.ok(!carol.messages.items.some((m) => m.text === 'psst alice'), 'no private message is replayed')
    assert.equal(carol.messages.items.length, 4, 'each replayed once')
    // Those already in the room got nothing replayed.
    assert.deepEqual(bob.messages.items.map((m) => m.text), ['one', 'three', 'live'])
  })
})

test('a re-join replays only what was said while away; a re-INVITE and a second session replay nothing', async () => {
  await withServer('memory', {}, async (_server, join) => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    await alice.joinOk('lobby')
    await bob.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'before'), 200)
    assert.equal((await bob.messages.next()).text, 'before')
    // A session refresh (re-INVITE without a body) is no new arrival.
    assert.equal((await bob.inDialog('lobby', 'INVITE')).status, 200)
    await bob.leave('lobby')
    assert.equal(await alice.say('lobby', 'while bob was away'), 200)
    await bob.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'welcome back'), 200)
    assert.deepEqual(await texts(bob, 2), ['while bob was away', 'welcome back'])
    assert.equal(bob.messages.items.length, 3, '"before" was not replayed again')

    // A second device of someone already in the room: it is in the room, nothing replayed.
    const bob2 = await join('bob')
    await bob2.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'to both'), 200)
    assert.equal((await bob2.messages.next()).text, 'to both')
    assert.equal(bob2.messages.items.length, 1)
  })
})

test('a passive joiner (the focus dials) gets the history after the binding SEND', async () => {
  await withServer('memory', {}, async (_server, join) => {
    const alice = await join('alice')
    await alice.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'hello'), 200)
    const dave = await join('dave')
    await dave.joinPassive('lobby')
    const got = await dave.messages.next()
    assert.equal(got.text, 'hello')
    assert.ok(isHistoryReplay(got.cpim))
  })
})

test('the byte cap evicts the oldest messages; history 0 keeps none; a room setting wins over the server default', async () => {
  await withServer('memory', { historyBytes: 600, rooms: { lobby: {}, quiet: { history: 0 }, short: { history: 1 } } }, async (server, join) => {
    const alice = await join('alice')
    for (const room of ['lobby', 'quiet', 'short']) await alice.joinOk(room)
    for (const text of ['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(100), 'd'.repeat(100)]) {
      for (const room of ['lobby', 'quiet', 'short']) assert.equal(await alice.say(room, text), 200)
    }
    const kept = server.rooms.store.listHistory(server.roomUri('lobby'))
    assert.ok(kept.reduce((n, e) => n + e.cpim.byteLength, 0) <= 600, 'within the byte cap')
    assert.ok(kept.length >= 1 && kept.length < 4, `the oldest were evicted (${kept.length} kept)`)
    assert.equal(server.rooms.store.listHistory(server.roomUri('quiet')).length, 0)
    assert.equal(server.rooms.store.listHistory(server.roomUri('short')).length, 1)
    const bob = await join('bob')
    await bob.joinOk('lobby')
    const first = await bob.messages.next()
    assert.notEqual(first.text, 'a'.repeat(100), 'the oldest message is gone')
    await bob.joinOk('quiet')
    assert.equal(await alice.say('quiet', 'now'), 200)
    assert.equal((await bob.messages.next((m) => m.room === server.roomUri('quiet'))).text, 'now', 'history off: only live messages')
  })
})

test('history 0 on the server turns replay off', async () => {
  await withServer('memory', { history: 0 }, async (server, join) => {
    const alice = await join('alice')
    await alice.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'gone'), 200)
    assert.equal(server.rooms.store.listHistory(server.roomUri('lobby')).length, 0)
    const bob = await join('bob')
    await bob.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'live'), 200)
    assert.equal((await bob.messages.next()).text, 'live')
  })
})

test('a participant cannot forge the history marker (403)', async () => {
  await withServer('memory', {}, async (server, join) => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    await alice.joinOk('lobby')
    await bob.joinOk('lobby')
    const forged = buildCpim({
      from: { uri: alice.uri },
      to: [{ uri: ROOM }],
      namespaces: { mine: MSRP_BOT_CPIM_NAMESPACE },
      headers: [{ namespace: MSRP_BOT_CPIM_NAMESPACE, name: HISTORY_HEADER, value: 'replay' }],
      contentType: 'text/plain',
      body: 'pretend this is old',
    })
    assert.equal(await alice.sendRaw('lobby', 'message/cpim', forged), 403)
    assert.equal(server.rooms.store.listHistory(ROOM).length, 0)
    assert.equal(await alice.say('lobby', 'real'), 200)
    assert.equal((await bob.messages.next()).text, 'real', 'the forged message reached nobody')
  })
})
