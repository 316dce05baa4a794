import type { Dialog } from '../dialog.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import { type ResponseOptions, createResponse } from '../response.ts'
import type { ServerTransaction } from '../transaction/server-transaction.ts'
import type { Destination } from '../transaction/transport-port.ts'

/** Options of {@link IncomingRequest.respond}. */
export interface RespondOptions extends Omit<ResponseOptions, 'toTag'> {
  /** Body as text (sent as UTF-8) or bytes; give Content-Type with `contentType`. */
  readonly body?: Buffer
  /** Content-Type of the body. */
  readonly contentType?: string
  /**
   * Send this final response once and end the transaction: no retransmission and no state kept
   * (RFC 3261 §8.2.7, a stateless UAS). For challenges and refusals of requests not yet
   * authenticated, so a spoofed source gets one datagram per request it was sent.
   */
  readonly stateless?: boolean
}

/** Hooks the UA core gives an incoming request. */
export interface IncomingRequestHooks {
  /** Sends a response through the transaction (and arms 2xx retransmission for INVITE). */
  send(request: IncomingRequest, response: SipResponse, stateless: boolean): void
}

/**
 * A request received by the UA core, with its server transaction (RFC 3261 §8.2).
 *
 * Answer it with {@link respond}; every response carries the same To tag ({@link toTag}), so a
 * 1xx and the final response belong to the same dialog. ACKs for 2xx have no transaction:
 * `transaction` is undefined and responding does nothing.
 */
export class IncomingRequest {
  /** The request as received (top Via stamped with received/rport). */
  readonly message: SipRequest
  /** Where it came from; responses go back per RFC 3261 §18.2.2. */
  readonly source: Destination
  /** Its server transaction; undefined for an ACK. */
  readonly transaction: ServerTransaction | undefined
  /** The dialog it belongs to, when it was sent inside one this core knows. */
  readonly dialog: Dialog | undefined
  /** The To tag this UA puts on its responses (the request's own when it has one). */
  readonly toTag: string
  readonly #hooks: IncomingRequestHooks
  #cancelled = false
  readonly #cancelListeners: Array<(cancel: SipRequest) => void> = []

  constructor(init: {
    message: SipRequest
    source: Destination
    transaction: ServerTransaction | undefined
    dialog: Dialog | undefined
    toTag: string
    hooks: IncomingRequestHooks
  }) {
    this.message = init.message
    this.source = init.source
    this.transaction = init.transaction
    this.dialog = init.dialog
    this.toTag = init.toTag
    this.#hooks = init.hooks
  }

  /** The method, for convenience. */
  get method(): string {
    return this.message.method
  }

  /** Whether a final response has been sent. */
  get answered(): boolean {
    return this.transaction?.finalSent ?? true
  }

  /** Whether a CANCEL arrived for this INVITE (§9.2); the core has already answered 487. */
  get cancelled(): boolean {
    return this.#cancelled
  }

  /**
   * Sends a response built from the request (RFC 3261 §8.2.6) and returns it. Responses after
   * the final one are ignored by the transaction (except 2xx retransmissions of INVITE).
   *
   * @example
   * incoming.respond(200, { headers: [['Contact', '<sip:bot@192.0.2.1>']] })
   */
  respond(status: number, options: RespondOptions = {}): SipResponse {
    const headers = [...(options.headers ?? [])]
    if (options.contentType !== undefined && options.body !== undefined && options.body.length > 0) headers.push(['Content-Type', options.contentType])
    const response = createResponse(this.message, status, { ...options, headers, toTag: this.toTag })
    this.#hooks.send(this, response, options.stateless === true && status >= 200)
    return response
  }

  /** Calls `listener` when a CANCEL for this INVITE arrives (after the core answered 487). */
  onCancel(listener: (cancel: SipRequest) => void): void {
    this.#cancelListeners.push(listener)
  }

  /** @internal The core marks the request cancelled and informs listeners. */
  markCancelled(cancel: SipRequest): void {
    this.#cancelled = true
    for (const listener of this.#cancelListeners) listener(cancel)
  }
}
