/**
 * Chat-room state (RFC 7701 rooms, RFC 4575 roster versions) behind the {@link RoomStore}
 * interface, with the in-memory implementation a single server node uses.
 *
 * The store holds data and bumps versions; the rules (who may join, which nickname is taken, who
 * receives a message) live in `room.ts`, `nickname.ts` and `moderation.ts`, which only read the
 * store and call its mutators. That split is what lets another backend slot in.
 *
 * ## Several nodes
 *
 * A cluster node's store (`RedisRoomStore`, src/server/cluster) keeps an {@link InMemoryRoomStore}
 * as the replica of the rooms its node owns (one owner per room, by lease), writes every change
 * through to Redis, and loads a room it takes over with {@link InMemoryRoomStore.restoreRoom}.
 * Because each room has a single writer, the interface stays synchronous.
 *
 * @module
 */

import { MsrpBotError } from '../../errors.ts'
import { DEFAULT_MAX_NICKNAME_LENGTH } from './nickname.ts'
import { identityKey } from '../../rooms/identity.ts'
import { type TimeSource, wallClock } from '../../clock.ts'
import { RoomHistory, type HistoryEntry, type HistoryInput } from './room-history.ts'

/** What a participant may do: owners and moderators may remove and mute others (RFC 4579 §5.5). */
export type ParticipantRole = 'owner' | 'moderator' | 'participant'

/** Why a participant left; `kicked` means removed by a moderator (REFER method=BYE). */
export type LeaveReason = 'bye' | 'kicked' | 'expired' | 'error' | 'room-deleted'

/** One participant of a room (one SIP dialog + MSRP session). Immutable: updates replace it. */
export interface ServerParticipant {
  /** Unique within the room; the wiring uses it to find the MSRP session and SIP dialog. */
  readonly id: string
  /**
   * The identity the focus learnt from SIP (asserted/authenticated From, RFC 7701 §5.2), or the
   * anonymous URI the focus assigned. CPIM From/To must match it (RFC 7701 §6.1, §6.2).
   */
  readonly uri: string
  /** Display name from the SIP From header, if any. */
  readonly displayName?: string | undefined
  /** The session's Contact URI (GRUU if any), for the RFC 4575 `<endpoint entity>`. */
  readonly contact?: string | undefined
  /** Nickname in RFC 8266 enforced form (RFC 7701 §7), if the participant reserved one. */
  readonly nickname?: string | undefined
  /**
   * The Request-URI of the participant's INVITE (RFC 7701 §5.2): the address it dialled the room
   * by (e.g. `sip:lobby@127.0.0.1:5070`), which its CPIM To may carry for public messages.
   */
  readonly joinedVia?: string | undefined
  /** When the participant joined, per the server clock (ms). */
  readonly joinedAt: number
  /** A muted participant may read but not send (its RFC 4575 media status becomes recvonly). */
  readonly muted: boolean
  /** Role at join time, from the room's owners/moderators lists. */
  readonly role: ParticipantRole
  /** True when the participant's Contact carried the RFC 3840 `automaton` feature tag (a bot). */
  readonly automaton?: boolean | undefined
}

/** Per-participant message rate limit: a bucket of `burst` tokens refilled at `perSecond`. */
export interface RateLimitConfig {
  /** Messages a participant may send back to back. */
  burst: number
  /** Sustained messages per second. */
  perSecond: number
}

