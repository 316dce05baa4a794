/**
 * Chat messages on the wire, as a room participant sees them: what it sends (message/cpim,
 * RFC 3862, wrapping the content, RFC 7701 §6) and what it makes of what arrives (messages,
 * is-composing indications, the focus's own notices).
 *
 * @module
 */
import { randomHex } from '../random.ts'
import { buildCpim, cpimText, getCpimHeader, IMDN_NAMESPACE, parseCpim } from '../cpim/index.ts'
import type { CpimMessage } from '../cpim/index.ts'
import { baseType, CPIM_TYPE, IMDN_TYPE, IS_COMPOSING_TYPE } from './content-types.ts'
import { sameIdentity } from './identity.ts'
import { buildIsComposing, parseIsComposing } from './is-composing.ts'
import { noticeKind } from './system-notice.ts'
import { isHistoryReplay } from './history.ts'
import type { NoticeKind } from './system-notice.ts'

/** A random message id: 24 hex digits, valid both as MSRP Message-ID (RFC 4975 §9 ident) and IMDN Message-ID (RFC 5438 §6.3). */
export function newMessageId(): string {
  return randomHex(12)
}

/** Inputs for {@link buildChatCpim}. */
export interface ChatCpimInit {
  /** The bot's own URI (CPIM From, RFC 7701 §6.1: must be the sender's identity). */
  from: string
  displayName?: string | undefined
  /** The room URI (public) or a participant's URI (private, RFC 7701 §7). */
  to: string
  contentType: string
  body: string | Uint8Array
  messageId: string
  now: Date
}

/** Builds the message/cpim body for a chat message. */
export function buildChatCpim(init: ChatCpimInit): Buffer {
  return buildCpim({
    from: init.displayName === undefined ? { uri: init.from } : { uri: init.from, displayName: init.displayName },
    to: [{ uri: init.to }],
    dateTime: init.now,
    namespaces: { imdn: IMDN_NAMESPACE },
    headers: [{ namespace: IMDN_NAMESPACE, name: 'Message-ID', value: init.messageId }],
    contentType: init.contentType,
    body: init.body,
  })
}

/** Builds the CPIM-wrapped is-composing indication (RFC 3994 over CPIM, RFC 7701 §6). */
export function buildComposingCpim(init: Omit<ChatCpimInit, 'contentType' | 'body'> & { active: boolean }): Buffer {
  return buildChatCpim({ ...init, contentType: IS_COMPOSING_TYPE, body: buildIsComposing({ active: init.active }) })
}

/** An inbound MSRP message, reduced to what the chat layer reads. */
export interface InboundMsrp {
  contentType: string
  body: Uint8Array
  messageId: string
}

/** What an inbound message turned out to be. */
export type DecodedChat =
  | {
      kind: 'message'
      private: boolean
      senderUri: string
      senderName: string | undefined
      contentType: string
      body: string | Uint8Array
      timestamp: Date
      messageId: string
      /** A public message the focus replayed from the room's history (marked, see history.ts). */
      history: boolean
    }
  | { kind: 'composing'; private: boolean; senderUri: string; senderName: string | undefined; active: boolean }
  /** The focus itself speaking (see system-notice.ts): a welcome, "alice has joined". */
  | { kind: 'notice'; notice: NoticeKind; text: string; timestamp: Date; messageId: string }
  | { kind: 'ignored'; reason: string }

/**
 * Decodes an inbound MSRP message in a room. A CPIM `To` naming the bot (not the room) makes
 * it private (RFC 7701 §7). What the focus says itself (CPIM From is the room, a status marker,
 * or no CPIM wrapper at all) is a `notice`, never a person's message (system-notice.ts).
 * Never throws: malformed CPIM is reported as `ignored`.
 */
export function decodeChatMessage(message: InboundMsrp, context: { self: string; room: string; now: Date }): DecodedChat {
  const outer = baseType(message.contentType)
  let cpim: CpimMessage | undefined
  if (outer === CPIM_TYPE) {
    try {
      cpim = parseCpim(message.body, { maxBodyBytes: 16 * 1024 * 1024 })
    } catch (error) {
      return { kind: 'ignored', reason: `malformed CPIM: ${(error as Error).message}` }
    }
  }
  const contentType = baseType(cpim === undefined ? message.contentType : cpim.contentType)
  const body = cpim === undefined ? message.body : cpim.body
  const senderUri = cpim?.from.uri ?? context.room
  const senderName = cpim?.from.displayName
  const isPrivate =
    cpim !== undefined &&
    cpim.to.length > 0 &&
    cpim.to.some((to) => sameIdentity(to.uri, context.self)) &&
    !cpim.to.some((to) => sameIdentity(to.uri, context.room))
  if (contentType === IS_COMPOSING_TYPE) {
    const state = parseIsComposing(body)
    if (state === undefined) return { kind: 'ignored', reason: 'malformed is-composing document' }
    return { kind: 'composing', private: isPrivate, senderUri, senderName, active: state.active }
  }
  if (contentType === IMDN_TYPE) return { kind: 'ignored', reason: 'disposition notification' }
  const text = contentType.startsWith('text/')
  const notice = noticeKind(cpim, context.room)
  if (notice !== undefined) {
    if (!text) return { kind: 'ignored', reason: `a ${contentType} notice from the focus` }
    return {
      kind: 'notice',
      notice,
      text: cpim === undefined ? Buffer.from(body).toString('utf8') : cpimText(cpim),
      timestamp: cpim?.dateTime ?? context.now,
      messageId: (cpim === undefined ? undefined : getCpimHeader(cpim, IMDN_NAMESPACE, 'Message-ID')) ?? message.messageId,
    }
  }
  return {
    kind: 'message',
    private: isPrivate,
    senderUri,
    senderName,
    contentType,
    body: text ? (cpim === undefined ? Buffer.from(body).toString('utf8') : cpimText(cpim)) : new Uint8Array(body),
    timestamp: cpim?.dateTime ?? context.now,
    messageId: (cpim === undefined ? undefined : getCpimHeader(cpim, IMDN_NAMESPACE, 'Message-ID')) ?? message.messageId,
    history: cpim !== undefined && !isPrivate && isHistoryReplay(cpim),
  }
}
