/**
 * Turns protocol failures (MSRP responses and REPORTs, SIP responses, closed connections) into
 * the contract's error codes (see `BackendErrorCode` in ./backend.ts).
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import { ModerationError, NicknameError, ParticipantNotFoundError, SendError } from './backend-errors.ts'
import type { RoomClosedReason, RoomHandle } from './backend.ts'

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const status = (error as { status?: unknown }).status
  return typeof status === 'number' ? status : undefined
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** True for errors that mean "the connection or session is gone". */
export function isDisconnect(error: unknown): boolean {
  const code = codeOf(error) ?? ''
  return (
    code === 'MSRP_CONNECTION_CLOSED' ||
    code === 'MSRP_SESSION_CLOSED' ||
    code === 'MSRP_WRITE_OVERFLOW' ||
    code === 'MSRP_CONNECT_FAILED' ||
    code.startsWith('SIP_TRANSPORT') ||
    code === 'SIP_REQUEST_CANCELLED' ||
    // A step abandoned because the SIP connection closed (step-guard.ts).
    code === 'CHAT_STEP_ABORTED'
  )
}

/** True for "no answer in time": an MSRP transaction timeout or a step past its deadline. */
function isTimeout(error: unknown): boolean {
  const code = codeOf(error)
  return code === 'MSRP_TIMEOUT' || code === 'CHAT_STEP_TIMEOUT'
}

/**
 * Maps a failed MSRP send to a {@link SendError} (or PARTICIPANT_NOT_FOUND for a private
 * message to someone the focus does not know, RFC 7701 §7.2).
 */
export function toSendError(error: unknown, context: { room: string; to?: string | undefined; closed?: RoomClosedReason | undefined }): Error {
  const code = codeOf(error)
  if (code !== undefined && /^SEND_|^PARTICIPANT_NOT_FOUND$/.test(code)) return error as Error
  const status = statusOf(error)
  const detail = error instanceof Error ? error.message : String(error)
  if (isTimeout(error) || status === 408) {
    return new SendError('timeout', `no confirmation from ${context.room} in time (${detail}); the message may not have arrived`, { statusCode: 408, cause: error })
  }
  if (isDisconnect(error) || status === 481) {
    return new SendError('disconnected', disconnectedMessage(context.room, detail, context.closed), { cause: error })
  }
  if (status === 404 && context.to !== undefined) {
    const notFound = new ParticipantNotFoundError(context.to, context.room)
    return notFound
  }
  const comment = (error as { comment?: unknown }).comment
  if (status === 403 && typeof comment === 'string' && /rate|slow|too many/i.test(comment)) {
    const retry = /retry in (\d+) ?ms/i.exec(comment)
    return new SendError('rate-limited', `${context.room} is throttling the bot (${detail})`, {
      statusCode: 403,
      cause: error,
      ...(retry ? { retryAfterMs: Number(retry[1]) } : {}),
    })
  }
  return new SendError('rejected', `${context.room} refused the message (${detail})`, status === undefined ? { cause: error } : { statusCode: status, cause: error })
}

/**
 * Why a send found no session: the bot was removed or the room closed (it stays out: no
 * re-join), or the connection was lost (re-established by itself). A send can fail on the
 * closing connection before the focus's BYE tells which, so the open case names both.
 */
function disconnectedMessage(room: string, detail: string, closed: RoomClosedReason | undefined): string {
  if (closed === 'kicked') return `the bot was removed from ${room} by a moderator (${detail}); the message was not confirmed and the bot does not re-join`
  if (closed === 'closed') return `${room} was closed (${detail}); the message was not confirmed`
  return `the session with ${room} ended before the message was confirmed (${detail}); a lost connection is re-established and the room re-joined by itself, while a removal or a closed room is reported by a room-closed event`
}

/** Maps a refused NICKNAME (RFC 7701 §7) to a {@link NicknameError}. */
export function toNicknameError(error: unknown, nickname: string, room?: RoomHandle): Error {
  const status = statusOf(error)
  if (status === undefined) {
    if (isDisconnect(error) || isTimeout(error)) return toSendError(error, { room: room?.uri ?? 'the room' })
    return error instanceof Error ? error : new MsrpBotError('NICKNAME_FAILED', String(error))
  }
  if (status === 408) return toSendError(error, { room: room?.uri ?? 'the room' })
  const options = room === undefined ? { statusCode: status, cause: error } : { statusCode: status, cause: error, room }
  // 425: taken or reserved (and what SylkServer answers for every refusal); 424, 403, 501: not usable.
  return new NicknameError(status === 425 ? 'taken' : 'invalid', nickname, options)
}

/** Maps a refused moderation request (REFER, RFC 4579 §5.5, or the mute extension). */
export function toModerationError(error: unknown, action: string, room: string, target: string): Error {
  const status = statusOf(error)
  if (status === 403 || status === 401 || status === 407) return new ModerationError('not-authorized', action, room, { statusCode: status, cause: error })
  if (status === 404 || status === 480) return new ParticipantNotFoundError(target, room)
  if (status === 405 || status === 415 || status === 420 || status === 489 || status === 501) {
    return new ModerationError('not-supported', action, room, { statusCode: status, cause: error })
  }
  if (isDisconnect(error) || status === 408 || status === 481) return toSendError(error, { room })
  return error instanceof Error ? error : new MsrpBotError('MODERATION_FAILED', String(error))
}
