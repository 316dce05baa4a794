/**
 * Rooms on demand: created by the first INVITE to an unknown room URI (after the requester
 * authenticated), removed with the last participant, bounded in number; 404 without the option.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { withServer } from './suite.ts'
import { TestParticipant } from './participant.ts'

test('without autoCreateRooms an unknown room is 404', async () => {
  await withServer('memory', {}, async (server, join) => {
    const alice = await join('alice')
    const refused = await alice.join('nowhere')
    assert.ok('status' in refused && refused.status === 404)
    assert.equal(server.room('nowhere'), undefined)
  })
})

test('a room is created on the first INVITE and removed after the last BYE, its history dropped by default', async () => {
  await withServer('memory', { autoCreateRooms: true }, async (server, join) => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    await alice.joinOk('pop-up')
    assert.ok(server.room('pop-up') !== undefined, 'created by the INVITE')
    await bob.joinOk('pop-up')
    assert.equal(await alice.say('pop-up', 'hi'), 200)
    await alice.leave('pop-up')
    assert.ok(server.room('pop-up') !== undefined, 'bob is still in it')
    await bob.leave('pop-up')
    assert.equal(server.room('pop-up'), undefined, 'removed with its last participant')
    assert.ok(server.room('lobby') !== undefined, 'a room the operator made stays, empty or not')
    // Created again: a new room, without the old history.
    await alice.joinOk('pop-up')
    assert.equal(server.rooms.store.listHistory(server.roomUri('pop-up')).length, 0)
  })
})

test('with history "keep" a room created again replays what was said before', async () => {
  await withServer('memory', { autoCreateRooms: true, roomsOnDemand: { history: 'keep' } }, async (server, join) => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    await alice.joinOk('pop-up')
    assert.equal(await alice.say('pop-up', 'remember me'), 200)
    await alice.leave('pop-up')
    assert.equal(server.room('pop-up'), undefined)
    await bob.joinOk('pop-up')
    assert.equal((await bob.messages.next()).text, 'remember me')
  })
})

test('the number of rooms created on demand is bounded: 503 with Retry-After, then room again once one emptied', async () => {
  await withServer('memory', { autoCreateRooms: true, roomsOnDemand: { maxRooms: 2 } }, async (server, join) => {
    const alice = await join('alice')
    await alice.joinOk('r1')
    await alice.joinOk('r2')
    const refused = await alice.join('r3')
    assert.ok('status' in refused && refused.status === 503, 'over the limit')
    assert.equal(refused.reason, 'Too Many Rooms')
    assert.ok(refused.headers.get('Retry-After') !== undefined)
    assert.equal(server.room('r3'), undefined)
    await alice.joinOk('lobby') // an existing room is no creation
    await alice.leave('r1')
    await alice.joinOk('r3')
  })
})

test('the creator authenticates first: no room for a wrong password or a guest, unless guests are allowed', async () => {
  await withServer('memory', { autoCreateRooms: true, users: { alice: 'secret', mallory: 'other' } }, async (server, join) => {
    const liar = await join('alice', 'wrong')
    const refused = await liar.join('minted')
    assert.ok('status' in refused && refused.status >= 400)
    assert.equal(server.room('minted'), undefined, 'no room for a failed authentication')
    // A guest of another domain:
    const outsider = await TestParticipant.create(server, 'eve', { uri: 'sip:eve@elsewhere.test' })
    try {
      const out = await outsider.join('minted')
      assert.ok('status' in out && out.status === 403, 'guests of other domains may not mint rooms')
      assert.equal(server.room('minted'), undefined)
    } finally {
      await outsider.close()
    }
    const alice = await join('alice', 'secret')
    await alice.joinOk('minted')
    assert.ok(server.room('minted') !== undefined)
    // A local user's address is a call, not a room.
    const call = await alice.join('mallory')
    assert.ok('status' in call && call.status === 404, 'INVITE to a known user is not taken for a room')
    assert.equal(server.room('mallory'), undefined)
  })
})

test('with allowGuests a guest may create a room', async () => {
  await withServer('memory', { autoCreateRooms: true, users: { alice: 'secret' }, allowGuests: true }, async (server) => {
    const outsider = await TestParticipant.create(server, 'eve', { uri: 'sip:eve@elsewhere.test' })
    try {
      await outsider.joinOk('guests')
      assert.ok(server.room('guests') !== undefined)
      await outsider.leave('guests')
      assert.equal(server.room('guests'), undefined)
    } finally {
      await outsider.close()
    }
  })
})