/** Room policy. Every field has a default (see {@link DEFAULT_ROOM_CONFIG}). */
export interface RoomConfig {
  /** Identities (URIs) that own the room: may remove/mute anyone. */
  owners: string[]
  /** Identities that moderate the room: may remove/mute participants. */
  moderators: string[]
  /** Identities refused at join (403). */
  banned: string[]
  /** If set, only these identities (plus owners and moderators) may join; others get 403. */
  members: string[] | null
  /** Largest chat message accepted, in bytes of the MSRP body (the CPIM wrapper); 413 above. */
  maxMessageSize: number
  /** Per-participant rate limit, or null for none. */
  rateLimit: RateLimitConfig | null
  /** Whether private messages (RFC 7701 §6.2) are allowed; if not, they get 428. */
  allowPrivateMessages: boolean
  /** Maximum simultaneous participants, or null for no limit. */
  maxParticipants: number | null
  /** Maximum nickname length in code points after RFC 8266 enforcement. */
  maxNicknameLength: number
  /** Nicknames set aside for an identity (RFC 7701 §7.1 "reserved"). */
  reservedNicknames: Array<{ nickname: string; uri: string }>
  /**
   * Content types accepted inside CPIM (`text/plain`, `text/*`, `*`); others get 415.
   * isComposing (RFC 3994) and IMDN (RFC 5438) types are always accepted.
   */
  acceptTypes: string[]
  /** Room subject for the conference-info `<subject>`, if any. */
  subject?: string | undefined
  /**
   * Public messages kept for participants who join later (replayed to them when their MSRP
   * session comes up); 0 keeps none. Private messages, is-composing and IMDN are never kept.
   */
  history: number
  /** Bytes of CPIM kept in the room's history at most; the oldest messages go first. */
  historyBytes: number
  /**
   * Files (RFC 5547, on a server that stores them): `true` offers each file stored in the room
   * to every other participant present (the room pushes it to them); `false` only stores,
   * announces and lists it. Unset: the server's default (`files.push`, off).
   */
  pushFiles?: boolean | undefined
  /**
   * What becomes of the room's files when the room goes: `with-room` deletes them with it,
   * `keep` keeps them (listed again when the room comes back, and after a restart). Unset:
   * the server's default (`files.retention`, `with-room`).
   */
  fileRetention?: FileRetention | undefined
}

/** What becomes of a room's files when the room goes (see {@link RoomConfig.fileRetention}). */
export type FileRetention = 'with-room' | 'keep'

/** Defaults for every {@link RoomConfig} field. */
export const DEFAULT_ROOM_CONFIG: Readonly<RoomConfig> = Object.freeze({
  owners: [],
  moderators: [],
  banned: [],
  members: null,
  maxMessageSize: 64 * 1024,
  rateLimit: null,
  allowPrivateMessages: true,
  maxParticipants: null,
  maxNicknameLength: DEFAULT_MAX_NICKNAME_LENGTH,
  reservedNicknames: [],
  acceptTypes: ['*'],
  history: 20,
  historyBytes: 256 * 1024,
})

/** A room's state as the store exposes it (read-only views; mutate through the store). */
export interface ServerRoomState {
  /** The room (conference) URI, e.g. `sip:lobby@example.test`, as given at creation. */
  readonly uri: string
  readonly config: Readonly<RoomConfig>
  /** Participants by id, in join order. */
  readonly participants: ReadonlyMap<string, ServerParticipant>
  /**
   * Roster version (RFC 4575 `version`): starts at 0 and goes up by exactly one for each
   * roster change, so conference-info NOTIFYs can carry it and watchers can detect gaps.
   */
  readonly version: number
  /** Creation time, per the server clock (ms). */
  readonly createdAt: number
}

/** What kind of roster change happened; `media` is a mute/unmute (RFC 4575 media status). */
export type RosterChangeKind = 'join' | 'leave' | 'nickname' | 'media' | 'role'

/** One roster change: enough for a partial conference-info NOTIFY (RFC 4575, state="partial"). */
export interface RosterChange {
  /** The room's roster version after this change. */
  readonly version: number
  readonly kind: RosterChangeKind
  /** The participant after the change (for `leave`: as it was when it left). */
  readonly participant: ServerParticipant
  /** The participant before the change (absent for `join`). */
  readonly previous?: ServerParticipant | undefined
  /** For `leave`: why. */
  readonly reason?: LeaveReason | undefined
}

/** Everything a store reports to its listeners; plain data, so it can cross a broker as JSON. */
export type RoomStoreEvent =
  | { type: 'room-created'; room: string; config: RoomConfig; createdAt: number }
  | { type: 'room-deleted'; room: string; version: number }
  | { type: 'config-changed'; room: string; config: RoomConfig }
  | { type: 'roster'; room: string; change: RosterChange }

/** Fields of a participant a mutation may change. `nickname: null` removes the nickname. */
export interface ParticipantPatch {
  nickname?: string | null
  muted?: boolean
  role?: ParticipantRole
}

/**
 * Storage for rooms. Implementations keep versions gap-free and report every change to
 * subscribers synchronously, after the state is updated. Room URIs are matched by identity
 * (case-insensitive host, parameters ignored), so `sip:Lobby@EXAMPLE.test` finds `sip:Lobby@example.test`.
 */
