/**
 * One participant's MSRP session as the focus terminates it (RFC 4975, RFC 7701 §6-7). Unlike a
 * client `MsrpSession`, the focus answers each SEND only once it has decided and relayed the
 * message, so the sender's transaction response carries the room's verdict: the rejection code
 * (403, 404, 413, 415, 428...) or, after the fan-out was attempted, the aggregated result.
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

import type { MsrpConnection, PreparedRequest } from '../../msrp/connection.ts'
import type { PassiveSession } from '../../msrp/listener.ts'
import { MSRP_REASONS, type MsrpRequest } from '../../msrp/message.ts'
import { Reassembler } from '../../msrp/reassembler.ts'
import { isIdent } from '../../msrp/headers.ts'
import { generateTransactionId, transactionIdFor } from '../../msrp/serializer.ts'
import { formatMsrpPath, formatMsrpUri, parseMsrpUri, type MsrpUri } from '../../msrp/uri.ts'
import { mediaType } from '../chat-message.ts'

/** The room's verdict on a complete message or a nickname request. */
export interface LinkVerdict {
  status: number
  comment?: string | undefined
}

/** What a link asks of the focus. */
export interface LinkHandlers {
  /** The largest message body accepted; bigger SENDs get 413 on their first chunk (RFC 4975 §10). */
  maxMessageBytes(): number
  /** A complete CPIM message arrived (`size`: MSRP body bytes). */
  message(body: Buffer, size: number): Promise<LinkVerdict>
  /** NICKNAME (RFC 7701 §7); `nickname` is undefined when Use-Nickname is absent. */
  nickname(nickname: string | undefined): LinkVerdict
  /** The connection was bound (the participant's first request arrived, or we connected). */
  bound(): void
  /** The connection closed under the session. */
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
export type LegOutcome = { ok: true } | { ok: false; status: number; reason?: string }

/** Smallest chunk cap of a bound participant session (see ParticipantLink.maxChunkBytes). */
export const MIN_CHUNK_CAP_BYTES = 1024 * 1024

const CPIM = 'message/cpim'
const DASHES = Buffer.from('-------', 'latin1')

/** Deep-freezes a parsed URI, so its formatted text can be cached (see formatMsrpUri). */
function frozenUri(uri: MsrpUri): MsrpUri {
  return Object.freeze({ ...uri, params: Object.freeze([...uri.params]) })
}

/**
 * One message relayed to many participants, serialized once (RFC 4975 §7.1, §9): the copies
 * differ only in To-Path, From-Path and transaction id, so everything from Message-ID to the
 * body and the end-line's dashes is built here, once per fan-out, and each recipient's SEND
 * is three short writes into one buffer.
 */
export class RelayedMessage {
  /** The CPIM body, unchanged (RFC 7701 §6.1). */
  readonly body: Buffer
  /** Message-ID of every copy (unique per recipient session, RFC 4975 §7.1.1). */
  readonly messageId: string
  /** Copies ask for no 200 (`fast` delivery mode: `Failure-Report: partial`). */
  readonly partial: boolean
  /**
   * `Message-ID`, `Byte-Range`, [`Failure-Report`,] `Content-Type`, blank line, body, CRLF and
   * the end-line's dashes; undefined when the copy cannot use the shared form (empty body or an
   * id that is no `ident`), so the generic serializer checks and reports it as before.
   */
  readonly shared: Buffer | undefined
  /** The body holds `-------`, so a transaction id could collide with it (RFC 4975 §7.1). */
  readonly mayHoldEndLine: boolean

