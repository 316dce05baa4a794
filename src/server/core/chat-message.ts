/**
 * What the focus receives from a participant's MSRP session (one complete SEND, CPIM-wrapped,
 * RFC 7701 §6) and what it decides to do with it.
 *
 * The input type is structural: the CPIM codec's `CpimMessage` fits {@link ChatCpim} as is, and
 * the decision hands back the very same object to re-emit, so the wiring converts nothing.
 *
 * @module
 */

import type { ChatMessageCategory } from '../../rooms/content-types.ts'
import type { ServerParticipant } from './room-store.ts'

/** An address in a CPIM From/To header (RFC 3862 §3.3.1); only the URI matters to the focus. */
export interface ChatCpimAddress {
  readonly uri: string
  readonly displayName?: string | undefined
}

/** The parts of a message/cpim object the focus looks at; extra fields (IMDN headers...) ride along. */
export interface ChatCpim {
  readonly from: ChatCpimAddress
  readonly to: ReadonlyArray<ChatCpimAddress>
  /** Content-Type of the encapsulated object, e.g. `text/plain;charset=UTF-8`. */
  readonly contentType?: string | undefined
  readonly body: Uint8Array
  /** The CPIM DateTime (RFC 3862 §3.3.5), when the sender gave one. */
  readonly dateTime?: Date | undefined
  /** Headers outside the core namespace, resolved to their namespace URIs (RFC 3862 §3.3.7). */
  readonly headers?: ReadonlyArray<{ readonly namespace: string; readonly name: string }> | undefined
}

/** One complete chat message from a participant. */
export interface InboundChatMessage<C extends ChatCpim = ChatCpim> {
  /** The participant whose MSRP session carried the SEND. */
  participantId: string
  /** The parsed CPIM wrapper. */
  cpim: C
  /**
   * Size of the whole MSRP message body (CPIM headers + content) in bytes, when known (the
   * Byte-Range total); defaults to the content's size. Compared with `maxMessageSize`.
   */
  size?: number
  /**
   * The whole CPIM object as received. When given, a public chat message the room accepts is
   * kept in its history (see `RoomConfig.history`), with a DateTime added if it had none.
   */
  raw?: Uint8Array
  /** When the focus received it (default: now); the DateTime added to a message without one. */
  receivedAt?: Date
}

/** Every way the focus refuses a message, with the MSRP status to answer the SEND with. */
export type MessageRejection =
  /** 481: the participant is not (or no longer) in the room (RFC 4975 §10 Session-does-not-exist). */
  | { action: 'reject'; status: 481; reason: 'Session does not exist'; problem: 'not-a-participant'; detail: string }
  /**
   * 403 Action-not-allowed: `spoofed-from` (CPIM From is not the participant's own identity,
   * RFC 7701 §6.1), `muted`, `rate-limited` (MSRP has no 429; 403 is the closest code, with
   * `retryAfterMs` for the wiring's logs or a REPORT comment), `several-recipients` (RFC 7701 §6.2
   * private messages have exactly one recipient), `reserved-header` (a header in msrp-bot's own
   * CPIM namespace, such as the history marker, which only the focus writes: rooms/history.ts).
   */
  | { action: 'reject'; status: 403; reason: 'Action not allowed'; problem: 'spoofed-from' | 'muted' | 'rate-limited' | 'several-recipients' | 'reserved-header'; detail: string; retryAfterMs?: number }
  /** 404: a private message's To names no participant (RFC 7701 §6.2, "Failure to resolve recipient's URI"). */
  | { action: 'reject'; status: 404; reason: "Failure to resolve recipient's URI"; problem: 'unknown-recipient'; detail: string }
  /** 413: bigger than the room's maximum message size (RFC 4975 §10 Stop-sending-message). */
  | { action: 'reject'; status: 413; reason: 'Message too large'; problem: 'too-large'; detail: string }
  /** 415: content type not accepted in this room (RFC 4975 §10 MIME-not-understood). */
  | { action: 'reject'; status: 415; reason: 'Media type not supported'; problem: 'unsupported-type'; detail: string }
  /** 428: private messages are disabled in this room (RFC 7701 §6.2, "Private messages not supported"). */
  | { action: 'reject'; status: 428; reason: 'Private messages not supported'; problem: 'private-disabled'; detail: string }

/**
 * Relay the message. RFC 7701 §6.1/§6.2: the switch forwards the CPIM message unchanged — the
 * sender's own URI stays in From and the room URI (public) or the addressee's URI (private) in
 * To; only the MSRP framing (To-Path, From-Path, Message-ID, chunking) is per hop. So `cpim` is
 * the input object itself: re-serialise it (or forward the received bytes) to each recipient.
 */
export interface MessageDelivery<C extends ChatCpim = ChatCpim> {
  action: 'deliver'
  /** `public`: To is the room; `private`: To is one participant (RFC 7701 §6.2). */
  kind: 'public' | 'private'
  category: ChatMessageCategory
  /** The sending participant. */
  sender: ServerParticipant
  /** Participant ids to send to, in join order (public: everyone but the sending session). */
  recipients: string[]
  /** The CPIM message to re-emit, unchanged. */
  cpim: C
}

