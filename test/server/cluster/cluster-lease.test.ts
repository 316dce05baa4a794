// Room leases and fencing on a real redis-server: one owner at a time, a new fencing token for
// every new owner, and a paused old owner's writes refused once another node took the room.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { unrefClock } from '../../../src/clock.ts'
import { silentLogger } from '../../../src/logger.ts'
import { ClusterKeys } from '../../../src/server/cluster/keys.ts'
import { connectRedis, type ClusterRedis } from '../../../src/server/cluster/redis-client.ts'
import { RedisRoomStore } from '../../../src/server/cluster/redis-room-store.ts'
import { parseLease, RoomLeases } from '../../../src/server/cluster/room-lease.ts'
import { redisAvailable, startRedis, type RedisServer } from './harness.ts'

const available = redisAvailable()
const ROOM = 'sip:lobby@cluster.test'
const cpim = (text: string): Uint8Array => new TextEncoder().encode(`From: <sip:a@cluster.test>\r\n\r\nContent-Type: text/plain\r\n\r\n${text}`)

describe('room leases and fencing', { skip: available.ok ? false : available.why }, () => {
  let server: RedisServer
  let raw: Redis
  const clients: ClusterRedis[] = []
  const stores: RedisRoomStore[] = []
  const keys = new ClusterKeys('test:')

  before(async () => {
    server = await startRedis()
    raw = new Redis(server.url)
  })

  after(async () => {
    for (const s of stores) await s.close()
    for (const c of clients) await c.quit()
    await raw?.quit()
    await server?.stop()
  })

  async function node(id: string, onLost?: (uri: string) => void): Promise<RedisRoomStore> {
    const redis = await connectRedis(server.url)
    clients.push(redis)
    const leases = new RoomLeases(redis, keys, { node: id, address: `sip:127.0.0.1:${5000 + clients.length};transport=tcp`, ttlMs: 10_000 })
    const store = new RedisRoomStore(redis, keys, leases, { clock: unrefClock, log: silentLogger, ...(onLost === undefined ? {} : { onLost }) })
    stores.push(store)
    return store
  }

  test('one owner at a time; the other node is told where the room is', async () => {
    const x = await node('x')
    const y = await node('y')
    assert.deepEqual(await y.claim(ROOM), { kind: 'none' }, 'no such room yet')
    assert.deepEqual(await x.claim(ROOM, { create: true }), { kind: 'here' })
    x.createRoom(ROOM, { subject: 'kept in Redis', reservedNicknames: [{ nickname: 'boss', uri: 'sip:boss@cluster.test' }] })
    x.appendHistory(ROOM, { sender: 'sip:a@cluster.test', at: 1, cpim: cpim('one') })
    const place = await y.claim(ROOM)
    assert.equal(place.kind, 'elsewhere')
    assert.equal(place.kind === 'elsewhere' ? place.node : '', 'x')
  })

  test('a paused owner cannot write once another node took the room (fencing token)', async () => {
    const [x, y] = stores as [RedisRoomStore, RedisRoomStore]
    const before = parseLease(await raw.get(keys.lease(ROOM)))!
    // x stops renewing (paused) and its lease runs out: the key is gone, as after the TTL.
    let lost!: (uri: string) => void
    const lostEvent = new Promise<string>((resolve) => { lost = resolve })
    x.onLost = lost
    await raw.del(keys.lease(ROOM))
    assert.deepEqual(await y.claim(ROOM), { kind: 'here' })
    const now = parseLease(await raw.get(keys.lease(ROOM)))!
    assert.equal(now.node, 'y')
    assert.ok(now.token > before.token, 'the new owner has a newer fencing token')
    // y loaded the room as x left it: configuration, reservations and history.
    assert.equal(y.getRoom(ROOM)?.config.subject, 'kept in Redis')
    assert.deepEqual(y.getRoom(ROOM)?.config.reservedNicknames, [{ nickname: 'boss', uri: 'sip:boss@cluster.test' }])
    assert.deepEqual(y.listHistory(ROOM).map((e) => e.seq), [1])
    // x wakes up and writes: refused by the script, and x gives the room up.
    x.appendHistory(ROOM, { sender: 'sip:a@cluster.test', at: 2, cpim: cpim('from the paused node') })
    assert.equal(await lostEvent, ROOM)
    assert.equal(x.owns(ROOM), false)
    assert.equal(x.getRoom(ROOM), undefined)
    y.appendHistory(ROOM, { sender: 'sip:a@cluster.test', at: 3, cpim: cpim('two') })
    await clients[1]!.get('sync') // y's connection answers in order: its write is applied now
    const kept = await raw.lrange(keys.history(ROOM), 0, -1)
    assert.equal(kept.some((e) => Buffer.from(JSON.parse(e).cpim, 'base64').toString().includes('paused')), false)
    assert.deepEqual(kept.map((e) => JSON.parse(e).seq), [1, 2])
  })

  test('a clean close gives the lease back at once', async () => {
    const [, y] = stores as [RedisRoomStore, RedisRoomStore]
    await y.close()
    assert.equal(await raw.get(keys.lease(ROOM)), null)
    assert.equal(await raw.hget(keys.rooms, ROOM), ROOM, 'the room stays in the cluster')
  })
})

describe('renewing many leases in one round trip', { skip: available.ok ? false : available.why }, () => {
  test('renewAll extends the leases still held and reports the lost ones', async () => {
    const server = await startRedis()
    const redis = await connectRedis(server.url)
    const raw = new Redis(server.url)
    try {
      const keys = new ClusterKeys('batch:')
      const leases = new RoomLeases(redis, keys, { node: 'x', address: 'sip:127.0.0.1:5070;transport=tcp', ttlMs: 2000 })
      const rooms = ['sip:r1@cluster.test', 'sip:r2@cluster.test', 'sip:r3@cluster.test']
      const tokens: number[] = []
      for (const room of rooms) {
        const got = await leases.acquire(room)
        assert.equal(got.acquired, true)
        if (got.acquired) tokens.push(got.token)
      }
      await raw.del(keys.lease(rooms[1]!)) // r2's lease ran out
      await raw.pexpire(keys.lease(rooms[0]!), 1000) // r1's lease half gone
      const renewed = await leases.renewAll(rooms.map((room, i) => ({ room, token: tokens[i]! })))
      assert.deepEqual(renewed, [true, false, true])
      assert.ok((await raw.pttl(keys.lease(rooms[0]!))) > 1500, 'renewed to the full lease time')
    } finally {
      await raw.quit()
      await redis.quit()
      await server.stop()
    }
  })
})