export interface RoomStore {
  /** Creates a room; throws `MIXER_ROOM_EXISTS` if one with that URI exists. */
  createRoom(uri: string, config?: Partial<RoomConfig>): ServerRoomState
  /** The room with that URI, or undefined. */
  getRoom(uri: string): ServerRoomState | undefined
  /** All rooms, in creation order. */
  listRooms(): ServerRoomState[]
  /**
   * Deletes a room (participants are not notified here; `ServerRoom.close` does that). With
   * `keepHistory`, its history and last-seen marks come back if a room of that URI is created again.
   */
  deleteRoom(uri: string, options?: { keepHistory?: boolean }): boolean
  /** Merges `patch` into the room's config. */
  updateConfig(uri: string, patch: Partial<RoomConfig>): ServerRoomState
  /** Adds a participant (id must be new in the room) and bumps the version. */
  addParticipant(uri: string, participant: ServerParticipant): RosterChange
  /** Changes a participant; returns undefined (and keeps the version) if nothing changed. */
  updateParticipant(uri: string, id: string, patch: ParticipantPatch): RosterChange | undefined
  /** Removes a participant; undefined if it was not there. */
  removeParticipant(uri: string, id: string, reason: LeaveReason): RosterChange | undefined
  /**
   * Keeps a public message in the room's history, within the room's `history` and
   * `historyBytes` (the oldest go first); undefined when it is not kept (history off, or the
   * message alone is over the byte cap).
   */
  appendHistory(uri: string, message: HistoryInput): HistoryEntry | undefined
  /** The room's kept messages, oldest first (empty for an unknown room). */
  listHistory(uri: string): readonly HistoryEntry[]
  /** The last history message `identity` (an identity key) saw in the room, if remembered. */
  lastSeenHistory(uri: string, identity: string): number | undefined
  /** Records that `identity` saw the room's history up to its newest message. */
  markHistorySeen(uri: string, identity: string): void
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (event: RoomStoreEvent) => void): () => void
}

/** A room as a clustered store keeps it between owners (see {@link InMemoryRoomStore.restoreRoom}). */
export interface RoomSnapshot {
  readonly uri: string
  readonly config: Partial<RoomConfig>
  readonly version: number
  readonly createdAt: number
  readonly history: readonly HistoryEntry[]
  readonly marks: ReadonlyArray<[string, number]>
  /** The newest history sequence number ever given, so numbers are never reused. */
  readonly lastSeq: number
}

/** Deleted rooms whose history a store keeps for their return (oldest forgotten first). */
export const MAX_RETAINED_HISTORIES = 1024

interface MutableRoom {
  uri: string
  config: RoomConfig
  participants: Map<string, ServerParticipant>
  version: number
  createdAt: number
  history: RoomHistory
}

/** Raised for misuse of the store (unknown room, duplicate ids): programming errors, not protocol ones. */
export class RoomStoreError extends MsrpBotError {}

/**
 * The single-node {@link RoomStore}: rooms in a Map. Also the replica a broker-backed store wraps
 * (see {@link InMemoryRoomStore.applyRemote}).
 *
 * @example
 * ```ts
 * const store = new InMemoryRoomStore({ clock })
 * store.createRoom('sip:lobby@example.test', { moderators: ['sip:mod@example.test'] })
 * const room = new ServerRoom(store, 'sip:lobby@example.test', { clock })
 * ```
 */
