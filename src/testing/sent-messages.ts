/**
 * A test participant's own messages in its transcript: recorded the moment they are sent (as
 * a chat client shows them), and dropped again if the send fails.
 *
 * @module
 */
import type { OutgoingContent, RoomHandle, SendReceipt } from '../chat/backend.ts'
import type { TranscriptEntry } from './transcript.ts'

/** Who sent what where: `room` is undefined for a direct message outside rooms, `to` for a private or direct one. */
export interface SentMessage {
  readonly room: RoomHandle | undefined
  readonly content: OutgoingContent
  readonly to: string | undefined
  /** The sender's URI. */
  readonly from: string
}

/**
 * Records an own message at once (as a chat client shows it), dropping it if the send fails.
 * `room` is undefined for a direct message outside rooms.
 */
export async function recordSent(transcript: TranscriptEntry[], message: SentMessage, sending: Promise<SendReceipt>): Promise<SendReceipt> {
  const { room, content, to } = message
  const body = typeof content === 'string' ? content : content.body
  const entry: TranscriptEntry = {
    room: room?.uri ?? '',
    kind: room === undefined ? 'direct' : to === undefined ? 'public' : 'private',
    direction: 'sent',
    to,
    from: message.from,
    nickname: room?.nickname,
    text: typeof body === 'string' ? body : Buffer.from(body).toString('utf8'),
    contentType: typeof content === 'string' ? 'text/plain' : content.contentType.split(';')[0]!.trim().toLowerCase(),
    timestamp: new Date(),
    messageId: '',
  }
  transcript.push(entry)
  try {
    return await sending
  } catch (error) {
    const i = transcript.indexOf(entry)
    if (i >= 0) transcript.splice(i, 1)
    throw error
  }
}
