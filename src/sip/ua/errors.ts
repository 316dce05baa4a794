import { MsrpBotError } from '../../errors.ts'
import type { SipResponse } from '../message.ts'

/**
 * Digest authentication failed (RFC 3261 §22): the server refused the credentials, none were
 * configured, or its challenge cannot be answered. `realm` names the realm that refused.
 */
export class SipAuthError extends MsrpBotError {
  declare readonly code: 'SIP_AUTH_FAILED' | 'SIP_AUTH_NO_CREDENTIALS' | 'SIP_AUTH_UNSUPPORTED'
  /** The realm whose challenge could not be met. */
  readonly realm: string | undefined
  /** The 401/407 that ended the attempt. */
  readonly response: SipResponse

  constructor(code: SipAuthError['code'], message: string, response: SipResponse, realm?: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.response = response
    this.realm = realm
  }

  /** The status of the final challenge (401 or 407). */
  get status(): number {
    return this.response.status
  }
}

/**
 * A request got a final non-2xx response (RFC 3261 §8.1.3.4 ff.): `status`, `reason` and the
 * whole `response` say what the far end answered.
 */
export class SipResponseError extends MsrpBotError {
  declare readonly code: 'SIP_REQUEST_FAILED'
  readonly method: string
  readonly status: number
  readonly reason: string
  readonly response: SipResponse

  constructor(method: string, target: string, response: SipResponse) {
    super('SIP_REQUEST_FAILED', `${method} to ${target} failed: ${response.status} ${response.reason}${hint(response.status)}`)
    this.method = method
    this.status = response.status
    this.reason = response.reason
    this.response = response
  }
}

/** A call or subscription method was used in a state that does not allow it. */
export class SipStateError extends MsrpBotError {
  declare readonly code: 'SIP_INVALID_STATE'

  constructor(message: string) {
    super('SIP_INVALID_STATE', message)
  }
}

/** A user-agent operation waited too long for the peer (an ACK, a NOTIFY ...). */
export class SipTimeoutError extends MsrpBotError {
  declare readonly code: 'SIP_UA_TIMEOUT'

  constructor(message: string) {
    super('SIP_UA_TIMEOUT', message)
  }
}

function hint(status: number): string {
  switch (status) {
    case 403: return ' (the server forbids it: check the account and the From/To domain)'
    case 404: return ' (no such user, or the user is not registered)'
    case 408: case 480: return ' (the callee did not answer or is offline)'
    case 486: case 600: return ' (busy)'
    case 488: case 606: return ' (the session description was not acceptable)'
    case 489: return ' (the server does not support this event package)'
    default: return ''
  }
}