export class InMemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, MutableRoom>()
  private readonly listeners = new Set<(event: RoomStoreEvent) => void>()
  /** Histories of deleted rooms kept for their return (`deleteRoom(uri, { keepHistory: true })`). */
  private readonly retained = new Map<string, RoomHistory>()
  private readonly now: () => number

  /** `clock` stamps `createdAt`; defaults to `Date.now`. */
  constructor(options: { clock?: TimeSource } = {}) {
    const clock = options.clock ?? wallClock
    this.now = () => clock.now()
  }

  createRoom(uri: string, config: Partial<RoomConfig> = {}): ServerRoomState {
    const key = roomKey(uri)
    if (this.rooms.has(key)) throw new RoomStoreError('MIXER_ROOM_EXISTS', `a room ${uri} already exists; use getRoom() or pick another URI`)
    const history = this.retained.get(key) ?? new RoomHistory()
    this.retained.delete(key)
    const room: MutableRoom = { uri, config: mergeConfig(DEFAULT_ROOM_CONFIG, config), participants: new Map(), version: 0, createdAt: this.now(), history }
    history.trim(historyLimits(room.config))
    this.rooms.set(key, room)
    this.emit({ type: 'room-created', room: uri, config: room.config, createdAt: room.createdAt })
    return room
  }

  getRoom(uri: string): ServerRoomState | undefined {
    const key = identityKey(uri)
    return key === undefined ? undefined : this.rooms.get(key)
  }

  listRooms(): ServerRoomState[] {
    return [...this.rooms.values()]
  }

  deleteRoom(uri: string, options: { keepHistory?: boolean } = {}): boolean {
    const key = identityKey(uri)
    const room = key === undefined ? undefined : this.rooms.get(key)
    if (room === undefined || key === undefined) return false
    this.rooms.delete(key)
    if (options.keepHistory === true && room.history.lastSeq > 0) {
      this.retained.set(key, room.history)
      if (this.retained.size > MAX_RETAINED_HISTORIES) {
        const oldest = this.retained.keys().next().value
        if (oldest !== undefined) this.retained.delete(oldest)
      }
    }
    this.emit({ type: 'room-deleted', room: room.uri, version: room.version })
    return true
  }

  updateConfig(uri: string, patch: Partial<RoomConfig>): ServerRoomState {
    const room = this.mustGet(uri)
    room.config = mergeConfig(room.config, patch)
    room.history.trim(historyLimits(room.config))
    this.emit({ type: 'config-changed', room: room.uri, config: room.config })
    return room
  }

  addParticipant(uri: string, participant: ServerParticipant): RosterChange {
    const room = this.mustGet(uri)
    if (room.participants.has(participant.id)) {
      throw new RoomStoreError('MIXER_DUPLICATE_PARTICIPANT', `participant id ${participant.id} is already in ${room.uri}; ids must be unique per room`)
    }
    room.participants.set(participant.id, participant)
    return this.record(room, { version: ++room.version, kind: 'join', participant })
  }

  updateParticipant(uri: string, id: string, patch: ParticipantPatch): RosterChange | undefined {
    const room = this.mustGet(uri)
    const previous = room.participants.get(id)
    if (previous === undefined) throw new RoomStoreError('MIXER_UNKNOWN_PARTICIPANT', `no participant ${id} in ${room.uri}`)
    let next: ServerParticipant = previous
    let kind: RosterChangeKind | undefined
    if (patch.nickname !== undefined && (patch.nickname ?? undefined) !== previous.nickname) {
      next = { ...next, nickname: patch.nickname ?? undefined }
      kind = 'nickname'
    }
    if (patch.muted !== undefined && patch.muted !== previous.muted) {
      next = { ...next, muted: patch.muted }
      kind ??= 'media'
    }
    if (patch.role !== undefined && patch.role !== previous.role) {
      next = { ...next, role: patch.role }
      kind ??= 'role'
    }
    if (kind === undefined) return undefined
    if (next.nickname === undefined) {
      // Keep the record free of a present-but-undefined key, so snapshots compare cleanly.
      const { nickname: _dropped, ...rest } = next
      next = rest
    }
    room.participants.set(id, next)
    return this.record(room, { version: ++room.version, kind, participant: next, previous })
  }

  removeParticipant(uri: string, id: string, reason: LeaveReason): RosterChange | undefined {
    const room = this.mustGet(uri)
    const participant = room.participants.get(id)
    if (participant === undefined) return undefined
    room.participants.delete(id)
    return this.record(room, { version: ++room.version, kind: 'leave', participant, previous: participant, reason })
  }

  appendHistory(uri: string, message: HistoryInput): HistoryEntry | undefined {
    const room = this.mustGet(uri)
    return room.history.append(message, historyLimits(room.config))
  }

  listHistory(uri: string): readonly HistoryEntry[] {
    return this.getMutable(uri)?.history.entries ?? []
  }

  lastSeenHistory(uri: string, identity: string): number | undefined {
    return this.getMutable(uri)?.history.lastSeen(identity)
  }

  markHistorySeen(uri: string, identity: string): void {
    const history = this.getMutable(uri)?.history
    if (history !== undefined && history.lastSeq > 0) history.markSeen(identity, history.lastSeq)
  }

  subscribe(listener: (event: RoomStoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Puts a room back as it was kept elsewhere (a clustered store taking a room over): its
   * configuration, roster version, creation time, history and marks, with no participants (their
   * sessions ended with the node that held them). Replaces a room of that URI; emits nothing.
   */
  restoreRoom(snapshot: RoomSnapshot): ServerRoomState {
    const key = roomKey(snapshot.uri)
    const history = new RoomHistory()
    history.restore(snapshot.history, snapshot.marks, snapshot.lastSeq)
    const room: MutableRoom = { uri: snapshot.uri, config: mergeConfig(DEFAULT_ROOM_CONFIG, snapshot.config), participants: new Map(), version: snapshot.version, createdAt: snapshot.createdAt, history }
    history.trim(historyLimits(room.config))
    this.rooms.set(key, room)
    return room
  }

  /** Forgets a room here only (no event): a clustered store whose node no longer owns it. */
  forgetRoom(uri: string): boolean {
    const key = identityKey(uri)
    return key !== undefined && this.rooms.delete(key)
  }

  /** The history marks of a room, oldest first (empty for an unknown room). */
  historyMarks(uri: string): Array<[string, number]> {
    return this.getMutable(uri)?.history.marks() ?? []
  }

  /** The newest history sequence number a room ever gave (0 for none or an unknown room). */
  historyLastSeq(uri: string): number {
    return this.getMutable(uri)?.history.lastSeq ?? 0
  }

  /**
   * Applies an event published by the owner node of a room (replica side of a broker backend).
   * Roster events not newer than the local version are ignored (redelivery); returns whether the
   * event was applied. Does not notify local listeners of ignored events.
   */
  applyRemote(event: RoomStoreEvent): boolean {
    switch (event.type) {
      case 'room-created': {
        const key = roomKey(event.room)
        if (this.rooms.has(key)) return false
        this.rooms.set(key, { uri: event.room, config: mergeConfig(DEFAULT_ROOM_CONFIG, event.config), participants: new Map(), version: 0, createdAt: event.createdAt, history: new RoomHistory() })
        break
      }
      case 'room-deleted': {
        const key = identityKey(event.room)
        if (key === undefined || !this.rooms.delete(key)) return false
        break
      }
      case 'config-changed': {
        const room = this.getMutable(event.room)
        if (room === undefined) return false
        room.config = mergeConfig(DEFAULT_ROOM_CONFIG, event.config)
        break
      }
      case 'roster': {
        const room = this.getMutable(event.room)
        if (room === undefined || event.change.version <= room.version) return false
        if (event.change.kind === 'leave') room.participants.delete(event.change.participant.id)
        else room.participants.set(event.change.participant.id, event.change.participant)
        room.version = event.change.version
        break
      }
    }
    this.emit(event)
    return true
  }

  private record(room: MutableRoom, change: RosterChange): RosterChange {
    this.emit({ type: 'roster', room: room.uri, change })
    return change
  }

  private getMutable(uri: string): MutableRoom | undefined {
    const key = identityKey(uri)
    return key === undefined ? undefined : this.rooms.get(key)
  }

  private mustGet(uri: string): MutableRoom {
    const room = this.getMutable(uri)
    if (room === undefined) throw new RoomStoreError('MIXER_UNKNOWN_ROOM', `no room ${uri}; create it with createRoom() first`)
    return room
  }

  private emit(event: RoomStoreEvent): void {
    for (const listener of [...this.listeners]) listener(event)
  }
}

function roomKey(uri: string): string {
  const key = identityKey(uri)
  if (key === undefined) throw new RoomStoreError('MIXER_BAD_ROOM_URI', `"${uri}" is not a URI; a room needs one like sip:lobby@example.test`)
  return key
}

function historyLimits(config: Readonly<RoomConfig>): { messages: number; bytes: number } {
  return { messages: config.history, bytes: config.historyBytes }
}

function mergeConfig(base: Readonly<RoomConfig>, patch: Partial<RoomConfig>): RoomConfig {
  const merged: RoomConfig = { ...base }
  for (const [k, v] of Object.entries(patch) as Array<[keyof RoomConfig, unknown]>) {
    if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v
  }
  return merged
}
