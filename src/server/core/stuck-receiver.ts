/**
 * The stuck-receiver policy of a chat room (docs/security.md): what the focus does with a
 * participant when a copy relayed to it got no answer within the delivery timeout.
 *
 * @module
 */

/** Delivery timeouts in a row after which a receiver that reads but does not answer in time is dropped. */
export const MAX_CONSECUTIVE_TIMEOUTS = 3

/** What the focus keeps per receiver between timed-out copies; a copy answered in time resets it. */
export interface LateAnswers {
  /** Delivery timeouts counted in a row (see {@link receiverTimedOut}). */
  readonly strikes: number
  /** Clock time of the last counted one (`-Infinity` before the first). */
  readonly lastStrikeAt: number
}

/** A receiver with no late answer. */
export const NO_LATE_ANSWERS: LateAnswers = Object.freeze({ strikes: 0, lastStrikeAt: Number.NEGATIVE_INFINITY })

/** The copy that timed out. */
export interface TimedOutCopy {
  /** Output still waiting for the receiver (held by its connection, not yet taken by the network). */
  readonly pendingBytes: number
  /**
   * The receiver's connection got neither an answer nor a drain of its output since the copy was
   * written: it made no progress at all (as opposed to one that reads, only too slowly).
   */
  readonly stalled: boolean
}

/**
 * Counts a timed-out copy and says whether to drop the receiver now: at once when it is not
 * reading (output waits for it and it made no progress since the copy was written); else after
 * {@link MAX_CONSECUTIVE_TIMEOUTS} delivery timeouts in a row. Copies that time out within one
 * delivery timeout of the last counted one count once: a burst of copies queued behind the same
 * delay — a slow receiver, or a server behind its own work — is one late answer, not many, so an
 * overloaded server does not drop every receiver that reads (and empty its room).
 */
export function receiverTimedOut(late: LateAnswers, copy: TimedOutCopy, now: number, deliveryTimeoutMs: number): { late: LateAnswers; drop: boolean } {
  const counted = now - late.lastStrikeAt >= deliveryTimeoutMs
  const next = counted ? { strikes: late.strikes + 1, lastStrikeAt: now } : late
  return { late: next, drop: (copy.stalled && copy.pendingBytes > 0) || next.strikes >= MAX_CONSECUTIVE_TIMEOUTS }
}
