/**
 * All the rooms of a server: finds the {@link ServerRoom} for a Request-URI, creating rooms on
 * demand if the operator allows it (RFC 7701 §5 leaves room creation to local policy), up to a
 * limit, and removing such a room again once its last participant left.
 *
 * @module
 */

import { type TimeSource, wallClock } from '../../clock.ts'
import { ServerRoom } from './room.ts'
import { InMemoryRoomStore, type RoomConfig, type RoomStore, type RosterChange } from './room-store.ts'
import { identityKey } from '../../rooms/identity.ts'

/** Options for {@link RoomDirectory}. */
export interface RoomDirectoryOptions {
  clock?: TimeSource
  /** Participant id generator passed to every room. */
  newId?: () => string
  /**
   * What `open()` does with an unknown room URI: `false` (default) → undefined (answer 404),
   * `true` or a config → create the room (with that config).
   */
  autoCreate?: boolean | Partial<RoomConfig>
  /** Rooms created on demand that may exist at once (default {@link DEFAULT_MAX_ROOMS_ON_DEMAND}). */
  maxRoomsOnDemand?: number
  /**
   * What happens to the history of a room created on demand when it is removed: `drop`
   * (default) forgets it, `keep` keeps it for a room of the same URI created later (the store
   * bounds how many it keeps).
   */
  historyOnRemoval?: 'keep' | 'drop'
  /** Settings every room created here starts from (a room's own settings win), e.g. the server's history length. */
  defaults?: Partial<RoomConfig>
}

/** Rooms created on demand that may exist at once, by default. */
export const DEFAULT_MAX_ROOMS_ON_DEMAND = 100

/** What {@link RoomDirectory.openOnDemand} found: the room, or why there is none (the SIP status to answer). */
export type OpenDecision =
  | { ok: true; room: ServerRoom; created: boolean }
  | { ok: false; status: 404; reason: 'Not Found'; detail: string }
  | { ok: false; status: 503; reason: 'Too Many Rooms'; detail: string }

/**
 * The server's rooms over one {@link RoomStore}.
 *
 * @example
 * ```ts
 * const rooms = new RoomDirectory(new InMemoryRoomStore(), { autoCreate: true })
 * const room = rooms.open(requestUri) // undefined → 404 Not Found
 * ```
 */
export class RoomDirectory {
  private readonly rooms = new Map<string, ServerRoom>()
  private readonly clock: TimeSource
  private readonly options: RoomDirectoryOptions
  /** Keys of the rooms that were created on demand and are removed when empty. */
  private readonly onDemand = new Map<string, string>()

  /** Uses `store` (default: a new in-memory store). */
  constructor(readonly store: RoomStore = new InMemoryRoomStore(), options: RoomDirectoryOptions = {}) {
    this.clock = options.clock ?? wallClock
    this.options = options
  }

  /** Creates a room; throws `MIXER_ROOM_EXISTS` if it exists. */
  create(uri: string, config: Partial<RoomConfig> = {}): ServerRoom {
    this.store.createRoom(uri, { ...this.options.defaults, ...withoutUndefined(config) })
    return this.get(uri)!
  }

  /** Whether unknown room URIs are created on demand. */
  get createsOnDemand(): boolean {
    return this.options.autoCreate !== undefined && this.options.autoCreate !== false
  }

  /** How many rooms created on demand exist now. */
  get onDemandCount(): number {
    for (const [key, uri] of this.onDemand) if (this.store.getRoom(uri) === undefined) this.onDemand.delete(key)
    return this.onDemand.size
  }

  /** The room with that URI (parameters and host case ignored), or undefined. */
  get(uri: string): ServerRoom | undefined {
    const state = this.store.getRoom(uri)
    const key = identityKey(uri)
    if (state === undefined || key === undefined) {
      if (key !== undefined) this.rooms.delete(key)
      return undefined
    }
    let room = this.rooms.get(key)
    if (room === undefined) {
      room = new ServerRoom(this.store, state.uri, { clock: this.clock, ...(this.options.newId === undefined ? {} : { newId: this.options.newId }) })
      this.rooms.set(key, room)
    }
    return room
  }

  /** The room for an incoming INVITE: existing, or created per `autoCreate`; undefined means 404 (or the limit was reached). */
  open(uri: string): ServerRoom | undefined {
    const decision = this.openOnDemand(uri)
    return decision.ok ? decision.room : undefined
  }

  /**
   * The room for an incoming INVITE: the existing one, or a new one when rooms are created on
   * demand (404 when they are not; 503 when {@link RoomDirectoryOptions.maxRoomsOnDemand} rooms
   * created on demand exist already). Authenticate the requester first: creating is work done
   * for it.
   */
  openOnDemand(uri: string): OpenDecision {
    const existing = this.get(uri)
    if (existing !== undefined) return { ok: true, room: existing, created: false }
    const key = identityKey(uri)
    if (!this.createsOnDemand || key === undefined) return { ok: false, status: 404, reason: 'Not Found', detail: `no room ${uri}` }
    const max = this.options.maxRoomsOnDemand ?? DEFAULT_MAX_ROOMS_ON_DEMAND
    if (this.onDemandCount >= max) {
      return { ok: false, status: 503, reason: 'Too Many Rooms', detail: `${max} rooms created on demand exist already; join one of them or try again once one has emptied` }
    }
    const room = this.create(uri, this.options.autoCreate === true ? {} : (this.options.autoCreate as Partial<RoomConfig>))
    this.onDemand.set(key, uri)
    return { ok: true, room, created: true }
  }

  /** True for a room that was created on demand (and so goes once it is empty). */
  isOnDemand(uri: string): boolean {
    const key = identityKey(uri)
    return key !== undefined && this.onDemand.has(key)
  }

  /**
   * Removes a room created on demand once nobody is in it, keeping or dropping its history per
   * `historyOnRemoval`; returns whether it was removed. Rooms created by the operator stay.
   */
  removeIfEmpty(uri: string): boolean {
    const key = identityKey(uri)
    if (key === undefined || !this.onDemand.has(key)) return false
    const state = this.store.getRoom(uri)
    if (state !== undefined && state.participants.size > 0) return false
    this.onDemand.delete(key)
    this.rooms.delete(key)
    if (state === undefined) return false
    return this.store.deleteRoom(uri, { keepHistory: this.options.historyOnRemoval === 'keep' })
  }

  /** Closes and deletes a room; returns the leave changes (send BYEs to those participants). */
  delete(uri: string): RosterChange[] {
    const room = this.get(uri)
    if (room === undefined) return []
    const changes = room.close()
    const key = identityKey(uri)
    if (key !== undefined) {
      this.rooms.delete(key)
      this.onDemand.delete(key)
    }
    return changes
  }

  /** Every room, in creation order. */
  list(): ServerRoom[] {
    return this.store.listRooms().flatMap((s) => this.get(s.uri) ?? [])
  }
}

function withoutUndefined(config: Partial<RoomConfig>): Partial<RoomConfig> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Partial<RoomConfig>
}
