/**
 * All the rooms of a server: finds the {@link ServerRoom} for a Request-URI, creating rooms on
 * demand if the operator allows it (RFC 7701 §5 leaves room creation to local policy).
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
}

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

  /** Uses `store` (default: a new in-memory store). */
  constructor(readonly store: RoomStore = new InMemoryRoomStore(), options: RoomDirectoryOptions = {}) {
    this.clock = options.clock ?? wallClock
    this.options = options
  }

  /** Creates a room; throws `MIXER_ROOM_EXISTS` if it exists. */
  create(uri: string, config: Partial<RoomConfig> = {}): ServerRoom {
    this.store.createRoom(uri, config)
    return this.get(uri)!
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

  /** The room for an incoming INVITE/SEND: existing, or created per `autoCreate`; undefined means 404. */
  open(uri: string): ServerRoom | undefined {
    const existing = this.get(uri)
    if (existing !== undefined || this.options.autoCreate === undefined || this.options.autoCreate === false) return existing
    if (identityKey(uri) === undefined) return undefined
    return this.create(uri, this.options.autoCreate === true ? {} : this.options.autoCreate)
  }

  /** Closes and deletes a room; returns the leave changes (send BYEs to those participants). */
  delete(uri: string): RosterChange[] {
    const room = this.get(uri)
    if (room === undefined) return []
    const changes = room.close()
    const key = identityKey(uri)
    if (key !== undefined) this.rooms.delete(key)
    return changes
  }

  /** Every room, in creation order. */
  list(): ServerRoom[] {
    return this.store.listRooms().flatMap((s) => this.get(s.uri) ?? [])
  }
}
