/**
 * The RFC 3261 §17 timer settings. The clock the timers run on is the shared one in
 * src/clock.ts: the SIP stack defaults to its unref'd `unrefClock` (which src/sip/index.ts
 * publishes as `realClock`).
 */

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
