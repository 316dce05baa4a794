import { MsrpBotError, ParseError } from '../../errors.ts'
import { Dialog, dialogKey } from '../dialog.ts'
import { SipHeaders } from '../header-list.ts'
import { readCSeq } from '../headers/cseq.ts'
import { readNameAddrHeader, readNameAddrList, tagOf } from '../headers/name-addr.ts'
import { type Via, readTopVia, serializeVia } from '../headers/via.ts'
import { newBranch, newCallId, newTag } from '../ids.ts'
import type { SipMessage, SipRequest, SipResponse } from '../message.ts'
import { parseSipMessage } from '../parser.ts'
import { serializeSipMessage } from '../serializer.ts'
import { createResponse } from '../response.ts'
import { type Clock, type TimerHandle, unrefClock } from '../../clock.ts'
import { type BasicLogger, silentLogger } from '../../logger.ts'
import { type SipTimerSettings, sipTimers } from '../timers.ts'
import { InviteClientTransaction } from '../transaction/client-invite.ts'
import { buildCancel } from '../transaction/cancel.ts'
import { RequestCancelledError } from '../transaction/errors.ts'
import { clientKey, flat } from '../transaction/keys.ts'
import type { ServerTransaction } from '../transaction/server-transaction.ts'
import { TransactionLayer } from '../transaction/transaction-layer.ts'
import { type Destination, type TransportPort, isReliableTransport } from '../transaction/transport-port.ts'
import { parseUri, serializeUri } from '../uri.ts'
import { validateRequest, validateResponse } from '../validate.ts'
import { badRequestFor } from './bad-request.ts'
import { IncomingRequest } from './incoming-request.ts'
import { nextHop, outboundProxyRouteHeader, responseDestination, stampVia } from './routing.ts'

/** Logger the core reports to (dropped messages, transitions); defaults to silence. */
export type CoreLogger = Pick<BasicLogger, 'debug' | 'warn'>

/** Methods a UA built on this core answers by default (sent in Allow with 405). */
export const DEFAULT_ALLOWED_METHODS: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE', 'UPDATE', 'INFO', 'REFER']

/** Options of {@link UserAgentCore}. */
export interface UserAgentCoreOptions {
  /** The transports, as the transaction layer sees them (see `transportSetPort`). */
  readonly port: TransportPort
  /** The Via sent-by for a transport token; the port's own `sentBy` when it has one. */
  readonly sentBy?: (transport: string) => { host: string; port: number }
  /** Transport for URIs without a `transport` parameter (default UDP). */
  readonly defaultTransport?: string
  /**
   * Outbound proxy URI (e.g. `sip:proxy.example.com`), pre-loaded as Route on out-of-dialog
   * requests (§8.1.2); always a loose route (`lr` is added when missing), so always the next hop.
   */
  readonly outboundProxy?: string
  /** Clock for every timer (tests pass a FakeClock). */
  readonly clock?: Clock
  /** T1, T2, T4 overrides. */
  readonly timers?: Partial<SipTimerSettings>
  /** Methods answered; others get 405 with Allow (§8.2.1). */
  readonly methods?: readonly string[]
  /** Option tags supported (Require checking, §8.2.2.3). */
  readonly extensions?: readonly string[]
  /** User-Agent header value added to requests. */
  readonly userAgent?: string
  /** Delay before an automatic 100 Trying to INVITE (default 200 ms, §17.2.1). */
  readonly tryingDelayMs?: number
  readonly logger?: CoreLogger
}

/** Options of {@link UserAgentCore.sendRequest}. */
export interface SendRequestOptions {
  /** Called with each provisional response (1xx). */
  readonly onProvisional?: (response: SipResponse) => void
  /** Overrides the next hop (default: first loose Route, else the Request-URI, §8.1.2). */
  readonly destination?: Destination
  /** INVITE: a 2xx from another fork (different To tag) after the first; default: logged and ignored. */
  readonly onAdditional2xx?: (response: SipResponse) => void
  /**
   * The dialog the request was built from: responses update it (target refresh, 481/408
   * terminate it, §12.2.1.2) and a 2xx to BYE or a terminating failure removes it from the core.
   */
  readonly dialog?: Dialog
}

