/**
 * `RedisRoomStore`: a {@link RoomStore} whose rooms live in Redis, for a cluster of server nodes.
 *
 * Each room has one owner node at a time (a lease, room-lease.ts). The owner serves the room
 * from a local replica (an {@link InMemoryRoomStore}), so the rules stay synchronous, and writes
 * every change through to Redis in the same order, each write fenced by its lease token: the
 * room's configuration, roster version, history and history marks. A node that takes a room over
 * ({@link RedisRoomStore.claim}) loads that state first. Participants are not kept: their
 * sessions end with the node that held them, and they join again.
 *
 * Writes are sent before the focus answers the request that caused them (one connection keeps
 * their order), so what a sender was told was accepted is in Redis unless Redis itself failed.
 *
 * @module
 */
import { Buffer } from 'node:buffer'
import type { Clock, TimerHandle } from '../../clock.ts'
import type { BasicLogger } from '../../logger.ts'
import { identityKey } from '../../rooms/identity.ts'
import type { HistoryEntry, HistoryInput } from '../core/room-history.ts'
import {
  InMemoryRoomStore,
  RoomStoreError,
  type LeaveReason,
  type ParticipantPatch,
  type RoomConfig,
  type RoomStore,
  type RoomStoreEvent,
  type RosterChange,
  type ServerParticipant,
  type ServerRoomState,
} from '../core/room-store.ts'
import type { ClusterKeys } from './keys.ts'
import { FENCE_CHECK, type RoomLeases } from './room-lease.ts'
import type { ClusterRedis } from './redis-client.ts'

/** Where a room is served, as {@link RedisRoomStore.claim} found it. */
export type RoomPlace = { kind: 'here' } | { kind: 'elsewhere'; node: string; address: string } | { kind: 'none' }

// KEYS: lease, meta, history, marks, rooms. ARGV: token, JSON list of [command, key index, args...].
const WRITE = `${FENCE_CHECK}
local ops = cjson.decode(ARGV[2])
for _, op in ipairs(ops) do
  local args = {}
  for i = 3, #op do args[#args + 1] = op[i] end
  redis.call(op[1], KEYS[op[2]], unpack(args))
end
return 1
`
/** Leases renewed per script in a renewal round. */
const RENEW_BATCH = 500
const META = 2
const HISTORY = 3
const MARKS = 4
const ROOMS = 5
type Op = [string, number, ...string[]]

interface Owned {
  token: number
}

/** Options of {@link RedisRoomStore}. */
export interface RedisRoomStoreOptions {
  clock: Clock
  log: BasicLogger
  /** Called when this node lost a room's lease (expired while paused, or taken): end its sessions. */
  onLost?: (uri: string) => void
}

/** The cluster's {@link RoomStore}: see the module comment. */
export class RedisRoomStore implements RoomStore {
  /** The rooms this node owns, as it serves them. */
  readonly replica: InMemoryRoomStore
  readonly #redis: ClusterRedis
  readonly #keys: ClusterKeys
  readonly #leases: RoomLeases
  readonly #clock: Clock
  readonly #log: BasicLogger
  readonly #owned = new Map<string, Owned>()
  readonly #claiming = new Map<string, Promise<RoomPlace>>()
  #onLost: (uri: string) => void
  #renewal: TimerHandle | undefined
  #renewing = false
  #lastRenewed: number
  #closed = false

  constructor(redis: ClusterRedis, keys: ClusterKeys, leases: RoomLeases, options: RedisRoomStoreOptions) {
    this.#redis = redis
    this.#keys = keys
    this.#leases = leases
    this.#clock = options.clock
    this.#log = options.log
    this.#onLost = options.onLost ?? (() => undefined)
    this.replica = new InMemoryRoomStore({ clock: options.clock })
    this.#lastRenewed = options.clock.now()
    this.#scheduleRenewal()
  }

  /** Sets what happens when a lease is lost (the server ends the room's sessions). */
  set onLost(handler: (uri: string) => void) {
    this.#onLost = handler
  }

  /** Whether this node holds the room's lease. */
  owns(uri: string): boolean {
    const key = identityKey(uri)
    return key !== undefined && this.#owned.has(key)
  }

