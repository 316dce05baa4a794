/**
 * Why a room could not be entered: {@link JoinError} and the reading of a failed join step
 * (a SIP refusal, a step that got no answer) as one, with a hint for the status the focus gave.
 *
 * @module
 */
import { SipResponseError } from '../sip/ua/errors.ts'
import { MsrpBotError } from '../errors.ts'
import { isDisconnect } from './error-mapping.ts'

/** Error thrown when a room cannot be entered (INVITE refused, media failed). */
export class JoinError extends MsrpBotError {
  /** SIP status of the refusal, if the focus answered. */
  readonly statusCode: number | undefined
  constructor(room: string, detail: string, options?: { statusCode?: number | undefined; cause?: unknown }) {
    super('JOIN_FAILED', `cannot join ${room}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause })
    this.statusCode = options?.statusCode
  }
}

function joinHint(status: number): string {
  switch (status) {
    case 403: return 'the focus refused the bot (403): check that it may enter this room'
    case 404: return 'no such room (404): check the room URI'
    case 486: case 600: return `the room is full or busy (${status})`
    case 488: case 606: return `the focus did not accept the MSRP offer (${status})`
    default: return `the focus answered ${status}`
  }
}

/** 5xx answers that say the request itself can never work there: 501, 505, 513. */
const FINAL_SERVER_ERRORS = new Set([501, 505, 513])

/**
 * Whether a refused INVITE may succeed later: a timeout, a focus that is overloaded or
 * restarting (408, 480, 5xx but 501, 505 and 513). Other refusals (403, 404, 486 ...) are final,
 * and so is every 6xx: a global failure (603 Decline, 604, 606) is not to be retried anywhere
 * (RFC 3261 §21.6).
 */
export function transientStatus(status: number): boolean {
  return status === 408 || status === 480 || (status >= 500 && status < 600 && !FINAL_SERVER_ERRORS.has(status))
}

/** Reads any failure of a join step as a {@link JoinError} for `room`. */
export function toJoinError(room: string, error: unknown): JoinError {
  if (error instanceof JoinError) return error
  if (error instanceof SipResponseError) return new JoinError(room, joinHint(error.status), { statusCode: error.status, cause: error })
  const code = (error as { code?: string }).code
  if (isDisconnect(error) || code?.startsWith('SIP_TRANSACTION') || code?.startsWith('CHAT_STEP')) {
    return new JoinError(room, `no answer from the focus (${(error as Error).message})`, { cause: error })
  }
  return new JoinError(room, (error as Error).message, { cause: error })
}