  constructor(body: Buffer, messageId: string, mode: DeliveryMode) {
    this.body = body
    this.messageId = messageId
    this.partial = mode === 'fast'
    this.mayHoldEndLine = body.includes(DASHES)
    if (body.length === 0 || !isIdent(messageId)) {
      this.shared = undefined
      return
    }
    // Same header order as serializeFrameParts: typed headers in insertion order, Content-Type last.
    const headers = `Message-ID: ${messageId}\r\nByte-Range: 1-${body.length}/${body.length}\r\n${this.partial ? 'Failure-Report: partial\r\n' : ''}Content-Type: ${CPIM}\r\n\r\n`
    const shared = Buffer.allocUnsafe(headers.length + body.length + 9)
    let o = shared.write(headers, 0, 'latin1')
    o += body.copy(shared, o)
    shared.write('\r\n-------', o, 'latin1')
    this.shared = shared
  }
}

const DELIVERED: LegOutcome = Object.freeze({ ok: true })
const SESSION_GONE: LegOutcome = Object.freeze({ ok: false, status: 481, reason: 'Session does not exist' })

/** A failed leg: the error's MSRP status (408 timeout, a refusal) or 481 when it has none. */
function failure(error: unknown): LegOutcome {
  const status = (error as { status?: unknown }).status
  return { ok: false, status: typeof status === 'number' ? status : 481, reason: error instanceof Error ? error.message : String(error) }
}

/** The focus end of one participant's MSRP session. */
export class ParticipantLink implements PassiveSession {
  /** Session id: the path segment of {@link localUri}. */
  readonly id: string
  /** The focus's MSRP URI for this participant (our `a=path`). */
  readonly localUri: MsrpUri
  readonly #remotePath: MsrpUri[]
  readonly #handlers: LinkHandlers
  readonly #deliveryTimeoutMs: number
  readonly #mode: DeliveryMode
  #connection: MsrpConnection | undefined
  #reassembler: Reassembler<undefined> | undefined
  #closed = false
  /**
   * Transaction ids: a random prefix per session and a counter (RFC 4975 §7.1 only asks for
   * uniqueness within the session and enough randomness to avoid guessing; drawing fresh random
   * bytes per fan-out leg was a tenth of the relay's CPU time).
   */
  readonly #tidPrefix = generateTransactionId(8)
  #tidSeq = 0

  constructor(init: { id: string; localUri: string; remotePath: readonly string[]; handlers: LinkHandlers; deliveryTimeoutMs: number; deliveryMode?: DeliveryMode }) {
    this.#mode = init.deliveryMode ?? 'confirmed'
    this.id = init.id
    // Frozen, so every copy's To-Path and From-Path text is formatted once (see formatMsrpUri).
    this.localUri = frozenUri(parseMsrpUri(init.localUri))
    // A fresh copy of each URI text: the a=path strings are slices of the whole SDP offer, which
    // the parsed URI's parts would otherwise keep alive for the participant's lifetime.
    this.#remotePath = Object.freeze(init.remotePath.map((u) => frozenUri(parseMsrpUri(Buffer.from(u, 'utf8').toString('utf8'))))) as MsrpUri[]
    this.#handlers = init.handlers
    this.#deliveryTimeoutMs = init.deliveryTimeoutMs
  }

  /** The bound connection, if any. */
  get connection(): MsrpConnection | undefined {
    return this.#connection
  }

  /** The participant's path (from its SDP `a=path`). */
  get remotePath(): readonly MsrpUri[] {
    return this.#remotePath
  }

