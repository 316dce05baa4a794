import { buildConferenceInfo } from './build.ts'
import type { ConferenceFile, ConferenceInfo, ConferenceMedia, ConferenceUser, EndpointStatus } from './types.ts'

/** A participant as the room (server side) knows it. */
export interface RosterEntry {
  /** The user's URI. */
  uri: string
  /** RFC 7701 nickname; written as display-text of the user and its endpoint. */
  nickname?: string
  /** Display name used when there is no nickname. */
  displayText?: string
  /** Endpoint URI (the contact of the session); defaults to `uri`. */
  endpoint?: string
  /** Default `connected`. */
  status?: EndpointStatus
  roles?: string[]
  /** When the participant joined (joining-info/when). */
  joinedAt?: Date
  /** Media streams; default one `message` stream with id `1`. */
  media?: ConferenceMedia[]
  /** True for a bot (RFC 3840 automaton), false for a person; written as msrp-bot's `<automaton>`. */
  isBot?: boolean
}

/** Room-level fields for {@link buildFullRoster} / {@link buildPartialRoster}. */
export interface RoomDescription {
  /** Conference (room) URI. */
  entity: string
  /** Document version; the caller increments it once per NOTIFY (RFC 4575 §4.6). */
  version: number
  displayText?: string
  subject?: string
  /** The room's stored files, written as msrp-bot's `<files>` (the whole list each time). */
  files?: readonly ConferenceFile[]
}

function userOf(p: RosterEntry): ConferenceUser {
  const name = p.nickname ?? p.displayText
  const endpoint: ConferenceUser['endpoints'][number] = {
    entity: p.endpoint ?? p.uri,
    status: p.status ?? 'connected',
    media: p.media ?? [{ id: '1', type: 'message', status: 'sendrecv' }],
  }
  if (name !== undefined) endpoint.displayText = name
  if (p.joinedAt) endpoint.joiningInfo = { when: p.joinedAt.toISOString() }
  const user: ConferenceUser = { entity: p.uri, state: 'full', endpoints: [endpoint] }
  if (name !== undefined) user.displayText = name
  if (p.roles) user.roles = p.roles
  if (p.isBot !== undefined) user.automaton = p.isBot
  return user
}

function base(room: RoomDescription, state: 'full' | 'partial'): ConferenceInfo {
  const info: ConferenceInfo = { entity: room.entity, state, version: room.version }
  if (room.displayText !== undefined || room.subject !== undefined || room.files !== undefined) {
    info.description = {}
    if (room.displayText !== undefined) info.description.displayText = room.displayText
    if (room.subject !== undefined) info.description.subject = room.subject
    if (room.files !== undefined) info.description.files = room.files.map((f) => ({ ...f }))
  }
  return info
}

/** Full-state conference-info for the room's current participants (RFC 4575 §4.6). */
export function buildFullRoster(room: RoomDescription, participants: readonly RosterEntry[]): string {
  const info = base(room, 'full')
  info.conferenceState = { userCount: participants.length, active: true }
  info.users = { list: participants.map(userOf).map(({ state: _s, ...u }) => u) }
  return buildConferenceInfo(info)
}

/** What changed since the previous document, for {@link buildPartialRoster}. */
export interface RosterChanges {
  /** Participants who joined or changed (sent whole, state="full"). */
  upserted?: readonly RosterEntry[]
  /** URIs of users who left (state="deleted"). */
  removed?: readonly string[]
  /** New participant count, if known. */
  userCount?: number
}

/** Partial-state conference-info carrying only the changes (RFC 4575 §4.6). */
export function buildPartialRoster(room: RoomDescription, changes: RosterChanges): string {
  const info = base(room, 'partial')
  if (info.description) info.description.state = 'partial'
  if (changes.userCount !== undefined) info.conferenceState = { state: 'partial', userCount: changes.userCount }
  const list: ConferenceUser[] = (changes.upserted ?? []).map(userOf)
  for (const uri of changes.removed ?? []) list.push({ entity: uri, state: 'deleted', endpoints: [] })
  // A document that only lists the room's files carries no <users>.
  if (list.length > 0 || room.files === undefined) info.users = { state: 'partial', list }
  return buildConferenceInfo(info)
}

function sameParticipant(a: RosterEntry, b: RosterEntry): boolean {
  return a.nickname === b.nickname && a.displayText === b.displayText && a.endpoint === b.endpoint && a.status === b.status &&
    a.joinedAt?.getTime() === b.joinedAt?.getTime() && JSON.stringify(a.roles ?? []) === JSON.stringify(b.roles ?? []) &&
    JSON.stringify(a.media ?? null) === JSON.stringify(b.media ?? null)
}

/**
 * The changes between two snapshots of a room, ready for {@link buildPartialRoster}: who is new
 * or changed (by URI), who is gone, and the new count. Returns undefined when nothing changed,
 * so the caller can skip the NOTIFY.
 */
export function diffRoomParticipants(previous: readonly RosterEntry[], next: readonly RosterEntry[]): RosterChanges | undefined {
  const before = new Map(previous.map((p) => [p.uri, p]))
  const upserted: RosterEntry[] = []
  for (const p of next) {
    const old = before.get(p.uri)
    if (!old || !sameParticipant(old, p)) upserted.push(p)
    before.delete(p.uri)
  }
  const removed = [...before.keys()]
  if (upserted.length === 0 && removed.length === 0) return undefined
  return { upserted, removed, userCount: next.length }
}
