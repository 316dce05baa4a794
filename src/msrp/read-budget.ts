/**
 * A process-wide budget for the bytes MSRP connections hold while a frame is incomplete (the
 * parser's partial header blocks and chunk bodies). Each connection caps its own frame, but
 * thousands of connections each holding a capped frame still add up: a connection whose growth
 * would take the total past the budget is closed instead (its bytes are released), so the memory
 * a flood of slow senders can pin stays bounded whatever the number of connections.
 *
 * @module
 */

/** Default budget: 64 MiB of incomplete frames across all connections sharing one budget. */
export const DEFAULT_READ_BUDGET_BYTES = 64 * 1024 * 1024

/**
 * Counts buffered bytes against a limit; shared by the connections of one listener or server.
 *
 * @example
 * ```ts
 * const budget = new MsrpReadBudget(32 * 1024 * 1024)
 * const listener = await MsrpListener.listen({ readBudget: budget })
 * ```
 */
export class MsrpReadBudget {
  /** The most bytes all connections together may hold. */
  readonly limitBytes: number
  #used = 0

  constructor(limitBytes: number = DEFAULT_READ_BUDGET_BYTES) {
    if (!(limitBytes > 0)) throw new RangeError(`an MSRP read budget must be positive, got ${limitBytes}`)
    this.limitBytes = limitBytes
  }

  /** Bytes counted now. */
  get used(): number {
    return this.#used
  }

  /** Counts `bytes` more; returns false when the total is now over the limit (the caller gives them back and closes). */
  take(bytes: number): boolean {
    this.#used += bytes
    return this.#used <= this.limitBytes
  }

  /** Gives back bytes counted earlier. */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes)
  }
}