  /** Binds the session to a connection (by the listener on the first request, or after we dialled). */
  bind(connection: MsrpConnection): void {
    if (this.#closed) throw new Error(`participant session ${this.id} is closed`)
    connection.attach(this.id, this)
    this.#connection = connection
    this.#handlers.bound()
  }

  /**
   * Active side (RFC 6135): after dialling, the first request binds the connection
   * (RFC 4975 §5.4); an empty SEND does it without delivering anything.
   */
  async sendBindingSend(): Promise<boolean> {
    const outcome = await this.#send(Buffer.alloc(0), { start: 1, end: 0, total: 0 })
    return outcome.ok
  }

  /**
   * @internal MsrpRequestHandler: the largest chunk body buffered for this session. The room's
   * message limit with headroom (at least {@link MIN_CHUNK_CAP_BYTES}), so a message a little
   * over the limit still gets its polite 413 (RFC 4975 §10) while a huge chunk closes the
   * connection before it is held in memory.
   */
  maxChunkBytes(): number {
    return Math.max(this.#handlers.maxMessageBytes(), MIN_CHUNK_CAP_BYTES)
  }

  /** @internal MsrpRequestHandler: requests whose To-Path names this session. */
  handleRequest(request: MsrpRequest, connection: MsrpConnection): void {
    try {
      this.#handle(request, connection)
    } catch {
      // A handler fault must not reach the connection's read loop (it would end the process).
      connection.respond(request, 403, 'Request failed')
    }
  }

  #handle(request: MsrpRequest, connection: MsrpConnection): void {
    if (this.#closed) {
      connection.respond(request, 481)
      return
    }
    switch (request.method) {
      case 'SEND':
        this.#onSend(request, connection)
        return
      case 'NICKNAME': {
        const verdict = this.#handlers.nickname(request.headers['Use-Nickname'])
        connection.respond(request, verdict.status, verdict.comment)
        return
      }
      case 'REPORT':
        return // RFC 4975 §7.1.2: REPORTs are never answered.
      default:
        connection.respond(request, 501) // RFC 4975 §7.3
    }
  }

  /** @internal MsrpRequestHandler: the connection closed. */
  connectionClosed(connection: MsrpConnection, error: Error | undefined): void {
    if (connection !== this.#connection || this.#closed) return
    this.#handlers.closed(error)
  }

  /**
   * Relays a CPIM message to this participant as one SEND and waits for its response (or the
   * delivery timeout, counted as 408). The body is the sender's CPIM, unchanged (RFC 7701 §6.1).
   */
  deliver(body: Buffer, messageId?: string): Promise<LegOutcome> {
    return this.#send(body, { start: 1, end: body.length, total: body.length }, messageId)
  }

  /**
   * Relays one copy of `message` (built once for the whole fan-out) and calls `done` with the
   * leg's outcome: on the copy's 200 or failure response, the delivery timeout (408), or — in
   * `fast` mode — once the connection took the bytes. Same outcomes as {@link deliver}, without
   * the per-copy serialization and promise chain.
   */
  relay(message: RelayedMessage, done: (outcome: LegOutcome) => void): void {
    const connection = this.#connection
    if (connection === undefined || connection.state !== 'open' || this.#closed) {
      done(SESSION_GONE)
      return
    }
    const shared = message.shared
    if (shared === undefined || message.partial !== (this.#mode === 'fast')) {
      this.deliver(message.body, message.messageId).then(done)
      return
    }
    const tid = this.#nextTransactionId(message.mayHoldEndLine ? message.body : undefined)
    const head = (this.#copyHead ??= Buffer.from(`To-Path: ${formatMsrpPath(this.#remotePath)}\r\nFrom-Path: ${formatMsrpUri(this.localUri)}\r\n`, 'utf8'))
    // "MSRP " tid " SEND" CRLF, To-Path and From-Path, the shared rest, tid "$" CRLF.
    const bytes = Buffer.allocUnsafe(5 + tid.length + 7 + head.length + shared.length + tid.length + 3)
    let o = bytes.write('MSRP ', 0, 'latin1')
    o += bytes.write(tid, o, 'latin1')
    o += bytes.write(' SEND\r\n', o, 'latin1')
    o += head.copy(bytes, o)
    o += shared.copy(bytes, o)
    o += bytes.write(tid, o, 'latin1')
    bytes.write('$\r\n', o, 'latin1')
    const prepared: PreparedRequest = { transactionId: tid, method: 'SEND', bytes: [bytes], expectResponse: !message.partial }
    try {
      connection.sendPrepared(prepared, this.#deliveryTimeoutMs, (response, error) => {
        if (error !== undefined) done(failure(error))
        else done(response === undefined || response.status === 200 ? DELIVERED : response.comment === undefined ? { ok: false, status: response.status } : { ok: false, status: response.status, reason: response.comment })
      })
    } catch (error) {
      done(failure(error))
    }
  }

  /** Leaves the connection; closes it when no other session uses it. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    const connection = this.#connection
    if (connection === undefined) return
    connection.detach(this.id)
    if (connection.sessionCount === 0 && connection.state === 'open') connection.close()
  }

  async #send(body: Buffer, range: { start: number; end: number; total: number }, messageId?: string): Promise<LegOutcome> {
    const connection = this.#connection
    if (connection === undefined || connection.state !== 'open' || this.#closed) return { ok: false, status: 481, reason: 'Session does not exist' }
    const frame: MsrpRequest = {
      type: 'request',
      method: 'SEND',
      transactionId: this.#nextTransactionId(body),
      headers: { 'To-Path': this.#remotePath, 'From-Path': [this.localUri], 'Message-ID': messageId ?? this.#nextTransactionId(undefined), 'Byte-Range': range },
      extensionHeaders: [],
      continuation: '$',
    }
    if (body.length > 0) {
      frame.headers['Content-Type'] = CPIM
      frame.body = body
      // RFC 4975 §7.1.1: with "partial" the recipient answers failures only; request() then
      // resolves once the frame is written.
      if (this.#mode === 'fast') frame.headers['Failure-Report'] = 'partial'
    }
    try {
      const response = await connection.request(frame, { timeoutMs: this.#deliveryTimeoutMs }).response
      if (response === undefined || response.status === 200) return { ok: true }
      return response.comment === undefined ? { ok: false, status: response.status } : { ok: false, status: response.status, reason: response.comment }
    } catch (error) {
      return failure(error)
    }
  }

  /** Lazily built `To-Path`/`From-Path` lines of relayed copies (nothing held while idle). */
  #copyHead: Buffer | undefined

  #nextTransactionId(body: Buffer | undefined): string {
    const tid = `${this.#tidPrefix}${(this.#tidSeq++).toString(36)}`
    // RFC 4975 §7.1: the end-line must not occur in the body; pick a random id in that rare case.
    return body !== undefined && body.includes(tid) ? transactionIdFor(body) : tid
  }

  #onSend(request: MsrpRequest, connection: MsrpConnection): void {
    const messageId = request.headers['Message-ID']
    const range = request.headers['Byte-Range'] ?? { start: 1, end: '*', total: '*' }
    const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
    if (messageId === undefined) {
      connection.respond(request, 400, 'Missing Message-ID')
      return
    }
    // The binding SEND of an active peer (RFC 4975 §5.4): empty, nothing to relay.
    if (body.length === 0 && request.continuation === '$' && range.start === 1 && (range.total === 0 || range.end === 0)) {
      connection.respond(request, 200)
      return
    }
    if (typeof range.total === 'number' && range.total > this.#handlers.maxMessageBytes()) {
      connection.respond(request, 413) // RFC 4975 §10: stop sending this message
      return
    }
    const contentType = request.headers['Content-Type']
    if (range.start === 1 && contentType !== undefined && mediaType(contentType) !== CPIM) {
      // RFC 7701 §6: messages to a chat room are CPIM-wrapped; the SDP answer said so.
      connection.respond(request, 415)
      return
    }
    // Fast path: a whole message in one chunk.
    if (request.continuation === '$' && range.start === 1 && (range.total === '*' || range.total === body.length) && (this.#reassembler === undefined || this.#reassembler.received(messageId).length === 0)) {
      this.#complete(request, connection, body)
      return
    }
    this.#reassembler ??= new Reassembler<undefined>({ maxMessageBytes: this.#handlers.maxMessageBytes(), maxIncomplete: 8 })
    const result = this.#reassembler.accept({ messageId, byteRange: range, continuation: request.continuation, data: body }, undefined)
    switch (result.kind) {
      case 'partial':
      case 'aborted':
        connection.respond(request, 200)
        return
      case 'rejected':
        connection.respond(request, result.status, result.reason)
        return
      case 'complete':
        this.#complete(request, connection, result.body)
    }
  }

  #complete(request: MsrpRequest, connection: MsrpConnection, body: Buffer): void {
    const answer = (status: number, comment: string | undefined): void => {
      connection.respond(request, status, comment)
      this.#report(request, connection, body.length, status, comment)
    }
    const pending: Promise<void> = this.#handlers.message(body, body.length).then(
      (verdict) => answer(verdict.status, verdict.comment),
      () => answer(403, 'Relay failed'),
    ).catch(() => undefined) // the connection may have closed meanwhile
      .finally(() => this.#inFlight.delete(pending))
    this.#inFlight.add(pending)
  }

  /** Messages from this participant being relayed, whose SEND is not answered yet. */
  readonly #inFlight = new Set<Promise<void>>()

  /**
   * Resolves once every message this participant sent has been answered (each fan-out is bounded
   * by the delivery timeout), so the focus can remove it (RFC 4579 §5.5 kick) without leaving
   * its last SENDs unanswered: the sender learns how its message went before the BYE.
   */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
  }

