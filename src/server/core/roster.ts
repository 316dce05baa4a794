/**
 * Room state → inputs of the conference-info builders (src/conference, RFC 4575), so the wiring
 * can answer a conference-event SUBSCRIBE with a full document and send a partial one per
 * roster change.
 *
 * Versions: these inputs carry the room's roster version; `ConferenceNotifier` replaces it
 * with a per-subscription counter (RFC 4575 §4.6), which is what should go on the wire.
 *
 * @module
 */

import type { RoomDescription, RosterEntry, RosterChanges } from '../../conference/documents.ts'
import type { ServerParticipant, ServerRoomState, RosterChange } from './room-store.ts'
import { identityKey } from '../../rooms/identity.ts'

/**
 * One RFC 4575 user per identity (several sessions of one user collapse into the first),
 * nickname as display-text (RFC 7701 §7 practice), role as `<roles>`, and the chat media
 * stream `recvonly` while muted.
 */
export function roomParticipants(state: ServerRoomState): RosterEntry[] {
  const byUser = new Map<string, ServerParticipant>()
  for (const p of state.participants.values()) {
    const key = identityKey(p.uri) ?? p.uri
    if (!byUser.has(key)) byUser.set(key, p)
  }
  return [...byUser.values()].map(toRoomParticipant)
}

/** Input for `buildFullRoster(room, participants)`: the whole roster at the current version. */
export function fullRosterInput(state: ServerRoomState): { room: RoomDescription; participants: RosterEntry[] } {
  return { room: describe(state, state.version), participants: roomParticipants(state) }
}

/**
 * Input for `buildPartialRoster(room, changes)` for one roster change, evaluated against the
 * state after the change: a leave removes the user unless another session of theirs remains.
 */
export function partialRosterInput(state: ServerRoomState, change: RosterChange): { room: RoomDescription; changes: RosterChanges } {
  const key = identityKey(change.participant.uri)
  const remaining = [...state.participants.values()].find((p) => identityKey(p.uri) === key)
  const userCount = roomParticipants(state).length
  const changes: RosterChanges =
    change.kind === 'leave' && remaining === undefined
      ? { removed: [change.participant.uri], userCount }
      : { upserted: [toRoomParticipant(remaining ?? change.participant)], userCount }
  return { room: describe(state, change.version), changes }
}

function toRoomParticipant(p: ServerParticipant): RosterEntry {
  const out: RosterEntry = {
    uri: p.uri,
    status: 'connected',
    roles: [p.role],
    media: [{ id: '1', type: 'message', status: p.muted ? 'recvonly' : 'sendrecv' }],
    // The focus knows from every INVITE's Contact (RFC 3840 automaton tag), so it always says.
    isBot: p.automaton === true,
  }
  if (p.nickname !== undefined) out.nickname = p.nickname
  if (p.displayName !== undefined) out.displayText = p.displayName
  if (p.contact !== undefined) out.endpoint = p.contact
  return out
}

function describe(state: ServerRoomState, version: number): RoomDescription {
  const room: RoomDescription = { entity: state.uri, version }
  if (state.config.subject !== undefined) room.subject = state.config.subject
  return room
}
