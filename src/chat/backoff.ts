/**
 * Reconnect pacing: exponential backoff with full jitter, so that many bots cut off by the same
 * server restart do not all come back in the same instant.
 *
 * @module
 */

/** Tuning for {@link Backoff}. */
export interface BackoffOptions {
  /** Upper bound of the first delay (default 500 ms). */
  initialMs?: number | undefined
  /** Upper bound of any delay (default 30 s). */
  maxMs?: number | undefined
  /** Growth per attempt (default 2). */
  factor?: number | undefined
  /**
   * Share of the delay that is random, 0..1 (default 0.5): the delay is
   * `base * (1 - jitter) + base * jitter * random()`.
   */
  jitter?: number | undefined
  /** Random source in [0, 1) (tests pass a fixed one). */
  random?: (() => number) | undefined
}

/**
 * Computes the delays before successive reconnect attempts.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 0.5 })
 * backoff.next() // 75   (100 * 0.5 + 100 * 0.5 * 0.5)
 * backoff.next() // 150
 * backoff.reset()
 * ```
 */
export class Backoff {
  readonly #initial: number
  readonly #max: number
  readonly #factor: number
  readonly #jitter: number
  readonly #random: () => number
  #attempt = 0

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 500
    this.#max = options.maxMs ?? 30_000
    this.#factor = options.factor ?? 2
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5))
    this.#random = options.random ?? Math.random
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.#attempt
  }

  /** The delay (ms) to wait before the next attempt; grows with each call. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt)
    this.#attempt++
    return Math.round(base * (1 - this.#jitter) + base * this.#jitter * this.#random())
  }

  /** Starts over (after a successful reconnect). */
  reset(): void {
    this.#attempt = 0
  }
}