/** Handles requests; respond through `request.respond()`. */
export type RequestHandler = (request: IncomingRequest) => void

/**
 * Claims an in-dialog request whose dialog this core does not know (e.g. a NOTIFY that beats
 * the 2xx to its SUBSCRIBE, RFC 6665 §4.1.2.4); return true when it took the request.
 */
export type OrphanHandler = (request: IncomingRequest) => boolean

interface DialogEntry {
  readonly dialog: Dialog
  readonly handler: RequestHandler | undefined
}

/**
 * The UA core (RFC 3261 §8, §12, §13, §17, §18): between transports and the user-agent API.
 *
 * Incoming: parses bytes, stamps `received`/`rport` on the top Via of requests (§18.2.1,
 * RFC 3581), matches transactions (retransmissions and non-2xx ACKs are absorbed), answers
 * CANCEL (200, and 487 to the INVITE, §9.2), checks requests (§8.2: 400/405/416/420), routes
 * in-dialog requests to their dialog (481 when unknown, 500 when CSeq goes backwards) and the
 * rest to {@link onRequest} handlers. Responses are matched to client transactions by Via.
 *
 * Outgoing: {@link sendRequest} completes the request (Via with a fresh z9hG4bK branch and
 * `rport`, Max-Forwards 70, Call-ID, From tag, CSeq), picks the next hop, runs the client
 * transaction and resolves with the final response. ACKs for 2xx go through {@link sendAck}
 * and are re-sent for retransmitted 2xx. 2xx to INVITE are retransmitted on unreliable
 * transports until the ACK arrives (§13.3.1.4).
 *
 * @example
 * const core = new UserAgentCore({ port: transportSetPort(set) })
 * set.on('message', (bytes, meta) => core.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
 * core.onRequest((req) => req.respond(req.method === 'OPTIONS' ? 200 : 501))
 * const res = await core.sendRequest(request, { onProvisional: (r) => console.log(r.status) })
 */
export class UserAgentCore {
  /** The transaction layer (exposed for tests and diagnostics). */
  readonly transactions: TransactionLayer
  readonly #port: TransportPort
  readonly #clock: Clock
  readonly #timers: SipTimerSettings
  readonly #options: UserAgentCoreOptions
  readonly #log: CoreLogger
  readonly #handlers: RequestHandler[] = []
  #orphanHandler: OrphanHandler | undefined
  readonly #dialogs = new Map<string, DialogEntry>()
  readonly #incoming = new WeakMap<ServerTransaction, IncomingRequest>()
  /** ACKs sent for 2xx, to re-send when the 2xx is retransmitted (§13.2.2.4). */
  readonly #acks = new Map<string, { ack: SipRequest; destination: Destination; timer: TimerHandle }>()
  /** 2xx to INVITE awaiting their ACK (§13.3.1.4). */
  readonly #awaitingAck = new Map<string, { stop: () => void }>()
  /** CANCELs waiting for a provisional response (§9.1), by INVITE client transaction key. */
  readonly #pendingCancels = new Map<string, string | undefined>()
  readonly #pending = new Set<{ reject: (error: Error) => void }>()
  /** Out-of-dialog server transactions by From tag, Call-ID and CSeq, for merged-request detection. */
  readonly #inProgress = new Map<string, ServerTransaction>()
  #closed = false

