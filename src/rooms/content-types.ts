/**
 * The media types of the RFC 7701 chat-room contract, each defined once for the room client
 * (src/chat) and the server (src/server), with the media-type helpers both sides compare them with.
 *
 * @module
 */

/** Every chat message on a room's MSRP session is wrapped in CPIM (RFC 7701 §6, RFC 3862). */
export const CPIM_TYPE = 'message/cpim'
/** Plain text, the one content type every participant understands (RFC 7701 §6). */
export const TEXT_PLAIN_TYPE = 'text/plain'
/** Plain text as the room client sends strings: UTF-8 said explicitly (RFC 3862 §3.2 Content-Type). */
export const TEXT_PLAIN_UTF8_TYPE = 'text/plain;charset=utf-8'
/** RFC 3994 §7: is-composing indications. */
export const IS_COMPOSING_TYPE = 'application/im-iscomposing+xml'
/** RFC 5438 §10: disposition notifications (IMDN). */
export const IMDN_TYPE = 'message/imdn+xml'
/** RFC 4575 §7: the room's roster, in NOTIFYs of the `conference` event package. */
export const CONFERENCE_INFO_TYPE = 'application/conference-info+xml'
/** RFC 3863 §3: presence documents (PIDF). */
export const PIDF_TYPE = 'application/pidf+xml'
/** msrp-bot's moderation requests (vendor tree, RFC 6838 §3.2); see moderation.ts. */
export const MODERATION_TYPE = 'application/vnd.msrp-bot.moderation+json'

/**
 * What a room participant accepts inside CPIM (SDP `a=accept-wrapped-types`, RFC 4975 §8):
 * text, is-composing, IMDN, and anything else the bot's handlers may read (`*`).
 */
export const ACCEPT_WRAPPED_TYPES = [TEXT_PLAIN_TYPE, IS_COMPOSING_TYPE, IMDN_TYPE, '*'] as const

/** `Text/Plain; charset=utf-8` → `text/plain`; undefined stays undefined. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  const semi = contentType.indexOf(';')
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

/** `Text/Plain; charset=utf-8` → `text/plain`; a missing type reads as `text/plain` (RFC 3862 §3.2). */
export function baseType(contentType: string | undefined): string {
  return mediaType(contentType) ?? TEXT_PLAIN_TYPE
}

/** True when `contentType` matches one of `accepted` (`*`, `*\/*`, `type/*` or exact, RFC 4975 §8 style). */
export function isAcceptedType(contentType: string | undefined, accepted: readonly string[]): boolean {
  const base = mediaType(contentType)
  for (const raw of accepted) {
    const a = raw.trim().toLowerCase()
    if (a === '*' || a === '*/*') return true
    if (base === undefined) continue
    if (a.endsWith('/*') ? base.startsWith(a.slice(0, -1)) : base === a) return true
  }
  return false
}

/**
 * What a chat message is, by its encapsulated Content-Type: an ordinary `message`, an RFC 3994
 * `is-composing` indication, or an RFC 5438 `imdn` disposition notification.
 */
export type ChatMessageCategory = 'message' | 'is-composing' | 'imdn'

/** Classifies a CPIM Content-Type (parameters and case ignored). */
export function categorize(contentType: string | undefined): ChatMessageCategory {
  const base = mediaType(contentType)
  if (base === IS_COMPOSING_TYPE) return 'is-composing'
  if (base === IMDN_TYPE) return 'imdn'
  return 'message'
}
