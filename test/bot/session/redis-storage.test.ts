import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { redisStorage } from '../../../src/bot/session/redis-storage.ts'
import { redisAvailable, startRedis } from './redis-server.ts'
import type { RedisServer } from './redis-server.ts'

const available = redisAvailable()

describe('redisStorage on a real redis-server', { skip: available.ok ? false : available.why }, () => {
  let redis: RedisServer
  before(async () => {
    redis = await startRedis()
  })
  after(async () => {
    await redis?.stop()
  })

  it('reads, writes and deletes JSON values under its key prefix', async () => {
    const storage = redisStorage<{ count: number }>({ url: redis.url, keyPrefix: 'test:' })
    try {
      assert.equal(await storage.read('k'), undefined)
      await storage.write('k', { count: 2 })
      assert.deepEqual(await storage.read('k'), { count: 2 })
      const raw = new Redis(redis.url)
      try {
        assert.equal(await raw.get('test:k'), '{"count":2}')
        await raw.set('test:bad', 'not json')
        await assert.rejects(storage.read('bad'), /is not JSON; fix or delete it/)
      } finally {
        await raw.quit()
      }
      await storage.delete('k')
      assert.equal(await storage.read('k'), undefined)
    } finally {
      await storage.close()
    }
  })

  it('uses a client it was given, leaves it open, and expires values after ttlSeconds', async () => {
    const client = new Redis(redis.url)
    try {
      const storage = redisStorage<number>({ client, ttlSeconds: 60 })
      await storage.write('ttl', 1)
      const ttl = await client.ttl('msrp-bot:ttl')
      assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}`)
      await storage.close() // not ours to close
      assert.equal(await client.get('msrp-bot:ttl'), '1')
    } finally {
      await client.quit()
    }
  })

  it('says what is wrong with its options', () => {
    assert.throws(() => redisStorage({}), /exactly one of/)
    assert.throws(() => redisStorage({ url: 'redis://x', client: {} as never }), /exactly one of/)
    assert.throws(() => redisStorage({ url: 'redis://x', ttlSeconds: 0 }), /positive whole number/)
  })
})
