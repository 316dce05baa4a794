/**
 * Time, behind one interface that every layer injects, so tests run retransmissions, timeouts,
 * expiries, retries and rate limits on a {@link FakeClock} instead of sleeping.
 *
 * - {@link systemClock}: Node timers and `performance.now()`; timers keep the process alive.
 * - {@link unrefClock}: the same with unref'd timers, for work that must never hold the process
 *   open on its own (the SIP stack's retransmissions and refreshes).
 * - {@link FakeClock}: moves only when told to; one instance can drive every layer at once.
 * - {@link wallClock}: `Date.now()`, only as the default of the server's pure modules.
 *
 * A {@link Clock}'s `now()` is monotonic milliseconds from an arbitrary origin (not `Date.now()`):
 * only differences matter, and wall-clock jumps must not expire bindings or fire timers early.
 *
 * @module
 */

/** An opaque timer handle, given back to {@link Clock.clearTimeout}. */
export type TimerHandle = unknown

/** What every layer needs from a clock. */
export interface Clock {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void
  /** Milliseconds since an arbitrary origin; never goes backwards, only differences matter. */
  now(): number
}

/**
 * The read-only part of a {@link Clock}, for code that only decides by time and never starts
 * timers itself (the server's registrar, rooms and rate limits). Any `Clock` is one.
 */
export type TimeSource = Pick<Clock, 'now'>

/**
 * The real clock: Node timers and `performance.now()`. Pending timers keep the process alive,
 * which is what the bot and chat layers want (a bot waiting to reconnect or to retry a send must
 * not exit for lack of sockets), and what MSRP transaction timeouts had.
 */
export const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
}

/**
 * The real clock with unref'd timers: a pending timer never keeps the process alive on its own.
 * The SIP stack's default (a pending retransmission or registration refresh must not stop a
 * program that closed everything else from exiting).
 */
export const unrefClock: Clock = {
  setTimeout(callback, ms) {
    const handle: unknown = setTimeout(callback, ms)
    // Node's timers have unref(); a browser's are numbers and never hold anything open.
    ;(handle as { unref?: () => void }).unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
}

/**
 * Wall-clock milliseconds (`Date.now()`): what the server's pure modules read when constructed
 * without a clock, so their stamps (`createdAt`, `joinedAt`) are epoch times. The chat server
 * always passes its own clock instead; never use this one for timeouts (it can jump).
 */
export const wallClock: TimeSource = { now: () => Date.now() }

/**
 * Runs `callback` on the next turn of the event loop, after pending I/O and promise callbacks:
 * `setImmediate` on Node, a zero-delay timer where there is none (a browser).
 */
export function nextTurn(callback: () => void): void {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate
  if (immediate !== undefined) immediate(callback)
  else setTimeout(callback, 0)
}

/** Lets pending promise callbacks run (a macrotask turn drains the microtask queue). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => nextTurn(resolve))
}

interface FakeTimer {
  readonly id: number
  readonly due: number
  readonly callback: () => void
}

/**
 * A clock that moves only when told to, for tests. Timers fire in time order (ties in the order
 * they were set), including timers that callbacks set within the window, so a test can assert an
 * exact schedule.
 *
 * - {@link FakeClock.advance} is synchronous: right for protocol code whose timers act at once
 *   (SIP retransmissions, MSRP timeouts, server expiries).
 * - {@link FakeClock.advanceAsync} also lets promise callbacks run after each timer, so timers
 *   that async code sets within the window fire too: right for the bot layer's retries and pacing.
 *
 * @example
 * ```ts
 * const clock = new FakeClock()
 * const tx = new NonInviteClientTransaction(..., { clock })
 * clock.advance(500) // Timer E fired once
 *
 * const bot = createBot(config, { backend, clock })
 * await clock.advanceAsync(2000) // the retry went out
 * ```
 */
export class FakeClock implements Clock {
  #now: number
  #nextId = 1
  #timers: FakeTimer[] = []

  /** Starts at `start` ms (default 0). */
  constructor(start = 0) {
    this.#now = start
  }

  /** Current time in ms. */
  now(): number {
    return this.#now
  }

  /** Schedules `callback` at `now() + ms` (negative delays count as 0). */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), callback }
    this.#timers.push(timer)
    return timer.id
  }

  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle)
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.length
  }

  /**
   * Moves time forward by `ms`, firing due timers in order.
   *
   * @throws RangeError for a negative or non-numeric `ms` (clocks never go back).
   */
  advance(ms: number): void {
    const end = this.#end(ms)
    for (let next = this.#nextDue(end); next; next = this.#nextDue(end)) this.#fire(next)
    this.#now = end
  }

  /**
   * Like {@link FakeClock.advance}, but lets promise callbacks run before the first timer, after
   * each one and at the end, so timers that they set within the window fire too.
   *
   * @throws RangeError for a negative or non-numeric `ms`.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.#end(ms)
    await flushMicrotasks()
    for (let next = this.#nextDue(end); next; next = this.#nextDue(end)) {
      this.#fire(next)
      await flushMicrotasks()
    }
    this.#now = end
    await flushMicrotasks()
  }

  /**
   * Advances to the next due timer and fires it (and any due at the same instant).
   *
   * @returns the new time, or undefined when no timer is pending.
   */
  runNext(): number | undefined {
    let due: number | undefined
    for (const t of this.#timers) if (due === undefined || t.due < due) due = t.due
    if (due === undefined) return undefined
    this.advance(due - this.#now)
    return this.#now
  }

  #end(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance needs a non-negative number of ms, got ${ms}`)
    return this.#now + ms
  }

  #nextDue(end: number): FakeTimer | undefined {
    let next: FakeTimer | undefined
    for (const t of this.#timers) if (t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t
    return next
  }

  #fire(timer: FakeTimer): void {
    this.#timers = this.#timers.filter((t) => t !== timer)
    this.#now = timer.due
    timer.callback()
  }
}
