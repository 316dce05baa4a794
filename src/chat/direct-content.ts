/**
 * What a direct message (outside any room) carries, both ways: a page-mode MESSAGE body
 * (RFC 3428) or a 1:1 MSRP message (RFC 4975), `text/plain` or wrapped in `message/cpim`
 * (RFC 3862). The sender is the SIP identity the request came with; a CPIM `From` naming
 * someone else is not believed.
 *
 * @module
 */
import { buildCpim, cpimText, getCpimHeader, IMDN_NAMESPACE, parseCpim } from '../cpim/index.ts'
import type { CpimMessage } from '../cpim/index.ts'
import { baseType, CPIM_TYPE, IMDN_TYPE, IS_COMPOSING_TYPE } from '../rooms/content-types.ts'
import { contentOf, type MediaContent } from '../rooms/content.ts'
import { sameIdentity } from '../rooms/identity.ts'
import { newMessageId } from '../rooms/chat-message.ts'

/** A decoded direct message, or why it is not one. */
export type DecodedDirect =
  | { ok: true; senderName: string | undefined; contentType: string; body: string | Uint8Array; timestamp: Date; messageId: string }
  | { ok: false; status: 400 | 415 | 200; reason: string }

/** Content types a direct message may have (RFC 3428 §9: text/plain; CPIM for identity and ids). */
export const DIRECT_ACCEPT_TYPES = ['text/plain', CPIM_TYPE] as const

/**
 * Decodes a direct message body. `status` says how to answer what is not a message: 415 for a
 * type the bot does not take, 400 for malformed CPIM, 200 for what is understood but not a
 * message (is-composing, delivery notifications).
 */
export function decodeDirect(input: { contentType: string; body: Uint8Array; sender: string; fallbackId: string; now: Date }): DecodedDirect {
  const outer = baseType(input.contentType)
  let cpim: CpimMessage | undefined
  if (outer === CPIM_TYPE) {
    try {
      cpim = parseCpim(input.body, { maxBodyBytes: input.body.byteLength })
    } catch (error) {
      return { ok: false, status: 400, reason: `malformed CPIM: ${(error as Error).message}` }
    }
  } else if (!outer.startsWith('text/')) {
    return { ok: false, status: 415, reason: `a direct message must be text/plain or message/cpim, not ${outer}` }
  }
  const contentType = baseType(cpim === undefined ? input.contentType : cpim.contentType ?? 'text/plain')
  if (contentType === IS_COMPOSING_TYPE || contentType === IMDN_TYPE) return { ok: false, status: 200, reason: `${contentType} is not a message` }
  const text = contentType.startsWith('text/')
  const body = cpim === undefined ? input.body : cpim.body
  // The CPIM display name is shown only when the CPIM From is the request's own sender.
  const senderName = cpim !== undefined && sameIdentity(cpim.from.uri, input.sender) ? cpim.from.displayName : undefined
  return {
    ok: true,
    senderName,
    contentType,
    body: text ? (cpim === undefined ? Buffer.from(body).toString('utf8') : cpimText(cpim)) : new Uint8Array(body),
    timestamp: cpim?.dateTime ?? input.now,
    messageId: (cpim === undefined ? undefined : getCpimHeader(cpim, IMDN_NAMESPACE, 'Message-ID')) ?? input.fallbackId,
  }
}

/**
 * The body of an outgoing direct message: CPIM (From us, To the peer, DateTime, IMDN
 * Message-ID) when the peer takes `message/cpim`, else the content as it is.
 */
export function encodeDirect(content: MediaContent, init: { from: string; displayName?: string | undefined; to: string; cpim: boolean; now: Date }): { contentType: string; body: Buffer; messageId: string } {
  const mime = contentOf(content)
  const messageId = newMessageId()
  const raw = typeof mime.body === 'string' ? Buffer.from(mime.body, 'utf8') : Buffer.from(mime.body)
  if (!init.cpim) return { contentType: mime.contentType, body: raw, messageId }
  const body = buildCpim({
    from: init.displayName === undefined ? { uri: init.from } : { uri: init.from, displayName: init.displayName },
    to: [{ uri: init.to }],
    dateTime: init.now,
    namespaces: { imdn: IMDN_NAMESPACE },
    headers: [{ namespace: IMDN_NAMESPACE, name: 'Message-ID', value: messageId }],
    contentType: mime.contentType,
    body: mime.body,
  })
  return { contentType: CPIM_TYPE, body, messageId }
}