  /**
   * The end-to-end REPORT for a whole message (RFC 4975 §7.1.2), sent after the transaction
   * response. For a room, "delivered" means the room's verdict: 200 once the fan-out ended
   * with every recipient leg answered 200 (`confirmed` mode; in `fast` mode once each copy was
   * written), as aggregated by the focus. So:
   * - `Success-Report: yes` and delivered: a success REPORT (`Status: 000 200`), 1-N/N.
   * - `Success-Report: yes` and not delivered: a failure REPORT with the room's status, unless
   *   `Failure-Report: no`, so a sender that waits for a REPORT always gets one.
   * - no success REPORT asked: the failure travels in the transaction response alone (the focus
   *   answers only after the fan-out, so no failure can surface after a 200).
   */
  #report(request: MsrpRequest, connection: MsrpConnection, size: number, status: number, comment: string | undefined): void {
    if (request.headers['Success-Report'] !== 'yes' || connection.state !== 'open') return
    if (status !== 200 && request.headers['Failure-Report'] === 'no') return
    const messageId = request.headers['Message-ID']
    if (messageId === undefined) return
    const report: MsrpRequest = {
      type: 'request',
      method: 'REPORT',
      transactionId: this.#nextTransactionId(undefined),
      headers: {
        'To-Path': request.headers['From-Path'],
        'From-Path': [this.localUri],
        'Message-ID': messageId,
        'Byte-Range': { start: 1, end: size, total: size },
        Status: { namespace: 0, code: status, comment: comment ?? MSRP_REASONS[status] ?? (status === 200 ? 'OK' : 'Failed') },
      },
      extensionHeaders: [],
      continuation: '$',
    }
    try {
      connection.request(report).written.catch(() => undefined)
    } catch {
      // The connection went away between the response and the REPORT: nothing left to tell.
    }
  }
}
