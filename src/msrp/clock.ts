/**
 * Injectable time for MSRP transaction and REPORT timeouts, so tests run them on a fake clock.
 * The shape matches the SIP layer's `Clock`, so one fake clock can drive both.
 */

/** What MSRP needs from a clock. */
export interface MsrpClock {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: unknown): void
  /** Milliseconds on this clock's time line. */
  now(): number
}

/** The real clock. */
export const systemClock: MsrpClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
}
