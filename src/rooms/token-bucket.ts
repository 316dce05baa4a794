/**
 * A token bucket on an injectable clock: the server paces each participant with it, the bot its
 * own sends (bot/outbound-queue.ts).
 *
 * @module
 */

import type { TimeSource } from '../clock.ts'

/**
 * Holds up to `burst` tokens and refills `perSecond` tokens per second; each message takes one.
 * Reads the clock only when asked, so it needs no timer.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ burst: 5, perSecond: 1 }, clock)
 * if (!bucket.take()) console.log(`retry in ${bucket.msUntilAvailable()} ms`)
 * ```
 */
export class TokenBucket {
  private tokens: number
  private last: number
  private readonly burst: number
  private readonly perMs: number

  /** A full bucket of `burst` tokens refilling at `perSecond`. */
  constructor(config: { burst: number; perSecond: number }, private readonly clock: TimeSource) {
    if (!(config.burst >= 1) || !(config.perSecond > 0)) {
      throw new RangeError(`a rate limit needs burst >= 1 and perSecond > 0, got burst=${config.burst} perSecond=${config.perSecond}`)
    }
    this.burst = config.burst
    this.perMs = config.perSecond / 1000
    this.tokens = config.burst
    this.last = clock.now()
  }

  /** Takes `n` tokens (default 1) if available and returns true; otherwise takes none and returns false. */
  take(n = 1): boolean {
    this.refill()
    if (this.tokens + 1e-9 < n) return false
    this.tokens = Math.max(0, this.tokens - n)
    return true
  }

  /** Milliseconds until `n` tokens (default 1) will be available; 0 if they are now. */
  msUntilAvailable(n = 1): number {
    this.refill()
    const missing = n - this.tokens
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.perMs)
  }

  /** Tokens available now (fractional). */
  get available(): number {
    this.refill()
    return this.tokens
  }

  private refill(): void {
    const now = this.clock.now()
    const elapsed = Math.max(0, now - this.last)
    this.last = now
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perMs)
  }
}
