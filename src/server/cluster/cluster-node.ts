/**
 * One node of a chat-server cluster on Redis: the room store, the leases and the shared
 * registrations, and the {@link ClusterRouting} the chat server asks where rooms and people are.
 *
 * @example
 * ```ts
 * const cluster = await connectCluster({ redis: 'redis://127.0.0.1:6379', node: 'a', domain: 'example.test' })
 * const server = await startChatServer({ domain: 'example.test', store: cluster.store, cluster: cluster.routing, transport: { kind: 'sockets' } })
 * await cluster.attach(server, ['lobby'])
 * ```
 *
 * @module
 */
import { unrefClock, type Clock, type TimerHandle } from '../../clock.ts'
import { silentLogger, type BasicLogger } from '../../logger.ts'
import type { ChatServer } from '../chat-server.ts'
import type { ChatRoomSettings, ClusterRouting } from '../options.ts'
import { ClusterKeys } from './keys.ts'
import { connectRedis, type ClusterRedis } from './redis-client.ts'
import { RedisRoomStore } from './redis-room-store.ts'
import { SharedRegistrations } from './registrations.ts'
import { DEFAULT_LEASE_MS, RoomLeases } from './room-lease.ts'
import { parseUri } from '../../sip/uri.ts'

/** Least time between two reads of the node list on misses (ms). */
const NODE_LIST_MIN_GAP_MS = 50

/** Options of {@link connectCluster}. */
export interface ClusterOptions {
  /** Redis URL, `redis://host:port[/db]`. */
  redis: string
  /** This node's id, unique in the cluster (a restarted node may reuse its id). */
  node: string
  /** The SIP domain the cluster serves (part of the key prefix). */
  domain: string
  /** Room lease time (default 5 s): a dead node's rooms move to another node within it. */
  leaseMs?: number
  /** Key prefix (default `msrp-bot:<domain>:`). */
  keyPrefix?: string
  clock?: Clock
  logger?: BasicLogger
}

/** A connected cluster node: give `store` and `routing` to `startChatServer`, then `attach`. */
export interface ClusterNode {
  readonly node: string
  readonly store: RedisRoomStore
  readonly routing: ClusterRouting
  readonly leases: RoomLeases
  /**
   * Ties the node to its running server: records its SIP address with the leases, ends the
   * sessions of a room whose lease was lost, and creates `rooms` in the cluster if absent.
   */
  attach(server: ChatServer, rooms?: string[] | Record<string, ChatRoomSettings>): Promise<void>
  /** Gives every lease back and disconnects (after `server.close()`). */
  close(): Promise<void>
}

/** Connects to Redis and makes this node's cluster parts. */
export async function connectCluster(options: ClusterOptions): Promise<ClusterNode> {
  const redis: ClusterRedis = await connectRedis(options.redis)
  const log = options.logger ?? silentLogger
  const keys = new ClusterKeys(options.keyPrefix ?? `msrp-bot:${options.domain.toLowerCase()}:`)
  const leases = new RoomLeases(redis, keys, { node: options.node, address: 'sip:unset', ttlMs: options.leaseMs ?? DEFAULT_LEASE_MS })
  const store = new RedisRoomStore(redis, keys, leases, { clock: options.clock ?? unrefClock, log })
  let registrations: SharedRegistrations | undefined
  /** The other nodes' SIP addresses as `host:port` (lower-case host), refreshed from Redis. */
  let nodeAddresses = new Set<string>()
  let nodesReadAt = Number.NEGATIVE_INFINITY
  const clock = options.clock ?? unrefClock
  let refresh: TimerHandle | undefined
  let closed = false
  const loadNodes = async (): Promise<void> => {
    nodesReadAt = clock.now()
    const all = await redis.hgetall(keys.nodes)
    const next = new Set<string>()
    for (const [id, address] of Object.entries(all)) {
      if (id === options.node) continue
      const hostPort = addressKey(address)
      if (hostPort !== undefined) next.add(hostPort)
    }
    nodeAddresses = next
  }
  let nextRead: Promise<void> | undefined
  const freshNodeList = (): Promise<void> => {
    nextRead ??= (async () => {
      const wait = nodesReadAt + NODE_LIST_MIN_GAP_MS - clock.now()
      if (wait > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, wait))
      nextRead = undefined // misses from now on need a read that starts after them
      await loadNodes()
    })()
    return nextRead
  }
  const scheduleRefresh = (): void => {
    refresh = clock.setTimeout(() => {
      loadNodes()
        .catch((error: unknown) => log.warn(`cluster: reading the node list failed: ${String(error)}`))
        .finally(() => { if (!closed) scheduleRefresh() })
    }, Math.max(100, Math.floor(leases.ttlMs / 3)))
  }
  const routing: ClusterRouting = {
    isNodeAddress: async (host, port) => {
      const key = `${host.toLowerCase()}:${port ?? 5060}`
      if (nodeAddresses.has(key)) return true
      // Perhaps a node that started since the last read: read the list again. Misses share the
      // next read, which starts after them and at most every NODE_LIST_MIN_GAP_MS (a flood of
      // requests for foreign hosts costs Redis no more than that).
      await freshNodeList().catch(() => undefined)
      return nodeAddresses.has(key)
    },
    leaseMs: leases.ttlMs,
    locateRoom: (uri, opts) => store.claim(uri, opts),
    locateUser: async (aor) => registrations?.locate(aor),
    registered: (aor, expiresInMs) => {
      registrations?.update(aor, expiresInMs).catch((error: unknown) => log.warn(`cluster: sharing the registration of ${aor} failed: ${String(error)}`))
    },
  }
  return {
    node: options.node,
    store,
    routing,
    leases,
    async attach(server, rooms = []) {
      leases.address = server.sipUri('tcp')
      registrations = new SharedRegistrations(redis, keys, options.node, leases.address)
      // Node ids are few and reused across restarts, so the list stays bounded.
      await redis.hset(keys.nodes, options.node, leases.address)
      await loadNodes()
      scheduleRefresh()
      // Its participants are told to come back (a 503 Reason), and rejoin through the new owner.
      store.onLost = (uri) => {
        void server.focus.deleteRoom(uri, 'shutdown')
      }
      const entries: Array<[string, ChatRoomSettings]> = Array.isArray(rooms) ? rooms.map((r) => [r, {}]) : Object.entries(rooms)
      for (const [name, config] of entries) {
        const uri = server.roomUri(name)
        const place = await store.claim(uri, { create: true })
        if (place.kind === 'here' && server.rooms.get(uri) === undefined) {
          server.rooms.create(uri, config)
          log.info(`cluster: created ${uri}`)
        }
      }
    },
    async close() {
      closed = true
      if (refresh !== undefined) clock.clearTimeout(refresh)
      await store.close()
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}

/** `host:port` (lower-case host, 5060 by default) of a node's SIP URI, or undefined. */
function addressKey(address: string): string | undefined {
  try {
    const uri = parseUri(address)
    return uri.kind === 'sip' ? `${uri.host.toLowerCase()}:${uri.port ?? 5060}` : undefined
  } catch {
    return undefined
  }
}
