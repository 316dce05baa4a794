/**
 * Logs what a peer can cause as often as it likes (unparseable datagrams, dropped messages)
 * once per kind and interval, then one summary line with how many more there were: an operator
 * sees that it happens and from where it started, and a flood cannot fill the disk.
 *
 * @module
 */

import { unrefClock, type Clock, type TimerHandle } from '../clock.ts'
import type { BasicLogger } from '../logger.ts'

/** Default interval of {@link ThrottledWarnings}: one line per kind per minute, plus a summary. */
export const LOG_THROTTLE_INTERVAL_MS = 60_000

interface KindState {
  suppressed: number
  timer: TimerHandle
}

/** Warnings rate-limited per kind. */
export class ThrottledWarnings {
  readonly #log: BasicLogger
  readonly #clock: Clock
  readonly #intervalMs: number
  readonly #kinds = new Map<string, KindState>()

  constructor(log: BasicLogger, options: { clock?: Clock; intervalMs?: number } = {}) {
    this.#log = log
    this.#clock = options.clock ?? unrefClock
    this.#intervalMs = options.intervalMs ?? LOG_THROTTLE_INTERVAL_MS
  }

  /**
   * Logs `line` at warn unless a line of the same `kind` was logged in this interval; then it is
   * counted, and the count is logged when the interval ends (`kind`: a fixed word, never peer text).
   */
  warn(kind: string, line: string): void {
    const state = this.#kinds.get(kind)
    if (state !== undefined) {
      state.suppressed++
      return
    }
    this.#log.warn(line)
    this.#open(kind)
  }

  /** Stops the timers (the summaries still due are logged now). */
  close(): void {
    for (const [kind, state] of this.#kinds) {
      this.#clock.clearTimeout(state.timer)
      this.#summarize(kind, state)
    }
    this.#kinds.clear()
  }

  #open(kind: string): void {
    const state: KindState = {
      suppressed: 0,
      timer: this.#clock.setTimeout(() => {
        this.#kinds.delete(kind)
        this.#summarize(kind, state)
        // A flood still going on keeps one summary per interval and no single lines.
        if (state.suppressed > 0) this.#open(kind)
      }, this.#intervalMs),
    }
    this.#kinds.set(kind, state)
  }

  #summarize(kind: string, state: KindState): void {
    if (state.suppressed > 0) this.#log.warn(`${state.suppressed} more ${kind} in the last ${Math.round(this.#intervalMs / 1000)} s (logged once per interval)`)
  }
}
