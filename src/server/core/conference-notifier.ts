/**
 * Notifier for the conference event package (RFC 4575) on room URIs: participants (and bots)
 * SUBSCRIBE to a room to learn its roster (RFC 7701 §5.2). Each subscription gets a full-state
 * document first and a partial one per roster change afterwards, with its own version counter
 * (RFC 4575 §4.6: versions count the documents sent on one subscription, so a watcher that
 * subscribed late still sees 1, 2, 3...).
 *
 * Pure: {@link ConferenceNotifier.handleStoreEvent} turns store events into NOTIFY instructions,
 * so the wiring connects it with `store.subscribe((e) => notifier.handleStoreEvent(e).forEach(send))`
 * and formats each document with `buildFullRoster` / `buildPartialRoster` from src/conference.
 *
 * @module
 */

import { randomBase64Url } from '../../random.ts'
import type { RoomDescription, RosterEntry, RosterChanges } from '../../conference/documents.ts'
import type { ConferenceFile } from '../../conference/types.ts'
import { type TimeSource, wallClock } from '../../clock.ts'
import { fullRosterInput, partialRosterInput } from './roster.ts'
import type { RoomStore, RoomStoreEvent, ServerRoomState } from './room-store.ts'
import { identityKey } from '../../rooms/identity.ts'

/** The event package served. */
export const CONFERENCE_EVENT = 'conference'

/** The document a NOTIFY carries, ready for the conference-info builders. */
export type ConferenceDocument =
  | { state: 'full'; room: RoomDescription; participants: RosterEntry[] }
  | { state: 'partial'; room: RoomDescription; changes: RosterChanges }

/** A NOTIFY to send on a conference subscription dialog. */
export interface ConferenceNotify {
  subscriptionId: string
  watcher: string
  room: string
  /** Subscription-State value. */
  state: 'active' | 'terminated'
  /** Seconds left (active). */
  expiresIn?: number
  /** `timeout` (expired or unsubscribed) or `noresource` (room deleted), when terminated. */
  reason?: 'timeout' | 'noresource'
  /** Absent when terminated because the room is gone. `room.version` is this subscription's counter. */
  document?: ConferenceDocument
}

/** What to answer a SUBSCRIBE to a room with; 200 comes with the immediate NOTIFY. */
export type ConferenceSubscribeDecision =
  | { status: 200; reason: 'OK'; subscriptionId: string; expires: number; headers: Record<string, string>; notify: ConferenceNotify }
  | { status: 403 | 404 | 423 | 481 | 489; reason: string; detail: string; headers: Record<string, string> }

/** A SUBSCRIBE to a room URI. */
export interface ConferenceSubscribeRequest {
  /** Request-URI: the room. */
  room: string
  /** The watcher's authenticated identity. */
  watcher: string
  /** Event header value; undefined when absent. */
  event: string | undefined
  /** Expires header, seconds. */
  expires?: number
  /** Subscription id: chosen by the wiring or generated; required with `inDialog`. */
  id?: string
  /** True for a refresh/unsubscribe inside an existing subscription dialog. */
  inDialog?: boolean
}

/** Options for {@link ConferenceNotifier}. */
export interface ConferenceNotifierOptions {
  clock?: TimeSource
  /** Shortest non-zero Expires (default 60); 423 below. */
  minExpires?: number
  /** Longest granted subscription (default 3600). */
  maxExpires?: number
  /** Lifetime when SUBSCRIBE has no Expires (default 3600). */
  defaultExpires?: number
  /** Who may watch a room (default: anyone; a closed room might allow participants only). */
  authorize?: (watcher: string, room: string) => boolean
  newSubscriptionId?: () => string
  /** The files a room stores, listed in its full documents (msrp-bot's `<files>`); none by default. */
  filesOf?: (room: string) => readonly ConferenceFile[]
}

interface ConferenceSubscription {
  id: string
  watcher: string
  room: string
  roomKey: string
  expiresAt: number
  /** Version of the last document sent on this subscription. */
  version: number
}

