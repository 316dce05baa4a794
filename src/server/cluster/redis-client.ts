/**
 * The Redis connection a cluster node uses: the few ioredis commands it needs, and a loader that
 * imports the optional `ioredis` peer dependency only when `--redis` is given.
 *
 * @module
 */
import { MsrpBotError } from '../../errors.ts'

/** The ioredis commands the cluster code calls (an ioredis `Redis` has them). */
export interface ClusterRedis {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
  get(key: string): Promise<string | null>
  hget(key: string, field: string): Promise<string | null>
  hgetall(key: string): Promise<Record<string, string>>
  hset(key: string, field: string, value: string): Promise<unknown>
  hdel(key: string, field: string): Promise<unknown>
  pexpire(key: string, ms: number): Promise<unknown>
  lrange(key: string, start: number, stop: number): Promise<string[]>
  quit(): Promise<unknown>
  disconnect(): void
}

/** Raised when the cluster cannot reach or use Redis; the message says what to do. */
export class ClusterError extends MsrpBotError {}

/**
 * Connects to Redis at `url` (`redis://host:port/db`) and resolves once the connection is ready.
 * Rejects with `CLUSTER_REDIS_MISSING` when ioredis is not installed and `CLUSTER_REDIS_UNREACHABLE`
 * when the server does not answer.
 */
export async function connectRedis(url: string): Promise<ClusterRedis> {
  let module: { Redis: new (url: string, options: object) => ClusterRedis & { once(e: string, f: (x?: unknown) => void): void } }
  try {
    module = (await import('ioredis')) as unknown as typeof module
  } catch (error) {
    throw new ClusterError('CLUSTER_REDIS_MISSING', '--redis needs the ioredis package: run `npm install ioredis`', { cause: error })
  }
  const client = new module.Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true })
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve())
    client.once('error', (error) => {
      client.disconnect()
      reject(new ClusterError('CLUSTER_REDIS_UNREACHABLE', `cannot reach Redis at ${url}: ${String(error)}; start redis-server or fix --redis`, { cause: error }))
    })
  })
  return client
}
