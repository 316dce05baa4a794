/**
 * Sending into a room: a chat message (to everyone or one participant, RFC 7701 §9) or a
 * composing indication (RFC 3994), wrapped in CPIM and sent on the room's MSRP session.
 *
 * @module
 */
import { buildChatCpim, buildComposingCpim, newMessageId } from '../rooms/chat-message.ts'
import { contentOf } from '../rooms/content.ts'
import type { OutgoingContent, RoomClosedReason, SendReceipt } from './backend.ts'
import { toSendError } from './error-mapping.ts'
import type { RoomMedia } from './room-media.ts'

/** Who sends into which room, and how. */
export interface SendingRoom {
  readonly uri: string
  /** The bot's own URI and display name (the CPIM From). */
  readonly self: string
  readonly displayName: string | undefined
  /** Ask for MSRP success REPORTs and resolve sends only once they arrived (RFC 4975 §7.1.1). */
  readonly successReports: boolean
  /** Why the focus ended the session, once known (said in the error of a failed send). */
  closedReason(): RoomClosedReason | undefined
}

/** Sends `content` to the room, or privately to `to`; resolves with the message's ID. */
export async function sendChat(media: RoomMedia, room: SendingRoom, content: OutgoingContent, to: string | undefined): Promise<SendReceipt> {
  const { contentType, body } = contentOf(content)
  const messageId = newMessageId()
  const cpim = buildChatCpim({ from: room.self, displayName: room.displayName, to: to ?? room.uri, contentType, body, messageId, now: new Date() })
  try {
    await media.send({ contentType: 'message/cpim', body: cpim, messageId, successReport: room.successReports })
  } catch (error) {
    throw toSendError(error, { room: room.uri, to, closed: room.closedReason() })
  }
  return { messageId }
}

/** Sends an is-composing indication (typing or stopped) to the room. */
export async function sendComposing(media: RoomMedia, room: SendingRoom, active: boolean, track: <T>(work: Promise<T>) => Promise<T>): Promise<void> {
  const cpim = buildComposingCpim({ from: room.self, displayName: room.displayName, to: room.uri, messageId: newMessageId(), now: new Date(), active })
  try {
    await track(media.send({ contentType: 'message/cpim', body: cpim }))
  } catch (error) {
    throw toSendError(error, { room: room.uri })
  }
}
