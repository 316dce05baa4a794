/**
 * What a room makes of a message the focus relays on its MSRP session: a notice, a composing
 * indication or a chat message for the bot (history replays marked), or nothing (logged).
 *
 * @module
 */
import type { BasicLogger } from '../logger.ts'
import { decodeChatMessage } from '../rooms/chat-message.ts'
import type { IncomingMsrpMessage } from '../msrp/session.ts'
import type { BackendEvent } from './backend.ts'

/**
 * How much older than the join a message's DateTime must be to count as history (clock skew
 * between the sender's machine and ours is forgiven up to this much).
 */
const HISTORY_SKEW_MS = 2000

/** What reading one inbound message needs from its room. */
export interface InboundRoom {
  readonly uri: string
  /** The bot's own URI. */
  readonly self: string
  readonly log: BasicLogger
  /** Wall-clock time the current session was asked for: older messages are history replays. */
  openedAt(): number
  /** The sender's nickname as the roster has it, if known. */
  nicknameOf(uri: string): string | undefined
  /** The sender speaks: a join of theirs still held for a nickname goes out first. */
  flushHeldJoin(uri: string): void
  /** Passes the event on to the bot (in order). */
  emit(event: BackendEvent): void
}

/** Decodes one message from the room's MSRP session and passes what it means on. */
export function deliverInbound(message: IncomingMsrpMessage, room: InboundRoom): void {
  const decoded = decodeChatMessage(message, { self: room.self, room: room.uri, now: new Date() })
  if (decoded.kind === 'ignored') {
    room.log.debug(`room ${room.uri}: inbound message ignored (${decoded.reason})`)
    return
  }
  if (decoded.kind === 'notice') {
    room.emit({ type: 'notice', room: room.uri, text: decoded.text, notice: decoded.notice, timestamp: decoded.timestamp })
    return
  }
  // Someone who speaks before naming themselves: their held join goes out first (rule 3: order).
  room.flushHeldJoin(decoded.senderUri)
  const sender = { uri: decoded.senderUri, nickname: room.nicknameOf(decoded.senderUri) ?? decoded.senderName }
  if (decoded.kind === 'composing') {
    room.emit({ type: 'composing', room: room.uri, private: decoded.private, sender, active: decoded.active })
    return
  }
  room.emit({
    type: 'message',
    room: room.uri,
    private: decoded.private,
    sender,
    contentType: decoded.contentType,
    body: decoded.body,
    timestamp: decoded.timestamp,
    messageId: decoded.messageId,
    ...(isHistory(decoded, room.openedAt()) ? { history: true } : {}),
  })
}

/**
 * A public message the room replayed from before this session: marked so by the focus
 * (msrp-bot's history header, rooms/history.ts), or, from a focus that does not mark replays
 * (SylkServer), with a CPIM DateTime older than the session's start (beyond clock skew).
 */
function isHistory(decoded: { private: boolean; history: boolean; timestamp: Date }, openedAt: number): boolean {
  if (decoded.private) return false
  return decoded.history || decoded.timestamp.getTime() < openedAt - HISTORY_SKEW_MS
}
