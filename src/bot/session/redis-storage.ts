/**
 * `redisStorage()`: sessions in Redis through ioredis, an optional peer dependency loaded only
 * when a bot asks for Redis by URL (`npm install ioredis`).
 *
 * @module
 */
import { StorageError } from './storage.ts'
import type { StorageAdapter } from './storage.ts'

/** The few ioredis commands the adapter uses (an ioredis `Redis` or `Cluster` has them). */
export interface RedisCommands {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  set(key: string, value: string, secondsToken: 'EX', seconds: number): Promise<unknown>
  del(key: string): Promise<number>
  quit(): Promise<unknown>
}

/** Options for {@link redisStorage}: give a connected `client`, or a `url` to connect to. */
export interface RedisStorageOptions {
  /** An ioredis client you made; the adapter never closes it. */
  client?: RedisCommands | undefined
  /** A Redis URL (`redis://host:6379/0`); the adapter makes the client and `close()` closes it. */
  url?: string | undefined
  /** Prepended to every key (default 'msrp-bot:'), to share a database with other programs. */
  keyPrefix?: string | undefined
  /** Expire values this many seconds after their last write (default: never). */
  ttlSeconds?: number | undefined
}

/** A {@link StorageAdapter} on Redis, with `close()` for a client it made itself. */
export interface RedisStorage<T> extends StorageAdapter<T> {
  /** Closes the connection the adapter opened from `url` (no-op for a `client` you gave). */
  close(): Promise<void>
}

async function connect(url: string): Promise<RedisCommands> {
  let module: { Redis: new (url: string, options: object) => RedisCommands }
  try {
    module = (await import('ioredis')) as unknown as typeof module
  } catch (error) {
    throw new StorageError("redisStorage({ url }) needs the ioredis package: run `npm install ioredis`", { cause: error })
  }
  return new module.Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 })
}

/**
 * Keeps each value as a JSON string in Redis (`SET`, `GET`, `DEL`), under `keyPrefix + key`.
 *
 * @example
 * ```ts
 * const storage = redisStorage({ url: process.env.REDIS_URL })
 * bot.use(session({ initial: () => ({ count: 0 }), storage }))
 * ```
 */
export function redisStorage<T = unknown>(options: RedisStorageOptions): RedisStorage<T> {
  if ((options?.client === undefined) === (options?.url === undefined)) {
    throw new TypeError("redisStorage() needs exactly one of { client } (an ioredis client) or { url: 'redis://host:6379' }")
  }
  const { ttlSeconds } = options
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)) {
    throw new RangeError(`redisStorage({ ttlSeconds }) must be a positive whole number, got ${ttlSeconds}`)
  }
  const prefix = options.keyPrefix ?? 'msrp-bot:'
  let client: Promise<RedisCommands> | undefined = options.client === undefined ? undefined : Promise.resolve(options.client)
  const getClient = () => (client ??= connect(options.url as string))
  const fail = (what: string, key: string, error: unknown): never => {
    throw error instanceof StorageError ? error : new StorageError(`redisStorage: ${what} "${prefix + key}" failed: ${String(error)}`, { cause: error })
  }

  return {
    async read(key) {
      let text: string | null
      try {
        text = await (await getClient()).get(prefix + key)
      } catch (error) {
        return fail('GET', key, error)
      }
      if (text === null) return undefined
      try {
        return JSON.parse(text) as T
      } catch (error) {
        throw new StorageError(`redisStorage: the value at "${prefix + key}" is not JSON; fix or delete it`, { cause: error })
      }
    },
    async write(key, value) {
      const text = JSON.stringify(value)
      if (text === undefined) throw new StorageError(`redisStorage: the value for "${key}" is not JSON`)
      try {
        const redis = await getClient()
        if (ttlSeconds === undefined) await redis.set(prefix + key, text)
        else await redis.set(prefix + key, text, 'EX', ttlSeconds)
      } catch (error) {
        fail('SET', key, error)
      }
    },
    async delete(key) {
      try {
        await (await getClient()).del(prefix + key)
      } catch (error) {
        fail('DEL', key, error)
      }
    },
    async close() {
      if (options.client !== undefined || client === undefined) return
      const made = client
      client = undefined
      await (await made).quit()
    },
  }
}