/** Conference-package subscriptions over a {@link RoomStore}. */
export class ConferenceNotifier {
  private readonly subscriptions = new Map<string, ConferenceSubscription>()
  private readonly clock: TimeSource
  private readonly minExpires: number
  private readonly maxExpires: number
  private readonly defaultExpires: number
  private readonly authorize: (watcher: string, room: string) => boolean
  private readonly newId: () => string
  private readonly filesOf: ((room: string) => readonly ConferenceFile[]) | undefined

  /** Reads room state from `store`; see {@link ConferenceNotifierOptions} for defaults. */
  constructor(private readonly store: RoomStore, options: ConferenceNotifierOptions = {}) {
    this.clock = options.clock ?? wallClock
    this.minExpires = options.minExpires ?? 60
    this.maxExpires = options.maxExpires ?? 3600
    this.defaultExpires = options.defaultExpires ?? 3600
    this.authorize = options.authorize ?? (() => true)
    this.newId = options.newSubscriptionId ?? (() => randomBase64Url(12))
    this.filesOf = options.filesOf
  }

  /** A full document's room description: the roster's, plus the room's files when it has any. */
  private fullDocument(state: ServerRoomState, version: number): ConferenceDocument {
    const full = fullRosterInput(state)
    const files = this.filesOf?.(state.uri) ?? []
    return { state: 'full', room: { ...full.room, version, ...(files.length > 0 ? { files } : {}) }, participants: full.participants }
  }

  /**
   * The room's file list changed (a file stored or removed): a partial document carrying the
   * whole new `<files>` list (and no user changes) to every live watcher of `room`.
   */
  filesChanged(room: string): ConferenceNotify[] {
    const roomKey = identityKey(room)
    const state = this.store.getRoom(room)
    if (state === undefined || roomKey === undefined) return []
    const files = this.filesOf?.(state.uri) ?? []
    const now = this.clock.now()
    return [...this.subscriptions.values()]
      .filter((s) => s.roomKey === roomKey && s.expiresAt > now)
      .map((s) => {
        s.version++
        const document: ConferenceDocument = { state: 'partial', room: { entity: state.uri, version: s.version, files }, changes: {} }
        return { subscriptionId: s.id, watcher: s.watcher, room: s.room, state: 'active', expiresIn: Math.ceil((s.expiresAt - now) / 1000), document }
      })
  }

  /**
   * Processes a SUBSCRIBE to a room (RFC 6665 §4.2.1): 489 unless Event is `conference`, 404 for
   * an unknown room, 481 for a refresh of a gone subscription, 423 below the minimum Expires, 403
   * if the policy refuses the watcher. Otherwise 200 and a full-state NOTIFY (refreshes included:
   * a full document resynchronises a watcher that missed something); Expires 0 answers with a
   * final full-state NOTIFY marked terminated.
   */
  subscribe(request: ConferenceSubscribeRequest): ConferenceSubscribeDecision {
    const event = request.event?.split(';')[0]?.trim().toLowerCase()
    if (event !== CONFERENCE_EVENT) {
      return { status: 489, reason: 'Bad Event', detail: `event package "${request.event ?? '(none)'}" is not served on rooms; use conference`, headers: { 'Allow-Events': CONFERENCE_EVENT } }
    }
    const state = this.store.getRoom(request.room)
    const roomKey = identityKey(request.room)
    if (state === undefined || roomKey === undefined) return { status: 404, reason: 'Not Found', detail: `no room ${request.room}`, headers: {} }
    const now = this.clock.now()
    let sub: ConferenceSubscription | undefined
    if (request.inDialog === true) {
      sub = request.id === undefined ? undefined : this.subscriptions.get(request.id)
      if (sub === undefined || sub.expiresAt <= now) {
        if (sub !== undefined) this.subscriptions.delete(sub.id)
        return { status: 481, reason: 'Call/Transaction Does Not Exist', detail: `subscription ${request.id ?? '(no id)'} does not exist or has ended`, headers: {} }
      }
    }
    const asked = request.expires ?? this.defaultExpires
    if (asked > 0 && asked < this.minExpires) {
      return { status: 423, reason: 'Interval Too Brief', detail: `Expires ${asked}s is below the minimum of ${this.minExpires}s`, headers: { 'Min-Expires': String(this.minExpires) } }
    }
    if (!this.authorize(request.watcher, state.uri)) {
      if (sub !== undefined) this.subscriptions.delete(sub.id)
      return { status: 403, reason: 'Forbidden', detail: `${request.watcher} may not watch ${state.uri}`, headers: {} }
    }
    const expires = Math.min(Math.max(0, Math.floor(asked)), this.maxExpires)
    const next: ConferenceSubscription = sub ?? { id: request.id ?? this.newId(), watcher: request.watcher, room: state.uri, roomKey, expiresAt: 0, version: 0 }
    next.expiresAt = now + expires * 1000
    next.version++
    const document = this.fullDocument(state, next.version)
    if (expires === 0) {
      this.subscriptions.delete(next.id)
      return { status: 200, reason: 'OK', subscriptionId: next.id, expires: 0, headers: { Expires: '0' }, notify: { subscriptionId: next.id, watcher: next.watcher, room: next.room, state: 'terminated', reason: 'timeout', document } }
    }
    this.subscriptions.set(next.id, next)
    return { status: 200, reason: 'OK', subscriptionId: next.id, expires, headers: { Expires: String(expires) }, notify: { subscriptionId: next.id, watcher: next.watcher, room: next.room, state: 'active', expiresIn: expires, document } }
  }

