/**
 * One participant's MSRP session as the focus terminates it (RFC 4975, RFC 7701 §6-7): the same
 * {@link MsrpSession} a client uses, in its decider mode. The focus answers each SEND only once
 * it has decided and relayed the message, so the sender's transaction response carries the
 * room's verdict: the rejection code (403, 404, 413, 415, 428...) or, after the fan-out was
 * attempted, the aggregated result. Each relayed copy is one {@link MsrpSession.sendShared} of
 * a {@link RelayedMessage} serialized once for the whole fan-out.
 *
 * RFC 4975 §7.2 makes transaction responses hop-by-hop and leaves the time to answer to the
 * receiver within the sender's 30 s timeout (§7.1); the focus bounds every fan-out leg by
 * `deliveryTimeoutMs` (default 10 s), so the answer always comes in time.
 *
 * Two delivery modes (see {@link DeliveryMode}): `confirmed` waits for every recipient's 200;
 * `fast` sends the copies with `Failure-Report: partial` (RFC 4975 §7.1.1: the recipient only
 * answers failures) and counts a leg as delivered once its connection took the bytes.
 *
 * @module
 */

import type { MsrpConnection } from '../msrp/connection.ts'
import { MIN_CHUNK_CAP_BYTES, MsrpSession, type MsrpDecider, type MsrpVerdict } from '../msrp/session.ts'
import { SharedSend, type CopyOutcome } from '../msrp/shared-send.ts'
import { parseMsrpUri, type MsrpUri } from '../msrp/uri.ts'
import { CPIM_TYPE } from '../rooms/content-types.ts'

export { MIN_CHUNK_CAP_BYTES }

/** The room's verdict on a complete message or a nickname request. */
export type LinkVerdict = MsrpVerdict

/**
 * What a link asks of the focus: the decisions of {@link MsrpDecider} (message limit, complete
 * CPIM messages, NICKNAME, RFC 7701 §6-7) and two notices.
 */
export interface LinkHandlers extends MsrpDecider {
  /** The connection was bound (the participant's first request arrived, or we connected). */
  bound(): void
  /** The connection closed under the open session. */
  closed(error: Error | undefined): void
}

/**
 * How the focus learns that a relayed copy arrived.
 *
 * - `confirmed` (default): each copy asks for a transaction response and the leg succeeds on its
 *   200; the sender's SEND is answered with the aggregate of real outcomes.
 * - `fast`: each copy carries `Failure-Report: partial`, so recipients send no 200s; a leg
 *   succeeds when the copy was written to the recipient's connection, and fails at once when the
 *   session is gone or the write fails. A failure a recipient reports afterwards is not turned
 *   into a REPORT to the sender (the MSRP connection drops responses it is not waiting for), so
 *   only use it where throughput matters more than that last bit of reporting.
 */
export type DeliveryMode = 'confirmed' | 'fast'

/** Result of one fan-out leg. */
export type LegOutcome = CopyOutcome

/** Deep-freezes a parsed URI, so its formatted text can be cached (see formatMsrpUri). */
function frozenUri(uri: MsrpUri): MsrpUri {
  return Object.freeze({ ...uri, params: Object.freeze([...uri.params]) })
}

/**
 * One message relayed to many participants, serialized once per fan-out (RFC 4975 §7.1) by the
 * MSRP layer's {@link SharedSend}: the CPIM body unchanged (RFC 7701 §6.1), `Failure-Report:
 * partial` in `fast` delivery mode.
 */
export class RelayedMessage extends SharedSend {
  constructor(body: Buffer, messageId: string, mode: DeliveryMode) {
    super({ body, messageId, contentType: CPIM_TYPE, partial: mode === 'fast' })
  }
}

/** What the focus knows of a participant's MSRP session when it answers the INVITE. */
export interface ParticipantLinkInit {
  /** Session id: the path segment of `localUri`. */
  id: string
  /** The focus's MSRP URI for this participant (our `a=path`). */
  localUri: string
  /** The participant's `a=path`. */
  remotePath: readonly string[]
  handlers: LinkHandlers
  /** How long a relayed copy (and the binding SEND) may wait for its answer. */
  deliveryTimeoutMs: number
  deliveryMode?: DeliveryMode
}

/** The focus end of one participant's MSRP session. */
export class ParticipantLink extends MsrpSession {
  readonly #handlers: LinkHandlers
  readonly #mode: DeliveryMode
  #messageSeq = 0

  constructor(init: ParticipantLinkInit) {
    super({
      // Frozen, so every copy's To-Path and From-Path text is formatted once (see formatMsrpUri).
      localUri: frozenUri(parseMsrpUri(init.localUri)),
      // A fresh copy of each URI text: the a=path strings are slices of the whole SDP offer, which
      // the parsed URI's parts would otherwise keep alive for the participant's lifetime.
      remotePath: init.remotePath.map((u) => frozenUri(parseMsrpUri(Buffer.from(u, 'utf8').toString('utf8')))),
      // RFC 7701 §6: messages to a chat room are CPIM-wrapped; the SDP answer said so.
      acceptTypes: [CPIM_TYPE],
      maxIncompleteMessages: 8,
      transactionTimeoutMs: init.deliveryTimeoutMs,
      decider: init.handlers,
      closeIdleConnection: true,
    })
    if (this.id !== init.id) throw new RangeError(`participant session id ${init.id} does not match its MSRP URI ${init.localUri}`)
    this.#handlers = init.handlers
    this.#mode = init.deliveryMode ?? 'confirmed'
  }

  /** Binds the session to a connection (by the listener on the first request, or after we dialled). */
  override bind(connection: MsrpConnection): void {
    super.bind(connection)
    this.#handlers.bound()
  }

  /** @internal MsrpRequestHandler: the connection closed; tells the focus when the session was open on it. */
  override connectionClosed(connection: MsrpConnection, error: Error | undefined): void {
    const live = connection === this.connection && this.state === 'open'
    super.connectionClosed(connection, error)
    if (live) this.#handlers.closed(error)
  }

  /**
   * Active side (RFC 6135): after dialling, the first request binds the connection
   * (RFC 4975 §5.4); an empty SEND does it without delivering anything. False (and the session
   * closed) when the participant refused it or did not answer.
   */
  sendBindingSend(): Promise<boolean> {
    return this.sendBinding().then(
      () => true,
      () => false,
    )
  }

  /**
   * Relays a CPIM message to this participant as one SEND and resolves with the leg's outcome:
   * its response, or the delivery timeout counted as 408. The body is the sender's CPIM,
   * unchanged (RFC 7701 §6.1).
   */
  deliver(body: Buffer, messageId?: string): Promise<LegOutcome> {
    const id = messageId ?? `${this.id.slice(0, 8)}.d${(this.#messageSeq++).toString(36)}`
    return new Promise((resolve) => this.sendShared(new RelayedMessage(body, id, this.#mode), resolve))
  }

  /**
   * Relays one copy of `message` (built once for the whole fan-out) and calls `done` with the
   * leg's outcome: on the copy's 200 or failure response, the delivery timeout (408), or — in
   * `fast` mode — once the connection took the bytes. Same outcomes as {@link deliver}, without
   * the per-copy serialization and promise; `index` is passed back to `done` (one function for
   * the whole fan-out, not a closure per copy).
   */
  relay(message: RelayedMessage, done: (outcome: LegOutcome, index: number) => void, index = 0): void {
    this.sendShared(message, done, index)
  }
}