  constructor(options: UserAgentCoreOptions) {
    this.#options = options
    this.#port = options.port
    this.#clock = options.clock ?? unrefClock
    this.#timers = sipTimers(options.timers)
    this.#log = options.logger ?? silentLogger
    const serverOptions = options.tryingDelayMs === undefined ? {} : { tryingDelayMs: options.tryingDelayMs }
    this.transactions = new TransactionLayer({ port: this.#port, clock: this.#clock, timers: this.#timers, logger: this.#log }, serverOptions)
  }

  /** The timer values in force. */
  get timers(): SipTimerSettings {
    return this.#timers
  }

  /** The clock in use. */
  get clock(): Clock {
    return this.#clock
  }

  // ---------------------------------------------------------------- handlers and dialogs

  /** Adds a handler for new requests (out-of-dialog, or in a dialog added without a handler); returns a remover. */
  onRequest(handler: RequestHandler): () => void {
    this.#handlers.push(handler)
    return () => {
      const i = this.#handlers.indexOf(handler)
      if (i >= 0) this.#handlers.splice(i, 1)
    }
  }

  /** Sets the handler offered in-dialog requests for unknown dialogs before the core answers 481. */
  onOrphanRequest(handler: OrphanHandler | undefined): void {
    this.#orphanHandler = handler
  }

  /** Registers a dialog so its in-dialog requests reach `handler` (or the general handlers). */
  addDialog(dialog: Dialog, handler?: RequestHandler): void {
    this.#dialogs.set(dialog.key, { dialog, handler })
  }

  /** Forgets a dialog (after BYE); later requests in it get 481. */
  removeDialog(dialog: Dialog): void {
    this.#dialogs.delete(dialog.key)
  }

  /** The registered dialog an incoming request belongs to (To tag is ours, From tag theirs). */
  findDialog(request: SipRequest): Dialog | undefined {
    return this.#dialogEntry(request)?.dialog
  }

  /** Number of registered dialogs. */
  get dialogCount(): number {
    return this.#dialogs.size
  }

  #dialogEntry(request: SipRequest): DialogEntry | undefined {
    const to = readNameAddrHeader(request.headers, 'To')
    const from = readNameAddrHeader(request.headers, 'From')
    const localTag = to && tagOf(to)
    const remoteTag = from && tagOf(from)
    const callId = request.headers.get('Call-ID')
    if (!localTag || !remoteTag || callId === undefined) return undefined
    return this.#dialogs.get(dialogKey({ callId, localTag, remoteTag }))
  }

  // ---------------------------------------------------------------- receiving

  /**
   * Parses and handles bytes from a transport. A request that cannot be parsed but whose Via
   * can be read gets a stateless 400 naming the fault (RFC 4475 §3.1.2); anything else is
   * logged and dropped.
   */
  receiveBytes(bytes: Buffer, source: Destination, datagram: boolean): void {
    let message: SipMessage
    try {
      message = parseSipMessage(bytes, { datagram })
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
      this.#log.warn(`unparseable message from ${source.host}:${source.port}: ${error.code}: ${error.message}`)
      const answer = this.#closed ? undefined : badRequestFor(bytes, error)
      if (answer) {
        try {
          const via = readTopVia(answer.headers)
          stampVia(via, source)
          const destination = responseDestination(via, source, isReliableTransport(this.#port, source.transport))
          this.#port.send(answer, destination).catch((e: unknown) => this.#log.warn(`400 could not be sent: ${String(e)}`))
        } catch (e) {
          if (!(e instanceof ParseError)) throw e
        }
      }
      return
    }
    this.receive(message, source)
  }

  /** Handles a parsed message from `source`. */
  receive(message: SipMessage, source: Destination): void {
    if (this.#closed) return
    try {
      if (message.kind === 'request') this.#receiveRequest(message, source)
      else this.#receiveResponse(message)
    } catch (error) {
      // A typed reader refused a header the parser let through: drop, never crash the transport loop.
      if (error instanceof ParseError || error instanceof MsrpBotError) {
        this.#log.warn(`dropped a message from ${source.host}:${source.port}: ${error.code}: ${error.message}`)
        return
      }
      throw error
    }
  }

  #receiveResponse(response: SipResponse): void {
    const discard = validateResponse(response)
    if (discard) {
      this.#log.debug(`discarded response: ${discard}`)
      return
    }
    const via = readTopVia(response.headers)
    if (!this.#isOwnVia(via)) {
      this.#log.debug(`discarded a response whose top Via (${via.host}) is not ours (RFC 3261 §18.1.2)`)
      return
    }
    if (this.transactions.receiveResponse(response)) return
    // Stray: a 2xx retransmitted after the INVITE transaction ended gets the same ACK again.
    const cseq = readCSeq(response.headers)
    if (cseq.method === 'INVITE' && response.status >= 200 && response.status < 300) this.#resendAck(response)
  }

  #isOwnVia(via: Via): boolean {
    const sentBy = this.#sentBy(via.transport)
    if (!sentBy) return true
    return sentBy.host.toLowerCase() === via.host.toLowerCase() && (via.port ?? 5060) === sentBy.port
  }

  #receiveRequest(request: SipRequest, source: Destination): void {
    const via = readTopVia(request.headers)
    if (stampVia(via, source)) {
      request.headers.shiftListElement('Via')
      request.headers.prepend('Via', serializeVia(via))
    }
    if (request.method === 'ACK') {
      this.#receiveAck(request, source)
      return
    }
    const existing = this.transactions.findServer(request)
    if (existing) {
      existing.receiveRequest(request) // a retransmission
      return
    }
    const reliable = isReliableTransport(this.#port, source.transport)
    const destination = responseDestination(via, source, reliable)
    if (request.method === 'CANCEL') {
      this.#receiveCancel(request, source, destination)
      return
    }
    // The callback outlives the request (a UDP non-INVITE transaction releases it in Completed,
    // RFC 3261 §17.2.2): capture the method, not the request.
    const transaction = this.transactions.createServer(request, destination, new FailureLogger(this.#log, request.method))
    const entry = this.#dialogEntry(request)
    const to = readNameAddrHeader(request.headers, 'To')
    const existingTag = to ? tagOf(to) : undefined
    const merged = existingTag === undefined ? this.#checkMerged(request, transaction) : false
    const incoming = new IncomingRequest({
      message: request,
      source,
      transaction,
      dialog: entry?.dialog,
      toTag: existingTag ?? newTag(),
      hooks: { send: (req, res, stateless) => this.#sendResponse(req, res, stateless) },
    })
    // Only a CANCEL looks an IncomingRequest up by its transaction (§9.2: INVITE only); other
    // entries would keep each request alive as long as its transaction (32 s on UDP).
    if (request.method === 'INVITE') this.#incoming.set(transaction, incoming)
    if (merged) {
      incoming.respond(482, { reason: 'Loop Detected - merged request' })
      return
    }

    const rejection = validateRequest(request, {
      methods: this.#options.methods ?? DEFAULT_ALLOWED_METHODS,
      extensions: this.#options.extensions ?? [],
    })
    if (rejection) {
      incoming.respond(rejection.status, { reason: rejection.reason, headers: rejection.headers })
      return
    }
    if (existingTag !== undefined) {
      // In-dialog request (RFC 3261 §12.2.2).
      if (!entry) {
        if (this.#orphanHandler?.(incoming)) return
        incoming.respond(481)
        return
      }
      const refused = entry.dialog.receiveRequest(request)
      if (refused) {
        const headers: Array<[string, string]> = refused.retryAfter === undefined ? [] : [['Retry-After', String(refused.retryAfter)]]
        incoming.respond(refused.status, { reason: refused.reason, headers })
        return
      }
      if (entry.handler) {
        entry.handler(incoming)
        return
      }
    }
    this.#dispatch(incoming)
  }

  /**
   * RFC 3261 §8.2.2.2: a request without To tag whose From tag, Call-ID and CSeq equal those of a
   * request still in progress, arriving in another transaction, reached us twice through a
   * forking proxy: it gets 482. Returns whether `request` is such a merged request.
   */
  #checkMerged(request: SipRequest, transaction: ServerTransaction): boolean {
    const from = readNameAddrHeader(request.headers, 'From')
    const fromTag = from ? tagOf(from) : undefined
    if (fromTag === undefined) return false
    const key = flat(`${fromTag}|${request.headers.get('Call-ID') ?? ''}|${request.headers.get('CSeq') ?? ''}`)
    const earlier = this.#inProgress.get(key)
    if (earlier && earlier !== transaction && earlier.state !== 'terminated') return true
    this.#inProgress.set(key, transaction)
    const previous = transaction.onTerminated
    transaction.onTerminated = () => {
      previous?.()
      if (this.#inProgress.get(key) === transaction) this.#inProgress.delete(key)
    }
    return false
  }

  #dispatch(incoming: IncomingRequest): void {
    if (this.#handlers.length === 0) {
      incoming.respond(480, { reason: 'Temporarily Unavailable - no handler' })
      return
    }
    for (const handler of [...this.#handlers]) handler(incoming)
  }

  #receiveAck(ack: SipRequest, source: Destination): void {
    const transaction = this.transactions.findServer(ack)
    if (transaction) {
      transaction.receiveRequest(ack) // ACK for a non-2xx response: the transaction's business
      return
    }
    // ACK for a 2xx: stops its retransmission (§13.3.1.4) and goes to the dialog's TU.
    this.#awaitingAck.get(ackKey(ack))?.stop()
    const entry = this.#dialogEntry(ack)
    const incoming = new IncomingRequest({
      message: ack,
      source,
      transaction: undefined,
      dialog: entry?.dialog,
      toTag: '',
      hooks: { send: () => {} },
    })
    if (entry) {
      entry.dialog.receiveRequest(ack)
      if (entry.handler) entry.handler(incoming)
      else for (const handler of [...this.#handlers]) handler(incoming)
    } else {
      this.#log.debug('ACK for an unknown dialog dropped')
    }
  }

  #receiveCancel(cancel: SipRequest, source: Destination, destination: Destination): void {
    const transaction = this.transactions.createServer(cancel, destination)
    const invite = this.transactions.findInviteForCancel(cancel)
    if (!invite) {
      transaction.respond(createResponse(cancel, 481))
      return
    }
    const incoming = this.#incoming.get(invite)
    // §9.2: the CANCEL gets 200 with the To tag of the INVITE's responses; the INVITE gets 487.
    transaction.respond(createResponse(cancel, 200, incoming ? { toTag: incoming.toTag } : {}))
    if (!invite.finalSent) {
      if (incoming) {
        incoming.respond(487)
        incoming.markCancelled(cancel)
      } else {
        invite.respond(createResponse(invite.request, 487, { toTag: newTag() }))
      }
    }
    this.#log.debug(`CANCEL from ${source.host}:${source.port} handled`)
  }

  #sendResponse(incoming: IncomingRequest, response: SipResponse, stateless: boolean): void {
    const transaction = incoming.transaction
    if (!transaction) return
    const first = !transaction.finalSent
    if (stateless) transaction.respondStateless(response)
    else transaction.respond(response)
    const dialog = incoming.dialog
    if (dialog && first && response.status >= 200) {
      dialog.answered(incoming.method, response.status)
      // A BYE answered 2xx ends the dialog (§15.1.2).
      if (incoming.method === 'BYE' && response.status < 300) {
        dialog.terminate()
        this.removeDialog(dialog)
      }
    }
    if (incoming.method === 'INVITE' && response.status >= 200 && response.status < 300 && !transaction.reliable) {
      this.#retransmit2xx(incoming, response)
    }
  }

  /** §13.3.1.4: resend the 2xx at T1, 2T1 ... capped at T2, until its ACK comes or 64*T1 passes. */
  #retransmit2xx(incoming: IncomingRequest, response: SipResponse): void {
    const key = ackKey(incoming.message)
    if (this.#awaitingAck.has(key)) return
    let interval = this.#timers.t1
    let handle: TimerHandle | undefined
    const deadline = this.#clock.setTimeout(() => {
      stop()
      this.#log.warn(`no ACK for the 2xx to INVITE ${incoming.message.headers.get('Call-ID')} within 64*T1; the session should be ended with BYE (RFC 3261 §13.3.1.4)`)
    }, 64 * this.#timers.t1)
    const fire = (): void => {
      incoming.transaction?.respond(response)
      interval = Math.min(2 * interval, this.#timers.t2)
      handle = this.#clock.setTimeout(fire, interval)
    }
    const stop = (): void => {
      if (handle !== undefined) this.#clock.clearTimeout(handle)
      this.#clock.clearTimeout(deadline)
      this.#awaitingAck.delete(key)
    }
    handle = this.#clock.setTimeout(fire, interval)
    this.#awaitingAck.set(key, { stop })
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends a request in a client transaction and resolves with its final response (any status;
   * 2xx for INVITE must then be ACKed with {@link sendAck}). Rejects with
   * TransactionTimeoutError (408-like, Timer B/F) or TransactionTransportError (503-like).
   *
   * Missing parts are filled in: Via (fresh branch, `rport`; any existing Via is replaced),
   * Max-Forwards 70, Call-ID, From tag, CSeq `1 METHOD`, User-Agent, outbound-proxy Route.
   * The request object is completed in place, so the caller sees what was sent.
   */
  sendRequest(request: SipRequest, options: SendRequestOptions = {}): Promise<SipResponse> {
    if (this.#closed) return Promise.reject(new RequestCancelledError(request.method, 'the UA core is closed'))
    if (request.method === 'ACK') return Promise.reject(new MsrpBotError('SIP_ACK_NOT_A_TRANSACTION', 'send ACKs with sendAck(); they have no transaction (RFC 3261 §17.1.1.3)'))
    let destination: Destination
    try {
      this.#complete(request)
      destination = options.destination ?? this.#switchLargeToTcp(request, this.#nextHop(request))
      this.#addVia(request, destination)
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<SipResponse>((resolve, reject) => {
      let final: SipResponse | undefined
      const pending = { reject }
      this.#pending.add(pending)
      const branch = readTopVia(request.headers).branch!
      const txKey = clientKey(branch, request.method)
      try {
        this.transactions.sendRequest(request, destination, {
          onResponse: (response) => {
            if (response.status < 200) {
              const reason = this.#pendingCancels.get(txKey)
              if (this.#pendingCancels.has(txKey)) {
                this.#pendingCancels.delete(txKey)
                this.#sendCancel(request, destination, reason)
                const tx = this.transactions.findClientByKey(txKey)
                if (tx instanceof InviteClientTransaction) tx.cancelSent()
              }
              options.onProvisional?.(response)
              return
            }
            if (!final) {
              final = response
              this.#pendingCancels.delete(txKey)
              this.#pending.delete(pending)
              const dialog = options.dialog
              if (dialog) {
                dialog.receiveResponse(response, request.method)
                if (dialog.state === 'terminated' || (request.method === 'BYE' && response.status < 300)) {
                  dialog.terminate()
                  this.removeDialog(dialog)
                }
              }
              resolve(response)
              return
            }
            // A further 2xx (RFC 6026 accepted state): retransmission of ours, or another fork.
            if (tagOf(readNameAddrHeader(response.headers, 'To')!) === tagOf(readNameAddrHeader(final.headers, 'To')!)) this.#resendAck(response)
            else if (options.onAdditional2xx) options.onAdditional2xx(response)
            else this.#log.warn('a 2xx from another fork was ignored; pass onAdditional2xx to handle forked INVITEs')
          },
          onFailure: (error) => {
            this.#pendingCancels.delete(txKey)
            this.#pending.delete(pending)
            if (final) return
            // §12.2.1.2: a timeout of an in-dialog request ends the dialog like a 408.
            if (options.dialog && error.status === 408) {
              options.dialog.terminate()
              this.removeDialog(options.dialog)
            }
            reject(error)
          },
        })
      } catch (error) {
        this.#pending.delete(pending)
        reject(error)
      }
    })
  }

  /**
   * Cancels a pending INVITE sent with {@link sendRequest} (RFC 3261 §9.1): the CANCEL goes out
   * once a provisional response has arrived. Returns false when there is nothing to cancel
   * (final response already received). The INVITE's promise then resolves with 487.
   */
  cancel(invite: SipRequest, reason?: string): boolean {
    const branch = invite.headers.get('Via') === undefined ? undefined : readTopVia(invite.headers).branch
    if (branch === undefined) return false
    const key = clientKey(branch, 'INVITE')
    const tx = this.transactions.findClientByKey(key)
    if (!(tx instanceof InviteClientTransaction)) return false
    if (tx.state !== 'calling' && tx.state !== 'proceeding') return false
    if (tx.provisionalReceived) {
      this.#sendCancel(invite, tx.destination, reason)
      tx.cancelSent()
    } else this.#pendingCancels.set(key, reason)
    return true
  }

  #sendCancel(invite: SipRequest, destination: Destination, reason: string | undefined): void {
    const cancel = buildCancel(invite, reason)
    this.transactions.sendRequest(cancel, destination, {
      onResponse: () => {},
      onFailure: (error) => this.#log.warn(`CANCEL failed: ${error.message}`),
    })
  }

  /**
   * Sends the ACK for a 2xx to INVITE (RFC 3261 §13.2.2.4): a new Via branch, no transaction.
   * Build it with `dialog.createAck(inviteSeq)`. The core keeps it to answer 2xx retransmissions.
   */
  async sendAck(ack: SipRequest, destination?: Destination): Promise<void> {
    const dest = destination ?? this.#nextHop(ack)
    if (!ack.headers.has('Max-Forwards')) ack.headers.append('Max-Forwards', '70')
    this.#addVia(ack, dest)
    const key = ackKey(ack)
    const old = this.#acks.get(key)
    if (old) this.#clock.clearTimeout(old.timer)
    const timer = this.#clock.setTimeout(() => this.#acks.delete(key), 64 * this.#timers.t1)
    this.#acks.set(key, { ack, destination: dest, timer })
    await this.#port.send(ack, dest)
  }

  #resendAck(response: SipResponse): void {
    const sent = this.#acks.get(ackKey(response))
    if (!sent) return
    this.#port.send(sent.ack, sent.destination).catch((error: unknown) => this.#log.warn(`ACK re-send failed: ${String(error)}`))
  }

  /**
   * Sends a message outside any transaction (a stateless response, or an ACK already complete).
   */
  sendStateless(message: SipMessage, destination: Destination): Promise<void> {
    return this.#port.send(message, destination)
  }

  /** Builds a dialog for a 2xx / 1xx-with-tag to our request and registers it (§12.1.2). */
  createUacDialog(request: SipRequest, response: SipResponse, handler?: RequestHandler): Dialog {
    const dialog = Dialog.forUac(request, response)
    this.addDialog(dialog, handler)
    return dialog
  }

  /** Builds the dialog an answered request creates on our side and registers it (§12.1.1). */
  createUasDialog(incoming: IncomingRequest, localContact: string, handler?: RequestHandler): Dialog {
    const dialog = Dialog.forUas(incoming.message, incoming.toTag, localContact)
    this.addDialog(dialog, handler)
    return dialog
  }

  /** Builds the headers of a new out-of-dialog request (§8.1.1); sendRequest fills the rest. */
  createRequest(method: string, target: string, init: { from: string; to?: string; headers?: ReadonlyArray<readonly [string, string]>; body?: Buffer | string; contentType?: string }): SipRequest {
    const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : (init.body ?? Buffer.alloc(0))
    const request: SipRequest = { kind: 'request', method, uri: target, version: 'SIP/2.0', headers: new SipHeaders(), body }
    request.headers.append('From', init.from)
    request.headers.append('To', init.to ?? `<${toUriFor(target)}>`)
    for (const [name, value] of init.headers ?? []) request.headers.append(name, value)
    if (init.contentType !== undefined && body.length > 0) request.headers.set('Content-Type', init.contentType)
    return request
  }

  #complete(request: SipRequest): void {
    const h = request.headers
    if (!h.has('From')) throw new MsrpBotError('SIP_MISSING_FROM', `cannot send ${request.method}: it has no From header`)
    if (!h.has('To')) throw new MsrpBotError('SIP_MISSING_TO', `cannot send ${request.method}: it has no To header`)
    const from = readNameAddrHeader(h, 'From')!
    if (tagOf(from) === undefined) h.set('From', `${h.get('From')};tag=${newTag()}`)
    if (!h.has('Call-ID')) h.append('Call-ID', newCallId())
    if (!h.has('CSeq')) h.append('CSeq', `1 ${request.method}`)
    if (!h.has('Max-Forwards')) h.append('Max-Forwards', '70')
    const to = readNameAddrHeader(h, 'To')
    const outOfDialog = !to || tagOf(to) === undefined
    if (this.#options.outboundProxy !== undefined && outOfDialog && !h.has('Route')) h.prepend('Route', outboundProxyRouteHeader(this.#options.outboundProxy))
    if (this.#options.userAgent !== undefined && !h.has('User-Agent')) h.append('User-Agent', this.#options.userAgent)
  }

  #nextHop(request: SipRequest): Destination {
    return nextHop(parseUri(request.uri), readNameAddrList(request.headers, 'Route'), this.#options.defaultTransport ?? 'UDP')
  }

  /**
   * RFC 3261 §18.1.1: a request within 200 bytes of the 1500-byte MTU (over 1300 bytes) chosen
   * for UDP by default goes over TCP instead, when a TCP transport is available. A URI that
   * names `transport=udp` explicitly keeps UDP.
   */
  #switchLargeToTcp(request: SipRequest, destination: Destination): Destination {
    if (destination.transport !== 'UDP') return destination
    const target = readNameAddrList(request.headers, 'Route')[0]?.uri ?? parseUri(request.uri)
    if (target.kind === 'sip' && target.params.has('transport')) return destination
    if (serializeSipMessage(request).length + 120 <= 1300) return destination // + room for our Via
    if (!this.#sentBy('TCP')) return destination
    this.#log.debug(`${request.method} is larger than 1300 bytes: sending over TCP (RFC 3261 §18.1.1)`)
    return { ...destination, transport: 'TCP' }
  }

  #sentBy(transport: string): { host: string; port: number } | undefined {
    try {
      if (this.#options.sentBy) return this.#options.sentBy(transport)
      const port = this.#port as TransportPort & { sentBy?: (t: string) => { host: string; port: number } }
      return port.sentBy?.(transport)
    } catch {
      return undefined
    }
  }

  #addVia(request: SipRequest, destination: Destination): void {
    const sentBy = this.#sentBy(destination.transport)
    if (!sentBy) throw new MsrpBotError('SIP_NO_SENT_BY', `no local address for transport ${destination.transport}; give UserAgentCore a sentBy option or a port with sentBy()`)
    request.headers.delete('Via')
    const via: Via = { protocolName: 'SIP', protocolVersion: '2.0', transport: destination.transport.toUpperCase(), host: sentBy.host, port: sentBy.port, branch: newBranch(), rport: true, params: new Map() }
    request.headers.prepend('Via', serializeVia(via))
  }

  /** Stops every transaction and timer; pending sendRequest promises reject. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.transactions.close()
    for (const { stop } of [...this.#awaitingAck.values()]) stop()
    for (const { timer } of this.#acks.values()) this.#clock.clearTimeout(timer)
    this.#acks.clear()
    for (const pending of [...this.#pending]) pending.reject(new RequestCancelledError('request', 'the UA core was closed'))
    this.#pending.clear()
  }
}

/** The To URI for a Request-URI: without the parameters RFC 3261 §19.1.1 (table) keeps out of To. */
/**
 * A server transaction user that logs failures. A class, not a closure: it is built outside any
 * scope holding the request, and costs one small object per transaction.
 */
class FailureLogger {
  readonly #log: { warn(message: string): void }
  readonly #method: string
  constructor(log: { warn(message: string): void }, method: string) {
    this.#log = log
    this.#method = method
  }
  onFailure(error: MsrpBotError): void {
    this.#log.warn(`${this.#method} server transaction: ${error.message}`)
  }
}

function toUriFor(target: string): string {
  try {
    const uri = parseUri(target)
    if (uri.kind !== 'sip') return target
    const params = new Map([...uri.params].filter(([name]) => !['transport', 'maddr', 'ttl', 'lr', 'method'].includes(name)))
    return serializeUri({ ...uri, params, headers: [] })
  } catch {
    return target
  }
}

/** Matches an ACK to the 2xx it acknowledges: Call-ID, CSeq number, From tag (§13.3.1.4, §17.2.3 style). */
function ackKey(message: SipMessage): string {
  const from = readNameAddrHeader(message.headers, 'From')
  return `${message.headers.get('Call-ID') ?? ''}\u0000${readCSeq(message.headers).seq}\u0000${from ? tagOf(from) ?? '' : ''}`
}
