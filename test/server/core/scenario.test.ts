/**
 * The server core driven the way the wiring will drive it: a bot registers and publishes presence,
 * a watcher subscribes, two users join a room, chat publicly and privately, a moderator removes one.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  aggregateDelivery,
  applyKick,
  decideRefer,
  nicknameKey,
  PresenceAgent,
  Registrar,
  RoomDirectory,
  InMemoryRoomStore,
  type DeliveryOutcome,
  type RoomStoreEvent,
} from '../../../src/server/core/index.ts'
import { FakeClock } from '../../../src/clock.ts'
import { ALICE, BOB, MOD, ROOM, cpim } from './fixtures.ts'

test('a bot session from REGISTER to being removed', () => {
  const clock = new FakeClock()
  const registrar = new Registrar({ clock })
  const presence = new PresenceAgent({ clock })
  const store = new InMemoryRoomStore({ clock })
  const notifications: RoomStoreEvent[] = []
  store.subscribe((e) => notifications.push(e))
  const rooms = new RoomDirectory(store, { clock, autoCreate: { moderators: [MOD] } })

  // REGISTER over a TCP connection, then PUBLISH open.
  const reg = registrar.register({ aor: ALICE, callId: 'r1', cseq: 1, contacts: [{ uri: 'sip:alice@192.0.2.1:5060;transport=tcp' }], expires: 600, flow: 'tcp#1' })
  assert.equal(reg.status, 200)
  const watch = presence.subscribe({ presentity: ALICE, watcher: BOB, event: 'presence' })
  assert.ok(watch.status === 200)
  const pub = presence.publish({ presentity: ALICE, event: 'presence', contentType: 'application/pidf+xml', body: new TextEncoder().encode('<presence/>') })
  assert.ok(pub.status === 200 && pub.notify.length === 1 && pub.notify[0]?.subscriptionId === watch.subscriptionId)

  // INVITE to an unknown room creates it; both join; Alice takes a nickname.
  const room = rooms.open(ROOM)!
  const alice = room.join({ uri: ALICE })
  const bob = room.join({ uri: BOB })
  assert.ok(alice.ok && bob.ok)
  assert.ok(room.handleNicknameRequest(alice.participant.id, 'Alice').ok)

  // Public message: fan out, one leg fails, the sender's report is honest.
  const d = room.handleMessage({ participantId: alice.participant.id, cpim: cpim(ALICE, 'hi all') })
  assert.ok(d.action === 'deliver')
  const outcomes: DeliveryOutcome[] = d.recipients.map((id) => ({ participantId: id, ok: true }))
  assert.deepEqual(aggregateDelivery(d.kind, outcomes).status, 200)

  // Private message whose addressee vanished mid-delivery.
  const p = room.handleMessage({ participantId: bob.participant.id, cpim: cpim(BOB, 'psst', { to: [ALICE] }) })
  assert.ok(p.action === 'deliver' && p.kind === 'private')
  const report = aggregateDelivery(p.kind, [{ participantId: alice.participant.id, ok: false, status: 481 }])
  assert.equal(report.status, 404, "the addressee's gone session is not the sender's 481")

  // The moderator removes Bob; routing a request to Alice uses her registered flow.
  const refer = decideRefer(room, { requester: MOD, referTo: `<${BOB};method=BYE>` })
  assert.ok(refer.ok)
  applyKick(room, refer.action)
  assert.deepEqual(room.participants().map((x) => x.uri), [ALICE])
  assert.equal(registrar.lookup(ALICE)[0]?.flow, 'tcp#1')
  const kinds = notifications.flatMap((e) => (e.type === 'roster' ? [`${e.change.kind}:${e.change.version}`] : [e.type]))
  assert.deepEqual(kinds, ['room-created', 'join:1', 'join:2', 'nickname:3', 'leave:4'])
})

test('property: any sequence of joins, leaves and nickname requests keeps versions gap-free and nicknames unique', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('join' as const), who: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('leave' as const), slot: fc.nat() }),
    fc.record({ kind: fc.constant('nick' as const), slot: fc.nat(), nick: fc.constantFrom('Alice', 'alice', 'ＡＬＩＣＥ', 'bob', ' Bob ', '', 'x\u0000', 'carol') }),
    fc.record({ kind: fc.constant('unnick' as const), slot: fc.nat() }),
  )
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const rooms = new RoomDirectory()
      const room = rooms.create(ROOM)
      let expected = 0
      for (const o of ops) {
        const ids = room.participants().map((p) => p.id)
        let changed = false
        if (o.kind === 'join') changed = room.join({ uri: `sip:user${o.who}@example.test` }).ok
        else if (ids.length > 0) {
          const id = ids[o.slot % ids.length]!
          if (o.kind === 'leave') changed = room.leave(id) !== undefined
          else if (o.kind === 'nick') {
            const r = room.setNickname(id, o.nick)
            changed = r.ok && r.change !== undefined
          } else {
            const r = room.removeNickname(id)
            changed = r.ok && r.change !== undefined
          }
        }
        if (changed) expected++
        assert.equal(room.version, expected)
        const keys = room.participants().flatMap((p) => (p.nickname === undefined ? [] : [nicknameKey(p.nickname)]))
        assert.equal(new Set(keys).size, keys.length, 'no two participants share a nickname')
      }
    }),
    { numRuns: 150 },
  )
})