  /**
   * Turns one store event into NOTIFYs: a partial document per roster change to every live
   * watcher of that room, a full one after a config change, and `terminated;reason=noresource`
   * when the room is deleted.
   */
  handleStoreEvent(event: RoomStoreEvent): ConferenceNotify[] {
    const roomKey = identityKey(event.room)
    const now = this.clock.now()
    const watchers = [...this.subscriptions.values()].filter((s) => s.roomKey === roomKey && s.expiresAt > now)
    if (watchers.length === 0) return []
    if (event.type === 'room-deleted') {
      for (const s of watchers) this.subscriptions.delete(s.id)
      return watchers.map((s) => ({ subscriptionId: s.id, watcher: s.watcher, room: s.room, state: 'terminated', reason: 'noresource' }))
    }
    const state = this.store.getRoom(event.room)
    if (state === undefined || event.type === 'room-created') return []
    return watchers.map((s) => {
      s.version++
      let document: ConferenceDocument
      if (event.type === 'roster') {
        const partial = partialRosterInput(state, event.change)
        document = { state: 'partial', room: { ...partial.room, version: s.version }, changes: partial.changes }
      } else {
        document = this.fullDocument(state, s.version)
      }
      return { subscriptionId: s.id, watcher: s.watcher, room: s.room, state: 'active', expiresIn: Math.ceil((s.expiresAt - now) / 1000), document }
    })
  }

  /** Drops expired subscriptions, returning their final `terminated;reason=timeout` NOTIFYs (no body). */
  expire(): ConferenceNotify[] {
    const now = this.clock.now()
    const out: ConferenceNotify[] = []
    for (const s of [...this.subscriptions.values()]) {
      if (s.expiresAt <= now) {
        this.subscriptions.delete(s.id)
        out.push({ subscriptionId: s.id, watcher: s.watcher, room: s.room, state: 'terminated', reason: 'timeout' })
      }
    }
    return out
  }

  /** Clock time (ms) of the next subscription expiry, or undefined. */
  nextExpiry(): number | undefined {
    let next: number | undefined
    for (const s of this.subscriptions.values()) if (next === undefined || s.expiresAt < next) next = s.expiresAt
    return next
  }

  /** Live subscriptions to a room. */
  watchersOf(room: string): Array<{ subscriptionId: string; watcher: string }> {
    const key = identityKey(room)
    const now = this.clock.now()
    return [...this.subscriptions.values()].filter((s) => s.roomKey === key && s.expiresAt > now).map((s) => ({ subscriptionId: s.id, watcher: s.watcher }))
  }
}
