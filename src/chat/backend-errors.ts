/**
 * Ready-made errors for {@link ChatBackend} implementations. The bot recognises backend
 * failures by their `code` (see `BackendErrorCode`), so these classes are a convenience, not a
 * requirement.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import type { RoomHandle } from './backend.ts'

/** The focus refused a nickname (RFC 7701: 425 taken or reserved, 424 malformed). */
export class NicknameError extends MsrpBotError {
  /** 'taken' for MSRP 425, 'invalid' for MSRP 424. */
  readonly reason: 'taken' | 'invalid'
  /** The nickname that was refused. */
  readonly nickname: string
  /** The MSRP status code the focus answered with. */
  readonly statusCode: number
  /**
   * When thrown by `ChatBackend.join`: the room, joined without a nickname. The receiver owns
   * it and must call `setNickname` or `leave`.
   */
  room: RoomHandle | undefined

  constructor(
    reason: 'taken' | 'invalid',
    nickname: string,
    options?: { statusCode?: number; room?: RoomHandle; cause?: unknown; detail?: string },
  ) {
    const statusCode = options?.statusCode ?? (reason === 'taken' ? 425 : 424)
    super(
      reason === 'taken' ? 'NICKNAME_TAKEN' : 'NICKNAME_INVALID',
      (reason === 'taken'
        ? `nickname "${nickname}" is already used or reserved in this room (${statusCode}); ` +
            `choose another, or join with { retryNicknames: true }`
        : `nickname "${nickname}" was refused as invalid (${statusCode}); ` +
            `use letters, digits and simple punctuation without spaces at the ends`) +
        (options?.detail === undefined ? '' : `; ${options.detail}`),
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.reason = reason
    this.nickname = nickname
    this.statusCode = statusCode
    this.room = options?.room
  }
}

/** Why a send failed, as reported by the backend. */
export type SendFailureReason = 'rate-limited' | 'rejected' | 'timeout' | 'disconnected'

const SEND_CODES = {
  'rate-limited': 'SEND_RATE_LIMITED',
  rejected: 'SEND_REJECTED',
  timeout: 'SEND_TIMEOUT',
  disconnected: 'SEND_DISCONNECTED',
} as const satisfies Record<SendFailureReason, string>

/** A message could not be delivered to the focus. */
export class SendError extends MsrpBotError {
  /** Why it failed. */
  readonly reason: SendFailureReason
  /** MSRP or SIP status code, when the failure came as a response or REPORT. */
  readonly statusCode: number | undefined
  /** For 'rate-limited': how long the peer asked us to wait, if it said. */
  readonly retryAfterMs: number | undefined

  constructor(
    reason: SendFailureReason,
    message: string,
    options?: { statusCode?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(SEND_CODES[reason], message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.reason = reason
    this.statusCode = options?.statusCode
    this.retryAfterMs = options?.retryAfterMs
  }
}

/**
 * An invitation to a room did not bring the person in (RFC 4579 §5.5: the focus's call-out,
 * reported in the REFER's NOTIFYs, RFC 3515): INVITATION_DECLINED when they refused (486 Busy
 * Here, 600 Busy Everywhere, 603 Decline), INVITATION_FAILED otherwise (not registered, no
 * answer, the room refused them). `statusCode` is the final status of the focus's INVITE.
 */
export class InvitationError extends MsrpBotError {
  /** The final SIP status of the focus's INVITE to the invitee. */
  readonly statusCode: number
  /** The invitee. */
  readonly invitee: string

  constructor(invitee: string, roomUri: string, statusCode: number, reason: string) {
    const declined = statusCode === 486 || statusCode === 600 || statusCode === 603
    super(
      declined ? 'INVITATION_DECLINED' : 'INVITATION_FAILED',
      declined
        ? `${invitee} declined the invitation to ${roomUri} (${statusCode} ${reason})`
        : `${invitee} could not be brought into ${roomUri} (${statusCode} ${reason})${statusCode === 480 || statusCode === 404 ? ': they are not registered (offline)' : ''}`,
    )
    this.statusCode = statusCode
    this.invitee = invitee
  }
}

/** A private message or lookup named someone who is not in the room. */
export class ParticipantNotFoundError extends MsrpBotError {
  /** The nickname or URI that was looked up. */
  readonly participant: string

  constructor(participant: string, roomUri: string) {
    super(
      'PARTICIPANT_NOT_FOUND',
      `no participant "${participant}" in ${roomUri}; check room.participants ` +
        `(nicknames are case-sensitive, or pass the participant's sip: URI)`,
    )
    this.participant = participant
  }
}

/** Why a moderation request (kick, mute) failed. */
export type ModerationFailureReason = 'not-authorized' | 'not-supported'

/**
 * A moderation request was refused: NOT_AUTHORIZED (the focus answered 403) or NOT_SUPPORTED
 * (the focus does not implement it, e.g. 501 / 405 / 420, or a focus without the mute extension).
 */
export class ModerationError extends MsrpBotError {
  /** Why it failed. */
  readonly reason: ModerationFailureReason
  /** The SIP status code the focus answered with, if it answered. */
  readonly statusCode: number | undefined

  constructor(
    reason: ModerationFailureReason,
    action: string,
    roomUri: string,
    options?: { statusCode?: number; cause?: unknown },
  ) {
    super(
      reason === 'not-authorized' ? 'NOT_AUTHORIZED' : 'NOT_SUPPORTED',
      reason === 'not-authorized'
        ? `${action} in ${roomUri} was refused${options?.statusCode === undefined ? '' : ` (${options.statusCode})`}: ` +
            `the bot is not a moderator there; ask the room's owner to grant it the moderator role`
        : `${action} is not supported by the focus of ${roomUri}` +
            `${options?.statusCode === undefined ? '' : ` (${options.statusCode})`}; ` +
            `it needs msrp-bot's server (mute is an msrp-bot extension)`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.reason = reason
    this.statusCode = options?.statusCode
  }
}

/** Reads the `code` of a thrown value, if it has a string one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}
