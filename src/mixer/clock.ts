/**
 * Time for the mixer's rules (expiry, rate limits), behind an interface so tests move it by hand.
 *
 * The mixer core never starts timers itself: it reads the clock when asked to decide something,
 * and exposes `nextExpiry()`-style methods so the wiring can schedule one timer of its own.
 *
 * @module
 */

/** What the mixer needs from a clock: milliseconds, only differences matter. */
export interface MixerClock {
  /** Milliseconds since an arbitrary origin; must never go backwards. */
  now(): number
}

/** The real clock (`performance.now()`, monotonic). */
export const monotonicClock: MixerClock = { now: () => performance.now() }

/**
 * A clock that only moves when told to, for tests.
 *
 * @example
 * ```ts
 * const clock = new FakeClock()
 * const registrar = new Registrar({ clock })
 * clock.advance(3600_000) // bindings registered for 3600 s are now expired
 * ```
 */
export class FakeClock implements MixerClock {
  private time: number

  /** Starts at `start` ms (default 0). */
  constructor(start = 0) {
    this.time = start
  }

  /** Current time in ms. */
  now(): number {
    return this.time
  }

  /** Moves time forward by `ms` (negative values are refused: clocks never go back). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance needs a non-negative number of ms, got ${ms}`)
    this.time += ms
  }
}
