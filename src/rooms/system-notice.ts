/**
 * System notices: what the focus itself says in a room ("Welcome!", "alice has joined the
 * room"), told apart from what people say, so that no bot answers a notice as if a person
 * had spoken.
 *
 * How to tell, from the protocol and not from a product name:
 *
 * - **The sender is the room.** RFC 7701 §6.1: the focus relays a participant's message with
 *   the participant's own URI in CPIM `From`, and refuses a `From` that is not the sender's
 *   identity. A CPIM `From` equal to the room URI is therefore the focus speaking (SylkServer's
 *   welcome and its join/leave notices are sent that way). The focus may know the room under
 *   another URI than the one the bot dialled (a proxy in front rewrote the Request-URI), so a
 *   message whose `From` equals its own `To` counts as the room's too: a participant's public
 *   message goes to the room, not to its sender, and a private one to oneself reaches only
 *   one's own sessions. A message without a CPIM wrapper names no sender at all, so it is the
 *   room's as well.
 * - **A status marker.** Some foci also mark notices with a namespaced CPIM header (RFC 3862
 *   §3.3 namespaces): `Message-Type: status` in the namespace `urn:ag-projects:xml:ns:cpim`
 *   (the SIP SIMPLE SDK's chat extension). Such a message is a status notice whatever its
 *   `From` says.
 *
 * @module
 */
import { getCpimHeader } from '../cpim/index.ts'
import type { CpimMessage } from '../cpim/index.ts'
import { sameIdentity } from './identity.ts'

/** The CPIM namespace of the SIP SIMPLE chat extension headers (`Message-Type`). */
export const SIP_SIMPLE_CPIM_NAMESPACE = 'urn:ag-projects:xml:ns:cpim'

/** What a message from the focus is: marked as a status notice, or any other notice (a welcome). */
export type NoticeKind = 'status' | 'info'

/**
 * Whether a room message is a system notice, and of which kind; undefined for a person's message.
 *
 * @example
 * ```ts
 * noticeKind(parseCpim(body), 'sip:lobby@chat.example.test')  // 'info' for the welcome, 'status' for "has joined"
 * ```
 */
export function noticeKind(cpim: CpimMessage | undefined, room: string): NoticeKind | undefined {
  if (cpim === undefined) return 'info'
  const marker = getCpimHeader(cpim, SIP_SIMPLE_CPIM_NAMESPACE, 'Message-Type')
  if (marker !== undefined && marker.trim().toLowerCase() === 'status') return 'status'
  const fromRoom = sameIdentity(cpim.from.uri, room) || (cpim.to.length === 1 && sameIdentity(cpim.from.uri, cpim.to[0]!.uri))
  return fromRoom ? 'info' : undefined
}
