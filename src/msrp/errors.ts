/**
 * Errors of the MSRP protocol layer. Every send either succeeds or rejects with one of these
 * (RFC 4975 §7.1: transaction responses, REPORTs, timeouts).
 */
import { MsrpBotError } from '../errors.ts'

/**
 * A request failed: a non-200 response, a failure REPORT, or no response in time (408).
 *
 * Codes: `MSRP_REQUEST_FAILED` (response), `MSRP_REPORT_FAILURE` (failure REPORT),
 * `MSRP_TIMEOUT` (no response / REPORT in time, status 408), `MSRP_NICKNAME_REJECTED`
 * (NICKNAME answered 424/425/…, RFC 7701 §7), `MSRP_AUTH_FAILED` (relay AUTH, RFC 4976).
 */
export class MsrpRequestError extends MsrpBotError {
  /** MSRP status code: from the response or REPORT, or 408 for a timeout. */
  readonly status: number
  /** The response comment or REPORT status comment, when there was one. */
  readonly comment: string | undefined

  constructor(code: string, status: number, message: string, comment?: string) {
    super(code, message)
    this.status = status
    this.comment = comment
  }
}

/**
 * No response within the transaction timeout (RFC 4975 §7.1: counted as 408; code
 * `MSRP_TIMEOUT`). `peerStalled` tells a peer that is not reading from one that reads but did
 * not answer this request in time: true when the connection got neither a response nor a drain
 * of its output since the request was written.
 */
export class MsrpTimeoutError extends MsrpRequestError {
  /** The connection saw no response and no drain of its output since the request was written. */
  readonly peerStalled: boolean

  constructor(message: string, peerStalled: boolean) {
    super('MSRP_TIMEOUT', 408, message)
    this.peerStalled = peerStalled
  }
}

/**
 * The connection or session went away before the request completed, or the caller cancelled
 * it. Codes: `MSRP_CONNECTION_CLOSED`, `MSRP_SESSION_CLOSED`, `MSRP_SEND_ABORTED`,
 * `MSRP_WRITE_OVERFLOW` (the peer stopped reading and too much output piled up).
 */
export class MsrpClosedError extends MsrpBotError {}
