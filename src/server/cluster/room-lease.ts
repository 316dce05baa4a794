/**
 * Room ownership leases in Redis. A room is owned by one node at a time: the lease is a key set
 * with `NX` and a TTL (`token node address`), renewed while the node lives, and every new lease
 * takes a fresh fencing token from an `INCR` counter. Every write a node makes for a room runs
 * in a Lua script that first checks the lease still carries that node's token
 * ({@link FENCE_CHECK}), so a node that was paused past its lease cannot write once another
 * node took the room (the fencing token pattern).
 *
 * @module
 */
import type { ClusterKeys } from './keys.ts'
import type { ClusterRedis } from './redis-client.ts'

/** Default lease time: a dead owner's rooms move within this (issue: at most 10 s). */
export const DEFAULT_LEASE_MS = 5_000

/** Who owns a room right now. */
export interface LeaseHolder {
  readonly token: number
  readonly node: string
  /** The owner's SIP URI (`sip:host:port;transport=tcp`), where other nodes proxy to. */
  address: string
}

/** Lua prelude: fails with FENCED unless KEYS[1] (the lease) holds token ARGV[1]. */
export const FENCE_CHECK = `
local lease = redis.call('GET', KEYS[1])
if not lease or string.match(lease, '^(%d+) ') ~= ARGV[1] then
  return redis.error_reply('FENCED lease of ' .. KEYS[1] .. ' is not held with token ' .. ARGV[1])
end
`

// KEYS: lease, fence. ARGV: node, address, ttl. A lease held by this same node id (a restart
// after a crash) is taken over with a new token; any other holder is returned as it is.
const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if v then
  local node = string.match(v, '^%d+ (%S+) ')
  if node ~= ARGV[1] then return {0, v} end
end
local t = redis.call('INCR', KEYS[2])
local nv = t .. ' ' .. ARGV[1] .. ' ' .. ARGV[2]
redis.call('SET', KEYS[1], nv, 'PX', ARGV[3])
return {1, nv}
`

// KEYS: lease. ARGV: token, ttl. 1 when renewed, 0 when the lease is gone or another's.
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v and string.match(v, '^(%d+) ') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`

// KEYS: leases. ARGV: ttl, then one token per lease. One 1/0 per lease, as RENEW.
const RENEW_MANY = `
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v and string.match(v, '^(%d+) ') == ARGV[i + 1] then
    redis.call('PEXPIRE', key, ARGV[1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`

// KEYS: lease. ARGV: token.
const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v and string.match(v, '^(%d+) ') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`

/** Parses a lease value `token node address`. */
export function parseLease(value: string | null | undefined): LeaseHolder | undefined {
  if (value === null || value === undefined) return undefined
  const match = /^(\d+) (\S+) (\S+)$/.exec(value)
  if (match === null) return undefined
  return { token: Number(match[1]), node: match[2]!, address: match[3]! }
}

/** The leases one node takes, renews and gives back. */
export class RoomLeases {
  readonly #redis: ClusterRedis
  readonly #keys: ClusterKeys
  /** This node's id, and its SIP URI (set once the server listens). */
  readonly node: string
  address: string
  /** Lease time (ms); renewed every third of it. */
  readonly ttlMs: number

  constructor(redis: ClusterRedis, keys: ClusterKeys, init: { node: string; address: string; ttlMs?: number }) {
    if (/\s/.test(init.node) || init.node === '') throw new TypeError(`node id "${init.node}" must be a non-empty word without spaces`)
    this.#redis = redis
    this.#keys = keys
    this.node = init.node
    this.address = init.address
    this.ttlMs = init.ttlMs ?? DEFAULT_LEASE_MS
  }

  /** Takes the room's lease if nobody holds it: `{ acquired: true, token }`, else the holder. */
  async acquire(room: string): Promise<{ acquired: true; token: number } | { acquired: false; holder: LeaseHolder | undefined }> {
    const [ok, value] = (await this.#redis.eval(ACQUIRE, 2, this.#keys.lease(room), this.#keys.fence(room), this.node, this.address, this.ttlMs)) as [number, string]
    const holder = parseLease(value)
    if (ok === 1 && holder !== undefined) return { acquired: true, token: holder.token }
    return { acquired: false, holder }
  }

  /** Extends the lease; false when it was lost (expired, or another node holds it now). */
  async renew(room: string, token: number): Promise<boolean> {
    return (await this.#redis.eval(RENEW, 1, this.#keys.lease(room), token, this.ttlMs)) === 1
  }

  /**
   * Extends many leases in one round trip (a node's renewal round); one boolean per room, false
   * where the lease was lost.
   */
  async renewAll(leases: ReadonlyArray<{ room: string; token: number }>): Promise<boolean[]> {
    if (leases.length === 0) return []
    const result = (await this.#redis.eval(RENEW_MANY, leases.length, ...leases.map((l) => this.#keys.lease(l.room)), this.ttlMs, ...leases.map((l) => l.token))) as number[]
    return result.map((r) => r === 1)
  }

  /** Gives the lease back (a clean shutdown), so another node may take the room at once. */
  async release(room: string, token: number): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 1, this.#keys.lease(room), token)) === 1
  }

  /** The room's current holder, if any. */
  async holder(room: string): Promise<LeaseHolder | undefined> {
    return parseLease(await this.#redis.get(this.#keys.lease(room)))
  }
}
