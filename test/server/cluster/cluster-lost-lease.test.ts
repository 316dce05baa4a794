// A node that lost a room's lease while it was still serving it (paused, cut off from Redis):
// its next write is refused by the fencing check, it sends the room's participants away with a
// Reason that tells them to come back, and they rejoin through the room's new owner.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { TestParticipant } from '../participant.ts'
import { redisAvailable, startNode, startRedis, type RedisServer, type TestNode } from './harness.ts'

const available = redisAvailable()
const LOBBY = 'sip:lobby@cluster.test'

describe('a node that lost its lease gives the room up', { skip: available.ok ? false : available.why }, () => {
  let server: RedisServer
  let redis: Redis
  let a: TestNode
  let b: TestNode
  const people: TestParticipant[] = []

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
    b = await startNode(server.url, 'b', ['lobby'])
    a = await startNode(server.url, 'a')
  })

  after(async () => {
    for (const p of people) await p.close()
    await a?.stop()
    await b?.stop()
    await redis?.quit()
    await server?.stop()
  })

  test('B\'s write after A took the room is refused; B says BYE (come back later); the rejoin reaches A', async () => {
    const bob = await TestParticipant.create(b.server, 'bob', { transport: 'tcp' })
    people.push(bob)
    await bob.joinOk('lobby')
    assert.equal(await bob.say('lobby', 'kept'), 200)
    // B stops renewing (a long pause): its lease runs out, and A takes the room on a join.
    await b.cluster.leases.holder(LOBBY) // B's writes so far are applied
    await redis.del(`msrp-bot:cluster.test:room:{${LOBBY}}:lease`)
    const carol = await TestParticipant.create(a.server, 'carol', { transport: 'tcp' })
    people.push(carol)
    await carol.joinOk('lobby')
    assert.equal(a.cluster.store.owns(LOBBY), true)
    await carol.messages.next((m) => m.text === 'kept')
    // B, unaware, accepts one more message; its write is fenced off and B gives the room up.
    await bob.say('lobby', 'from the paused node')
    const bye = await bob.byeReasons.next()
    assert.match(bye.reason ?? '', /cause=503/, 'the BYE tells the participant to come back')
    assert.equal(b.cluster.store.owns(LOBBY), false)
    assert.equal(b.server.room('lobby'), undefined)
    // Bob comes back through B, which now proxies to A.
    bob.rooms.clear()
    await bob.joinOk('lobby')
    assert.equal(a.server.room('lobby')?.participants().length, 2)
    assert.equal(carol.messages.items.some((m) => m.text === 'from the paused node'), false)
    const kept = await redis.lrange(`msrp-bot:cluster.test:room:{${LOBBY}}:history`, 0, -1)
    assert.equal(kept.some((e) => Buffer.from(JSON.parse(e).cpim, 'base64').toString().includes('paused')), false)
  })
})

describe('Redis gone: a node stops serving its rooms before their leases could be taken', { skip: available.ok ? false : available.why }, () => {
  test('the participants get a BYE telling them to come back', async () => {
    const server = await startRedis()
    const node = await startNode(server.url, 'solo', ['lobby'], { leaseMs: 600 })
    const bob = await TestParticipant.create(node.server, 'bob', { transport: 'tcp' })
    try {
      await bob.joinOk('lobby')
      await server.stop()
      // Renewals fail; within two thirds of the lease the node gives the room up.
      const bye = await bob.byeReasons.next(() => true, 15_000)
      assert.match(bye.reason ?? '', /cause=503/)
      assert.equal(node.cluster.store.owns(LOBBY), false)
    } finally {
      await bob.close()
      await node.server.close()
      await node.cluster.close().catch(() => undefined)
    }
  })
})
