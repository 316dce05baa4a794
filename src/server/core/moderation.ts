/**
 * Moderation: removing a participant with REFER method=BYE (RFC 4579 §5.5), mute/unmute, and who
 * may do either. Message size and rate limits are room config (`maxMessageSize`, `rateLimit`,
 * enforced by `ServerRoom.handleMessage` with a {@link TokenBucket} per participant on the
 * injectable clock); this module only decides and authorises.
 *
 * Authority: owners may act on anyone; moderators on anyone but owners; any identity may
 * remove itself (e.g. a client leaving through the focus). Authority comes from the room config
 * (`owners`, `moderators`) and is checked against the requester's authenticated URI, so a
 * moderator need not be in the room to act on it.
 *
 * @module
 */

import type { ServerRoom } from './room.ts'
import type { ServerParticipant, RosterChange } from './room-store.ts'
import { sameIdentity } from '../../rooms/identity.ts'

/** Removing participants: what the wiring must do after answering the REFER 202. */
export interface KickAction {
  type: 'kick'
  /** The room URI. */
  room: string
  /** Every session of the target identity: send each a BYE on its dialog. */
  targets: ServerParticipant[]
  /** The requester's URI. */
  by: string
  /**
   * The message/sipfrag body for the final NOTIFY of the REFER subscription (RFC 3515 §2.4.5)
   * once the BYEs are sent: the focus reports its own BYE as succeeded.
   */
  sipfrag: 'SIP/2.0 200 OK'
}

/** Answer to a REFER sent to the room (RFC 4579 §5.5): 202 with the action, or a refusal. */
export type ReferDecision =
  | { ok: true; status: 202; reason: 'Accepted'; action: KickAction }
  | { ok: false; status: 400; reason: 'Bad Request'; problem: 'bad-refer-to'; detail: string }
  | { ok: false; status: 403; reason: 'Forbidden'; problem: 'not-authorised' | 'unsupported-method'; detail: string }
  | { ok: false; status: 404; reason: 'Not Found'; problem: 'not-a-participant'; detail: string }

/** A parsed Refer-To value: the target URI (parameters stripped of `method`) and the method asked for. */
export interface ReferTarget {
  /** The target URI as written, without angle brackets. */
  uri: string
  /** The `method` URI parameter, upper-cased; `INVITE` when absent (RFC 3515 §2.1 default). */
  method: string
}

/**
 * Parses a Refer-To header value such as `<sip:bob@example.test;method=BYE>` (name-addr with a
 * `method` URI parameter, RFC 4579 §5.5). Returns undefined when no URI can be found.
 */
export function parseReferTo(value: string): ReferTarget | undefined {
  let text = value.trim()
  let headerParams = ''
  const open = text.indexOf('<')
  if (open >= 0) {
    const close = text.indexOf('>', open + 1)
    if (close < 0) return undefined
    headerParams = text.slice(close + 1)
    text = text.slice(open + 1, close).trim()
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(text)) return undefined
  const q = text.indexOf('?')
  const beforeHeaders = q < 0 ? text : text.slice(0, q)
  const at = beforeHeaders.lastIndexOf('@')
  const semi = beforeHeaders.indexOf(';', at < 0 ? 0 : at)
  // The method belongs in the URI (RFC 3515 §2.1, RFC 4579 §5.5); some focuses and clients put it
  // after the '>' as a header parameter instead, which is accepted too.
  const method = findMethod(semi >= 0 ? beforeHeaders.slice(semi + 1) : '') ?? findMethod(headerParams.replace(/^\s*;/, '')) ?? 'INVITE'
  return { uri: text, method }
}

function findMethod(params: string): string | undefined {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=')
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase()
    if (name === 'method' && eq >= 0) return param.slice(eq + 1).trim().toUpperCase()
  }
  return undefined
}

/** Whether `requester` may act on `target` in `room` (see the module comment for the rules). */
export function mayModerate(room: ServerRoom, requester: string, target: ServerParticipant): boolean {
  if (sameIdentity(requester, target.uri)) return true
  const role = room.roleOf(requester)
  if (role === 'owner') return true
  if (role === 'moderator') return room.roleOf(target.uri) !== 'owner'
  return false
}

