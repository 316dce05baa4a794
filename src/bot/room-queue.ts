/**
 * The outbound queue of one room the bot joined, made from the config's queue limits and rate,
 * and the error its sends fail with once the room is gone for good (removed or closed).
 *
 * @module
 */
import { SendError } from '../chat/backend-errors.ts'
import type { RoomClosedReason } from '../chat/backend.ts'
import type { Clock } from '../clock.ts'
import type { BotConfig } from './config.ts'
import { OutboundQueue } from './outbound-queue.ts'

/** What a room's queue reports back to the bot. */
export interface RoomQueueEvents {
  /** A message left. */
  sent(): void
  /** A message failed for good (after its retries). */
  failed(error: unknown): void
}

/** A room's outbound queue with the config's limits (`queue`) and pacing (`rateLimit`). */
export function newRoomQueue(config: Pick<BotConfig, 'queue' | 'rateLimit'>, clock: Clock, events: RoomQueueEvents): OutboundQueue {
  const { queue: q, rateLimit } = config
  return new OutboundQueue({
    clock,
    maxPending: q.maxPending,
    maxAttempts: q.maxAttempts,
    retryDelayMs: q.retryDelayMs,
    maxRetryDelayMs: q.maxRetryDelayMs,
    rate: rateLimit,
    onSent: () => events.sent(),
    onFailed: (error) => events.failed(error),
  })
}

/**
 * The SEND_DISCONNECTED error for sends to a room the bot was removed from or that closed:
 * unlike a lost connection, nothing re-joins it by itself.
 */
export function roomGoneError(uri: string, reason: RoomClosedReason): (attempts: number, cause?: unknown) => Error {
  const what =
    reason === 'kicked' ? `the bot was removed from ${uri} by a moderator` : `the room ${uri} was closed`
  return (_attempts, cause) =>
    new SendError(
      'disconnected',
      `send failed: ${what}, so the message was not sent and no reconnect will send it; ` +
        `call bot.join('${uri}') before sending there again`,
      cause === undefined ? undefined : { cause },
    )
}
