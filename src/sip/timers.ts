/**
 * Injectable time for the SIP protocol layers (RFC 3261 §17 timers), so tests run the
 * retransmission schedules on a {@link FakeClock} in microseconds.
 */

/** An opaque timer handle. */
export type TimerHandle = unknown

/** The clock every transaction, dialog and UA core timer goes through. */
export interface Clock {
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void
  /** Milliseconds on this clock's time line. */
  now(): number
}

/** The real clock. Timers are unref'd: a pending retransmission never keeps the process alive. */
export const realClock: Clock = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms)
    handle.unref()
    return handle
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout)
  },
  now() {
    return performance.now()
  },
}

/** The RFC 3261 §17.1.1.1 base timer values, in milliseconds. */
export interface SipTimerSettings {
  /** RTT estimate (default 500 ms). */
  readonly t1: number
  /** Longest retransmit interval for non-INVITE requests and INVITE responses (default 4 s). */
  readonly t2: number
  /** Longest time a message stays in the network (default 5 s). */
  readonly t4: number
}

/** Default T1, T2, T4 (RFC 3261 Table 4). */
export const DEFAULT_SIP_TIMERS: SipTimerSettings = { t1: 500, t2: 4000, t4: 5000 }

/** Fills defaults for any timer not given. */
export function sipTimers(partial: Partial<SipTimerSettings> = {}): SipTimerSettings {
  return { ...DEFAULT_SIP_TIMERS, ...partial }
}

interface FakeTimer {
  readonly id: number
  readonly due: number
  readonly callback: () => void
}

/**
 * A clock that moves only when told. `advance(ms)` fires every timer due within the window in
 * time order (timers scheduled by callbacks included), so a test can assert an exact schedule.
 *
 * @example
 * const clock = new FakeClock()
 * const tx = new NonInviteClientTransaction(..., { clock })
 * clock.advance(500) // Timer E fired once
 */
export class FakeClock implements Clock {
  #now = 0
  #nextId = 1
  #timers: FakeTimer[] = []

  /** Current time in ms since the clock was created. */
  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), callback }
    this.#timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle)
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.length
  }

  /** Moves time forward by `ms`, firing due timers in order (ties in creation order). */
  advance(ms: number): void {
    const end = this.#now + ms
    for (;;) {
      let next: FakeTimer | undefined
      for (const t of this.#timers) if (t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t
      if (!next) break
      const fired = next
      this.#timers = this.#timers.filter((t) => t !== fired)
      this.#now = fired.due
      fired.callback()
    }
    this.#now = end
  }

  /** Advances to the next due timer and fires it (and any due at the same instant); returns the new time, or undefined if none. */
  runNext(): number | undefined {
    let due: number | undefined
    for (const t of this.#timers) if (due === undefined || t.due < due) due = t.due
    if (due === undefined) return undefined
    this.advance(due - this.#now)
    return this.#now
  }
}
