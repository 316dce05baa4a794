/**
 * Time, behind an interface so that retries and rate limits can be tested without sleeping.
 *
 * @module
 */

/** What the bot layer needs from a clock. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number
  /** Runs `fn` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown
  /** Cancels a pending `setTimeout`. Unknown handles are ignored. */
  clearTimeout(handle: unknown): void
}

/** The real clock (Node timers and `performance.now()`). */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

interface Timer {
  id: number
  at: number
  fn: () => void
}

/**
 * A clock that only moves when told to, for tests.
 *
 * @example
 * ```ts
 * const clock = new ManualClock()
 * clock.setTimeout(() => console.log('fired'), 1000)
 * await clock.advance(1000) // prints "fired"
 * ```
 */
export class ManualClock implements Clock {
  private time = 0
  private nextId = 1
  private timers: Timer[] = []

  /** Current time in ms since construction. */
  now(): number {
    return this.time
  }

  /** Schedules `fn` at `now() + ms`. */
  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), fn }
    this.timers.push(timer)
    return timer.id
  }

  /** Cancels a timer. */
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.timers.length
  }

  /**
   * Moves time forward by `ms`, firing due timers in order, and lets promise callbacks that the
   * timers trigger run before returning (so timers they schedule within the window fire too).
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms
    await flushMicrotasks()
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (due === undefined) break
      this.timers = this.timers.filter((t) => t !== due)
      this.time = due.at
      due.fn()
      await flushMicrotasks()
    }
    this.time = target
    await flushMicrotasks()
  }
}

/** Lets pending promise callbacks run (a macrotask turn drains the microtask queue). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
