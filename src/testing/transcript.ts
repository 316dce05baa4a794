/**
 * What a test participant saw: its transcript entries and the matchers `expectMessage` takes.
 *
 * @module
 */
import type { DirectEvent, MessageEvent } from '../chat/backend.ts'

/** One message a participant received. */
export interface TranscriptEntry {
  /** The room it arrived in ('' for a direct message). */
  readonly room: string
  /**
   * 'public' (to the room), 'private' (between two participants in a room) or 'direct' (to a
   * person's or bot's own address, outside rooms: page-mode MESSAGE or a 1:1 session).
   */
  readonly kind: 'public' | 'private' | 'direct'
  /** 'received', or 'sent' for the participant's own messages (the focus does not echo them). */
  readonly direction: 'received' | 'sent'
  /** For a private message the participant sent: the recipient's URI. */
  readonly to?: string | undefined
  /** The sender's URI. */
  readonly from: string
  /** The sender's nickname in the room when it was sent, if known. */
  readonly nickname: string | undefined
  /** The body as text (UTF-8 decoded for non-text types). */
  readonly text: string
  /** The media type of the content (`text/plain` ...). */
  readonly contentType: string
  readonly timestamp: Date
  readonly messageId: string
}

/** What `expectMessage` looks for: the exact text, a pattern, or a predicate on the entry. */
export type MessageMatcher = string | RegExp | ((entry: TranscriptEntry) => boolean)

/** Turns a message event (in a room or direct) into a transcript entry. */
export function toTranscriptEntry(event: MessageEvent | DirectEvent): TranscriptEntry {
  return {
    room: event.type === 'direct' ? '' : event.room,
    kind: event.type === 'direct' ? 'direct' : event.private ? 'private' : 'public',
    direction: 'received',
    from: event.sender.uri,
    nickname: event.sender.nickname,
    text: typeof event.body === 'string' ? event.body : Buffer.from(event.body).toString('utf8'),
    contentType: event.contentType,
    timestamp: event.timestamp,
    messageId: event.messageId,
  }
}

/** True when `entry` satisfies `matcher`. */
export function matches(entry: TranscriptEntry, matcher: MessageMatcher): boolean {
  if (typeof matcher === 'string') return entry.text === matcher
  if (matcher instanceof RegExp) return matcher.test(entry.text)
  return matcher(entry)
}

/** A one-line rendering, for failure messages: `[public] alice: hello`. */
export function formatEntry(entry: TranscriptEntry): string {
  return `[${entry.kind}] ${entry.nickname ?? entry.from}: ${entry.text}`
}

/** Describes a matcher for failure messages. */
export function describeMatcher(matcher: MessageMatcher): string {
  if (typeof matcher === 'string') return JSON.stringify(matcher)
  if (matcher instanceof RegExp) return String(matcher)
  return 'a message matching the predicate'
}