  /**
   * Where the room is served: here (this node holds the lease, taking it and loading the room's
   * state when nobody does), on another node, or nowhere (no such room in the cluster). With
   * `create`, an absent room's lease is taken anyway so that this node may create it.
   */
  claim(uri: string, options: { create?: boolean } = {}): Promise<RoomPlace> {
    const key = identityKey(uri)
    if (key === undefined || this.#closed) return Promise.resolve({ kind: 'none' })
    if (this.#owned.has(key)) return Promise.resolve({ kind: 'here' })
    const pending = this.#claiming.get(key)
    if (pending !== undefined) return pending
    const claim = this.#claim(uri, key, options.create === true).finally(() => this.#claiming.delete(key))
    this.#claiming.set(key, claim)
    return claim
  }

  async #claim(uri: string, key: string, create: boolean): Promise<RoomPlace> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const exists = (await this.#redis.hget(this.#keys.rooms, key)) !== null
      if (!exists && !create) return { kind: 'none' }
      const lease = await this.#leases.acquire(key)
      if (lease.acquired) {
        // Redis answered just now: a node that owned nothing has no stale renewal round to judge.
        if (this.#owned.size === 0) this.#lastRenewed = this.#clock.now()
        this.#owned.set(key, { token: lease.token })
        if (exists || (await this.#redis.hget(this.#keys.rooms, key)) !== null) await this.#load(key)
        this.#log.info(`cluster: this node owns ${uri} now (fencing token ${lease.token})`)
        return { kind: 'here' }
      }
      // The lease may have just expired between the two calls: look again.
      if (lease.holder !== undefined) return { kind: 'elsewhere', node: lease.holder.node, address: lease.holder.address }
    }
    return { kind: 'none' }
  }

  async #load(key: string): Promise<void> {
    const [meta, history, marks] = await Promise.all([
      this.#redis.hgetall(this.#keys.meta(key)),
      this.#redis.lrange(this.#keys.history(key), 0, -1),
      this.#redis.hgetall(this.#keys.marks(key)),
    ])
    if (meta['uri'] === undefined) return
    this.replica.restoreRoom({
      uri: meta['uri'],
      config: JSON.parse(meta['config'] ?? '{}') as Partial<RoomConfig>,
      version: Number(meta['version'] ?? 0),
      createdAt: Number(meta['createdAt'] ?? this.#clock.now()),
      lastSeq: Number(meta['lastSeq'] ?? 0),
      history: history.map(decodeEntry),
      marks: Object.entries(marks).map(([identity, seq]) => [identity, Number(seq)] as [string, number]),
    })
  }

  createRoom(uri: string, config: Partial<RoomConfig> = {}): ServerRoomState {
    const key = identityKey(uri)
    if (key === undefined || !this.#owned.has(key)) {
      throw new RoomStoreError('CLUSTER_NOT_OWNER', `this node does not hold the lease of ${uri}; claim(uri, { create: true }) it first`)
    }
    const room = this.replica.createRoom(uri, config)
    this.#write(key, [
      ['HSET', ROOMS, key, room.uri],
      ['DEL', HISTORY],
      ['DEL', MARKS],
      ['HSET', META, 'uri', room.uri, 'config', JSON.stringify(room.config), 'version', String(room.version), 'createdAt', String(room.createdAt), 'lastSeq', '0'],
    ])
    return room
  }

  getRoom(uri: string): ServerRoomState | undefined {
    return this.replica.getRoom(uri)
  }

  listRooms(): ServerRoomState[] {
    return this.replica.listRooms()
  }

  /** Deletes the room from the cluster (when this node owns it) and gives its lease back. */
  deleteRoom(uri: string, options: { keepHistory?: boolean } = {}): boolean {
    const key = identityKey(uri)
    const deleted = this.replica.deleteRoom(uri, options)
    const owned = key === undefined ? undefined : this.#owned.get(key)
    if (key !== undefined && owned !== undefined && deleted) {
      this.#write(key, [['HDEL', ROOMS, key], ['DEL', META], ['DEL', HISTORY], ['DEL', MARKS]])
      this.#owned.delete(key)
      this.#leases.release(key, owned.token).catch((error: unknown) => this.#log.warn(`cluster: releasing ${uri} failed: ${String(error)}`))
    }
    return deleted
  }

  updateConfig(uri: string, patch: Partial<RoomConfig>): ServerRoomState {
    const room = this.replica.updateConfig(uri, patch)
    this.#write(identityKey(uri), [['HSET', META, 'config', JSON.stringify(room.config)], ...this.#trimOps(uri)])
    return room
  }

  addParticipant(uri: string, participant: ServerParticipant): RosterChange {
    return this.#version(uri, this.replica.addParticipant(uri, participant))!
  }

  updateParticipant(uri: string, id: string, patch: ParticipantPatch): RosterChange | undefined {
    return this.#version(uri, this.replica.updateParticipant(uri, id, patch))
  }

  removeParticipant(uri: string, id: string, reason: LeaveReason): RosterChange | undefined {
    return this.#version(uri, this.replica.removeParticipant(uri, id, reason))
  }

  appendHistory(uri: string, message: HistoryInput): HistoryEntry | undefined {
    const entry = this.replica.appendHistory(uri, message)
    if (entry !== undefined) {
      this.#write(identityKey(uri), [['RPUSH', HISTORY, encodeEntry(entry)], ...this.#trimOps(uri), ['HSET', META, 'lastSeq', String(entry.seq)]])
    }
    return entry
  }

  listHistory(uri: string): readonly HistoryEntry[] {
    return this.replica.listHistory(uri)
  }

  lastSeenHistory(uri: string, identity: string): number | undefined {
    return this.replica.lastSeenHistory(uri, identity)
  }

  markHistorySeen(uri: string, identity: string): void {
    const before = this.replica.historyMarks(uri)
    this.replica.markHistorySeen(uri, identity)
    const seq = this.replica.lastSeenHistory(uri, identity)
    if (seq === undefined) return
    const after = new Set(this.replica.historyMarks(uri).map(([id]) => id))
    // The replica bounds its marks (oldest forgotten first); Redis forgets the same ones.
    const forgotten: Op[] = before.filter(([id]) => !after.has(id)).map(([id]) => ['HDEL', MARKS, id])
    this.#write(identityKey(uri), [['HSET', MARKS, identity, String(seq)], ...forgotten])
  }

  subscribe(listener: (event: RoomStoreEvent) => void): () => void {
    return this.replica.subscribe(listener)
  }

  /**
   * Stops renewing and gives every lease back, so other nodes take the rooms at once (call it
   * after the server said goodbye to its participants). Waits for the writes sent before it.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#renewal !== undefined) this.#clock.clearTimeout(this.#renewal)
    const owned = [...this.#owned]
    this.#owned.clear()
    await Promise.all(owned.map(([key, o]) => this.#leases.release(key, o.token).catch(() => false)))
  }

  /** The history list trimmed to what the replica keeps (its count and byte caps). */
  #trimOps(uri: string): Op[] {
    const kept = this.replica.listHistory(uri).length
    return kept === 0 ? [['DEL', HISTORY]] : [['LTRIM', HISTORY, String(-kept), '-1']]
  }

