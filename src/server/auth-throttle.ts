/**
 * Brute-force protection for digest authentication: failed attempts are counted per user name
 * and per source IP in a fixed window; past the limit, further attempts from that source or for
 * that user are refused without checking the password until the window ends.
 *
 * Memory is bounded: at most `maxTracked` counters; when full, expired ones are dropped first,
 * then the oldest (an attacker who floods names from spoofed addresses can push counters out,
 * but each address or name it pushes out had fewer failures than the limit to begin with).
 *
 * @module
 */

/** Limits of {@link AuthThrottle}. */
export interface AuthThrottleOptions {
  /** Failures allowed per user name in one window (default 10). */
  readonly perUser?: number
  /** Failures allowed per source IP in one window (default 20). */
  readonly perSource?: number
  /** Length of the window, ms (default 5 minutes). */
  readonly windowMs?: number
  /** Counters kept at most (default 10 000). */
  readonly maxTracked?: number
  /** Clock, ms. */
  readonly now?: () => number
}

/** The defaults of {@link AuthThrottleOptions}, for documentation and tests. */
export const AUTH_THROTTLE_DEFAULTS = { perUser: 10, perSource: 20, windowMs: 5 * 60_000, maxTracked: 10_000 } as const

interface Counter {
  failures: number
  /** When the window of this counter ends, ms. */
  resetAt: number
}

/** Counts digest failures and says when a user or a source must wait. */
export class AuthThrottle {
  readonly #perUser: number
  readonly #perSource: number
  readonly #windowMs: number
  readonly #maxTracked: number
  readonly #now: () => number
  readonly #counters = new Map<string, Counter>()

  constructor(options: AuthThrottleOptions = {}) {
    this.#perUser = options.perUser ?? AUTH_THROTTLE_DEFAULTS.perUser
    this.#perSource = options.perSource ?? AUTH_THROTTLE_DEFAULTS.perSource
    this.#windowMs = options.windowMs ?? AUTH_THROTTLE_DEFAULTS.windowMs
    this.#maxTracked = options.maxTracked ?? AUTH_THROTTLE_DEFAULTS.maxTracked
    this.#now = options.now ?? Date.now
  }

  /**
   * Seconds to wait before `user` may try again from `sourceIp`, or 0 when an attempt may go
   * ahead. `user` is undefined when the request carries no credentials yet.
   */
  retryAfter(sourceIp: string, user: string | undefined): number {
    const now = this.#now()
    let until = this.#blockedUntil(`ip ${sourceIp}`, this.#perSource, now)
    if (user !== undefined) until = Math.max(until, this.#blockedUntil(`user ${user}`, this.#perUser, now))
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - now) / 1000))
  }

  /** Counts one failed attempt. */
  fail(sourceIp: string, user: string | undefined): void {
    const now = this.#now()
    this.#count(`ip ${sourceIp}`, now)
    if (user !== undefined) this.#count(`user ${user}`, now)
  }

  /** Number of counters held (for tests of the bound). */
  get size(): number {
    return this.#counters.size
  }

  #blockedUntil(key: string, limit: number, now: number): number {
    const counter = this.#counters.get(key)
    if (counter === undefined) return 0
    if (counter.resetAt <= now) {
      this.#counters.delete(key)
      return 0
    }
    return counter.failures >= limit ? counter.resetAt : 0
  }

  #count(key: string, now: number): void {
    const counter = this.#counters.get(key)
    if (counter !== undefined && counter.resetAt > now) {
      counter.failures++
      return
    }
    if (counter !== undefined) this.#counters.delete(key)
    if (this.#counters.size >= this.#maxTracked) this.#makeRoom(now)
    this.#counters.set(key, { failures: 1, resetAt: now + this.#windowMs })
  }

  #makeRoom(now: number): void {
    // A counter is (re)inserted when its window starts, so insertion order is window order:
    // expired counters are at the front, and the oldest live one is the first after them.
    for (const [key, counter] of this.#counters) {
      if (counter.resetAt > now && this.#counters.size < this.#maxTracked) return
      this.#counters.delete(key)
      if (counter.resetAt > now) return
    }
  }
}