/**
 * Decides a REFER sent to the room URI (RFC 4579 §5.5 "Removing a participant"): `referTo` is
 * the Refer-To header value, `requester` the REFER's authenticated identity. 400 if Refer-To is
 * unusable, 403 for any method but BYE (the focus takes method=INVITE, an invitation, before
 * asking this) or when the requester lacks authority, 404 if the target is not in the room; else 202 and a {@link KickAction}.
 *
 * @example
 * ```ts
 * const d = decideRefer(room, { requester: 'sip:mod@example.test', referTo: '<sip:troll@example.test;method=BYE>' })
 * if (d.ok) { for (const t of d.action.targets) sendBye(t.id); applyKick(room, d.action) }
 * ```
 */
export function decideRefer(room: ServerRoom, request: { requester: string; referTo: string }): ReferDecision {
  const target = parseReferTo(request.referTo)
  if (target === undefined) {
    return { ok: false, status: 400, reason: 'Bad Request', problem: 'bad-refer-to', detail: `Refer-To "${request.referTo}" holds no URI` }
  }
  if (target.method !== 'BYE') {
    return { ok: false, status: 403, reason: 'Forbidden', problem: 'unsupported-method', detail: `this focus only acts on REFER with method=BYE (removal, RFC 4579 §5.5), not ${target.method}` }
  }
  const targets = room.findByUri(target.uri)
  const first = targets[0]
  if (first === undefined) {
    // Authority is checked first for identities that could never act, so that a stranger cannot
    // probe the roster by REFERring arbitrary URIs.
    if (room.roleOf(request.requester) === 'participant' && !sameIdentity(request.requester, target.uri)) return forbidden(request.requester, target.uri)
    return { ok: false, status: 404, reason: 'Not Found', problem: 'not-a-participant', detail: `${target.uri} is not in ${room.uri}` }
  }
  if (!mayModerate(room, request.requester, first)) return forbidden(request.requester, target.uri)
  return { ok: true, status: 202, reason: 'Accepted', action: { type: 'kick', room: room.uri, targets, by: request.requester, sipfrag: 'SIP/2.0 200 OK' } }
}

/** Removes the kicked participants from the room (reason `kicked`); call once their BYEs are sent. */
export function applyKick(room: ServerRoom, action: KickAction): RosterChange[] {
  const changes: RosterChange[] = []
  for (const t of action.targets) {
    const change = room.leave(t.id, 'kicked')
    if (change !== undefined) changes.push(change)
  }
  return changes
}

/** Answer to a mute/unmute request. */
export type MuteDecision =
  | { ok: true; change: RosterChange | undefined }
  | { ok: false; status: 403 | 404; problem: 'not-authorised' | 'not-a-participant'; detail: string }

/**
 * Mutes or unmutes participant `targetId` on behalf of `requester` (owners/moderators; see
 * {@link mayModerate}). A muted participant's messages are refused with 403 and its RFC 4575
 * media status should be shown as recvonly; the returned change (kind `media`) bumps the roster version.
 */
export function setMuted(room: ServerRoom, request: { requester: string; targetId: string; muted: boolean }): MuteDecision {
  const target = room.participant(request.targetId)
  if (target === undefined) return { ok: false, status: 404, problem: 'not-a-participant', detail: `participant ${request.targetId} is not in ${room.uri}` }
  // Unlike removal, nobody may unmute themselves: self-authority only covers leaving.
  const role = room.roleOf(request.requester)
  const allowed = role === 'owner' || (role === 'moderator' && room.roleOf(target.uri) !== 'owner')
  if (!allowed) return { ok: false, status: 403, problem: 'not-authorised', detail: `${request.requester} may not mute ${target.uri} in ${room.uri}` }
  return { ok: true, change: room.setMuted(target.id, request.muted) }
}

function forbidden(requester: string, target: string): ReferDecision {
  return { ok: false, status: 403, reason: 'Forbidden', problem: 'not-authorised', detail: `${requester} may not remove ${target}: only the room's owners and moderators can` }
}