  #version(uri: string, change: RosterChange | undefined): RosterChange | undefined {
    if (change !== undefined) this.#write(identityKey(uri), [['HSET', META, 'version', String(change.version)]])
    return change
  }

  /** Sends fenced writes for a room this node owns; a room it no longer owns is not written. */
  #write(key: string | undefined, ops: Op[]): void {
    const owned = key === undefined ? undefined : this.#owned.get(key)
    if (key === undefined || owned === undefined) return
    const k = this.#keys
    this.#redis
      .eval(WRITE, 5, k.lease(key), k.meta(key), k.history(key), k.marks(key), k.rooms, owned.token, JSON.stringify(ops))
      .catch((error: unknown) => {
        if (String(error).includes('FENCED')) this.#lose(key, 'another node holds its lease now')
        else this.#log.warn(`cluster: writing room ${key} to Redis failed: ${String(error)}`)
      })
  }

  #lose(key: string, why: string): void {
    const owned = this.#owned.get(key)
    if (owned === undefined) return
    this.#owned.delete(key)
    const uri = this.replica.getRoom(key)?.uri ?? key
    this.#log.warn(`cluster: lost ${uri} (${why}); its participants are sent away to rejoin through its new owner`)
    this.#onLost(uri)
    this.replica.forgetRoom(uri)
  }

  /**
   * Every third of the lease time: renew every owned lease in one round (unless the last round
   * is still waiting for Redis). Without a successful round for two thirds of the lease time the
   * node stops serving its rooms, before their leases can run out in Redis and another node take
   * them, so two nodes never serve one room at once.
   */
  #scheduleRenewal(): void {
    this.#renewal = this.#clock.setTimeout(() => {
      if (this.#closed) return
      if (this.#clock.now() - this.#lastRenewed >= (this.#leases.ttlMs * 2) / 3) {
        for (const key of [...this.#owned.keys()]) this.#lose(key, 'Redis did not answer its lease renewals in time')
      }
      if (!this.#renewing) {
        this.#renewing = true
        void this.#renewAll().finally(() => {
          this.#renewing = false
        })
      }
      this.#scheduleRenewal()
    }, Math.max(50, Math.floor(this.#leases.ttlMs / 3)))
  }

  async #renewAll(): Promise<void> {
    const started = this.#clock.now()
    try {
      const owned = [...this.#owned]
      // One script per round of at most RENEW_BATCH leases (a script blocks Redis while it runs).
      const results: boolean[] = []
      for (let i = 0; i < owned.length; i += RENEW_BATCH) {
        results.push(...(await this.#leases.renewAll(owned.slice(i, i + RENEW_BATCH).map(([room, o]) => ({ room, token: o.token })))))
      }
      owned.forEach(([key, o], i) => {
        // A room taken over again meanwhile (a new token) is not judged by this round.
        if (results[i] !== true && this.#owned.get(key) === o) this.#lose(key, 'its lease expired before it was renewed')
      })
      this.#lastRenewed = started
    } catch (error) {
      this.#log.warn(`cluster: renewing leases failed: ${String(error)}`)
    }
  }
}

function encodeEntry(entry: HistoryEntry): string {
  return JSON.stringify({ seq: entry.seq, sender: entry.sender, at: entry.at, cpim: Buffer.from(entry.cpim).toString('base64') })
}

function decodeEntry(text: string): HistoryEntry {
  const raw = JSON.parse(text) as { seq: number; sender: string; at: number; cpim: string }
  return { seq: raw.seq, sender: raw.sender, at: raw.at, cpim: new Uint8Array(Buffer.from(raw.cpim, 'base64')) }
}
