import { MsrpBotError } from '../../errors.ts'

/**
 * A client transaction got no final response in time (Timer B or F, 64*T1, RFC 3261 §17.1.1.2,
 * §17.1.2.2). The UA treats it like a 408 Request Timeout (§8.1.3.1).
 */
export class TransactionTimeoutError extends MsrpBotError {
  /** The status the UA should act on: 408. */
  readonly status = 408
  /** The method of the request that timed out. */
  readonly method: string

  constructor(method: string, waitedMs: number) {
    super('SIP_TRANSACTION_TIMEOUT', `${method} got no final response within ${waitedMs} ms (RFC 3261 Timer ${method === 'INVITE' ? 'B' : 'F'}); the peer is unreachable or not answering — check its address and transport`)
    this.method = method
  }
}

/**
 * A transaction's message could not be handed to the transport (RFC 3261 §17.1.4): the UA
 * treats it like a 503 Service Unavailable.
 */
export class TransactionTransportError extends MsrpBotError {
  /** The status the UA should act on: 503. */
  readonly status = 503

  constructor(method: string, cause: unknown) {
    super('SIP_TRANSPORT_FAILURE', `${method} could not be sent: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

/** The request was cancelled (or the UA core was closed) before a final response arrived. */
export class RequestCancelledError extends MsrpBotError {
  constructor(method: string, why: string) {
    super('SIP_REQUEST_CANCELLED', `${method} was abandoned: ${why}`)
  }
}
