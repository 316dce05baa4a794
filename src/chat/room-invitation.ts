/**
 * An invitation to a chat room: the room's focus calls a user in (RFC 4579 §5.5, after someone
 * in the room sent it a REFER with `method=INVITE`). Its INVITE comes from the room and carries
 * the room's MSRP offer, with `a=chatroom` (RFC 7701) or a Contact marked `isfocus` (RFC 4579);
 * that is how it is told from a 1:1 chat.
 *
 * @module
 */
import { readNameAddrHeader } from '../sip/headers/name-addr.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import { parseMsrpSdp } from '../sdp/index.ts'

export type { RoomInvitation } from './backend.ts'

/** True when an INVITE comes from a conference focus (Contact `isfocus`, or `a=chatroom` in its offer). */
export function isRoomInvitation(invitation: Invitation): boolean {
  const contact = readNameAddrHeader(invitation.request.message.headers, 'Contact')
  if (contact !== undefined && contact.params.has('isfocus')) return true
  try {
    return parseMsrpSdp(invitation.remoteSdp).media.some((m) => m.chatroom !== undefined)
  } catch {
    return false
  }
}