/** The focus's answer to one inbound message. */
export type MessageDecision<C extends ChatCpim = ChatCpim> = MessageRejection | MessageDelivery<C>

/** How delivery to one recipient went, as the wiring observed it. */
export type DeliveryOutcome =
  | { participantId: string; ok: true }
  /**
   * `status`: the MSRP response or REPORT status from that leg (408 for a timeout, 481 if the
   * recipient's session was gone). `left`: the recipient left the room (or its session closed)
   * while the message was on its way; such a leg is no failure of the sender's message.
   */
  | { participantId: string; ok: false; status: number; reason?: string; left?: boolean }

/** The sender-facing result of a fan-out, from {@link aggregateDelivery}. */
export interface DeliveryReport {
  /** 200 if the message reached its addressee(s) (see `partial`), else the failure status. */
  status: number
  reason: string
  /** True when some but not all public recipients got the message. */
  partial: boolean
  delivered: string[]
  failed: Array<{ participantId: string; status: number; reason?: string }>
  /** Recipients that left (or whose session ended) before the message reached them. */
  left: string[]
}

/**
 * Leg statuses that describe the relayed message itself, so they can be passed on to its sender
 * (RFC 4975 §10). 481 and 506 describe the recipient's session, never the sender's: a 481 sent
 * back would tell the sender its own session is gone (RFC 4975 §7.2), so such legs count as
 * recipients that left.
 */
const MESSAGE_STATUSES: ReadonlySet<number> = new Set([400, 403, 408, 413, 415])

/**
 * Aggregates per-recipient outcomes into what to tell the sender, honestly and only in codes
 * that describe the sender's own message:
 *
 * - recipients that left mid-delivery (`left`, or a leg answered 481/506: the *recipient's*
 *   session does not exist) are no longer addressees and are set aside;
 * - every remaining recipient got it (or a public message had nobody left to go to): 200 —
 *   RFC 7701 §6.1 relays to the participants present, and an empty room is no error;
 * - a public message reached some: 200 with `partial: true` and the failures listed — the room
 *   did relay it, but the wiring should send a negative REPORT (RFC 4975 §7.1.2) if the sender
 *   asked for failure reports, naming the status in `failed`;
 * - nobody got it (or a private message's addressee did not): the failure status shared by all
 *   failed legs, or 408 if they differ and any timed out, else the most common one; a leg code
 *   that says nothing about the message (e.g. 501) becomes 403;
 * - a private message whose addressee left before delivery: 404 (RFC 7701 §6.2, the recipient's
 *   URI no longer resolves).
 *
 * RFC 7701 §6 leaves end-to-end reporting through the switch to implementations; the SEND itself
 * is answered 200 hop-by-hop once accepted (RFC 4975 §7.2), so this report feeds REPORT requests.
 */
export function aggregateDelivery(kind: 'public' | 'private', outcomes: readonly DeliveryOutcome[]): DeliveryReport {
  const delivered: string[] = []
  const failed: DeliveryReport['failed'] = []
  const left: string[] = []
  for (const o of outcomes) {
    if (o.ok) delivered.push(o.participantId)
    else if (o.left === true || o.status === 481 || o.status === 506) left.push(o.participantId)
    else failed.push(o.reason === undefined ? { participantId: o.participantId, status: o.status } : { participantId: o.participantId, status: o.status, reason: o.reason })
  }
  if (delivered.length === 0 && failed.length === 0) {
    return kind === 'private'
      ? { status: 404, reason: "Failure to resolve recipient's URI", partial: false, delivered, failed, left }
      : { status: 200, reason: 'OK', partial: false, delivered, failed, left }
  }
  if (failed.length === 0) return { status: 200, reason: 'OK', partial: false, delivered, failed, left }
  if (delivered.length > 0) return { status: 200, reason: 'OK', partial: true, delivered, failed, left }
  const status = pickFailureStatus(failed.map((f) => (MESSAGE_STATUSES.has(f.status) ? f.status : 403)))
  return { status, reason: failureReason(status), partial: false, delivered, failed, left }
}

function pickFailureStatus(statuses: number[]): number {
  const counts = new Map<number, number>()
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1)
  if (counts.size === 1) return statuses[0] ?? 408
  if (counts.has(408)) return 408
  let best = 0
  let bestCount = -1
  for (const [s, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    if (c > bestCount) {
      best = s
      bestCount = c
    }
  }
  return best
}

function failureReason(status: number): string {
  switch (status) {
    case 400: return 'Unintelligible'
    case 403: return 'Action not allowed'
    case 404: return "Failure to resolve recipient's URI"
    case 408: return 'Downstream transaction timeout'
    case 413: return 'Message too large'
    case 415: return 'Media type not supported'
    default: return 'Delivery failed'
  }
}
