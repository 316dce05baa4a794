/**
 * Registrations shared through Redis: each node writes, per address of record registered
 * through it, `node → address expiresAt` (the hash expires with the longest binding), so another
 * node can forward a request for that person to the node holding the person's flow.
 *
 * @module
 */
import type { ClusterKeys } from './keys.ts'
import type { ClusterRedis } from './redis-client.ts'

/** Where a person registered through another node can be reached. */
export class SharedRegistrations {
  readonly #redis: ClusterRedis
  readonly #keys: ClusterKeys
  readonly #node: string
  readonly #address: string

  constructor(redis: ClusterRedis, keys: ClusterKeys, node: string, address: string) {
    this.#redis = redis
    this.#keys = keys
    this.#node = node
    this.#address = address
  }

  /** Records that `aor` has bindings here for `expiresInMs` more (0: none any more). */
  async update(aor: string, expiresInMs: number): Promise<void> {
    const key = this.#keys.registration(aor)
    if (expiresInMs <= 0) {
      await this.#redis.hdel(key, this.#node)
      return
    }
    await this.#redis.hset(key, this.#node, `${this.#address} ${Date.now() + expiresInMs}`)
    // The hash outlives its longest binding by nothing: a fresh REGISTER extends it again.
    const entries = await this.#redis.hgetall(key)
    const longest = Math.max(...Object.values(entries).map((v) => Number(v.split(' ')[1] ?? 0)))
    await this.#redis.pexpire(key, Math.max(1, longest - Date.now()))
  }

  /** The SIP URI of another node through which `aor` is registered and unexpired, if any. */
  async locate(aor: string): Promise<string | undefined> {
    const entries = await this.#redis.hgetall(this.#keys.registration(aor))
    const now = Date.now()
    for (const [node, value] of Object.entries(entries)) {
      const [address, expiresAt] = value.split(' ')
      if (node !== this.#node && address !== undefined && Number(expiresAt) > now) return address
    }
    return undefined
  }
}
