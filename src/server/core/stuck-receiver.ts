/**
 * The stuck-receiver policy of a chat room (docs/security.md): what the focus does with a
 * participant when a copy relayed to it got no answer within the delivery timeout.
 *
 * @module
 */

/** Copies in a row a receiver that reads but does not answer may leave unanswered before it is dropped. */
export const MAX_CONSECUTIVE_TIMEOUTS = 3

/** What the focus knows of a receiver when one of its copies timed out. */
export interface TimedOutLeg {
  /** Copies to it in a row that got no answer in time, this one included. */
  readonly timeouts: number
  /** Output still waiting for it (held by its connection, not yet taken by the network). */
  readonly pendingBytes: number
  /**
   * Its connection got neither an answer nor a drain of its output since the copy was written:
   * it made no progress at all (as opposed to one that reads, only too slowly for the timeout).
   */
  readonly stalled: boolean
}

/**
 * True when the receiver should be dropped now: at once when it is not reading (output waits for
 * it and it made no progress since the copy was written), else after
 * {@link MAX_CONSECUTIVE_TIMEOUTS} unanswered copies in a row. A receiver that reads but falls
 * behind — or whose answers the server itself is too busy to take in time — is not dropped for
 * one late answer, so an overloaded server does not empty its room.
 */
export function dropTimedOutReceiver(leg: TimedOutLeg): boolean {
  if (leg.stalled && leg.pendingBytes > 0) return true
  return leg.timeouts >= MAX_CONSECUTIVE_TIMEOUTS
}
