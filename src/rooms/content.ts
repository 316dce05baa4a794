/**
 * The media seam: what a room session carries, as typed content rather than bytes. The room
 * client sends it, the bot API takes it, and the chat-message codec (chat-message.ts) is the one
 * place it becomes a CPIM body (RFC 7701 §6, RFC 3862) and back. A new kind of content (RFC 5547
 * file transfer) is a new member here, handled in that codec and the bot API, nowhere else.
 *
 * @module
 */
import { baseType, TEXT_PLAIN_UTF8_TYPE } from './content-types.ts'

/** A body with its MIME type: `{ contentType: 'application/json', body: '{"a":1}' }`. */
export interface MimeContent {
  contentType: string
  body: string | Uint8Array
}

/** What a participant sends in a room: plain text (sent as `text/plain;charset=utf-8`) or any MIME body. */
export type MediaContent = string | MimeContent

/**
 * Normalises content to a type and body: strings are UTF-8 `text/plain`, and a text body given
 * as a string says `charset=utf-8` when the caller did not (RFC 3862 §3.2: the sender names the charset).
 *
 * @example
 * ```ts
 * contentOf('hi')                                      // { contentType: 'text/plain;charset=utf-8', body: 'hi' }
 * contentOf({ contentType: 'text/html', body: '<b>' }) // { contentType: 'text/html;charset=utf-8', body: '<b>' }
 * ```
 */
export function contentOf(content: MediaContent): MimeContent {
  if (typeof content === 'string') return { contentType: TEXT_PLAIN_UTF8_TYPE, body: content }
  const type = content.contentType
  const withCharset =
    typeof content.body === 'string' && baseType(type).startsWith('text/') && !/charset=/i.test(type) ? `${type};charset=utf-8` : type
  return { contentType: withCharset, body: content.body }
}
