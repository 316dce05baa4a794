/**
 * Response deadlines of one connection's transactions (RFC 4975 §7.1: no response in time counts
 * as 408) without a timer per transaction. Requests with the same timeout time out in the order
 * they were written, so one FIFO per timeout and one clock timer for its head suffice: a
 * fan-out writing thousands of copies a second arms a timer about once per timeout instead of
 * once per copy (and clears none).
 *
 * Entries answered in time are not searched for and removed: they are marked settled and
 * dropped when they reach the head, or by a compaction when answered entries pile up behind an
 * unanswered one, so the queue never holds more than about twice the waiting entries. The timer
 * stays armed when the queue empties and fires once at the old head's deadline, to find nothing
 * to do; {@link DeadlineQueue.clear} stops it when the connection closes.
 *
 * @module
 */
import type { Clock, TimerHandle } from '../clock.ts'

/** What the queue needs of an entry: whether it still waits, and where to keep its deadline. */
export interface Deadlined {
  /** True once answered, failed or closed: the entry no longer needs its deadline. */
  readonly settled: boolean
  /** `clock.now()` at which the entry expires; set by {@link DeadlineQueue.push}. */
  deadline: number
}

/** Below this many entries the queue is never compacted. */
const COMPACT_MIN = 64

/** A FIFO of entries that all wait `timeoutMs`, with one timer for the oldest. */
export class DeadlineQueue<T extends Deadlined> {
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #expire: (entry: T) => void
  /** Entries from #head on are queued; those before it are gone (undefined). */
  #items: (T | undefined)[] = []
  #head = 0
  #timer: TimerHandle | undefined
  /** Inside #onTimer: push() must not arm a timer of its own. */
  #firing = false
  /** Compact when the queue reaches this size (doubles with the live entries, see #compact). */
  #compactAt = COMPACT_MIN

  /** `expire` is called with each unsettled entry whose deadline passed, oldest first. */
  constructor(clock: Clock, timeoutMs: number, expire: (entry: T) => void) {
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    this.#expire = expire
  }

  /** The timeout every entry of this queue waits. */
  get timeoutMs(): number {
    return this.#timeoutMs
  }

  /** Entries queued, settled ones not yet dropped included. */
  get size(): number {
    return this.#items.length - this.#head
  }

  /** Starts `entry`'s deadline: `timeoutMs` from now. */
  push(entry: T): void {
    entry.deadline = this.#clock.now() + this.#timeoutMs
    this.#dropSettledHead()
    if (this.#items.length - this.#head >= this.#compactAt) this.#compact()
    this.#items.push(entry)
    if (this.#timer === undefined && !this.#firing) this.#timer = this.#clock.setTimeout(this.#onTimer, this.#timeoutMs)
  }

  /** Stops the timer and forgets every entry (the connection closed; its owner fails them). */
  clear(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#items = []
    this.#head = 0
    this.#compactAt = COMPACT_MIN
  }

  /** Drops answered entries at the head, so a queue whose requests are answered in order stays short. */
  #dropSettledHead(): void {
    const items = this.#items
    let head = this.#head
    while (head < items.length && (items[head] as T).settled) items[head++] = undefined
    if (head === items.length) {
      items.length = 0
      head = 0
    } else if (head > 1024 && head * 2 > items.length) {
      this.#items = items.slice(head)
      head = 0
    }
    this.#head = head
  }

  /** Keeps only the unsettled entries; the next compaction waits until the queue doubles again. */
  #compact(): void {
    const kept: T[] = []
    const items = this.#items
    for (let i = this.#head; i < items.length; i++) {
      const entry = items[i] as T
      if (!entry.settled) kept.push(entry)
    }
    this.#items = kept
    this.#head = 0
    this.#compactAt = Math.max(COMPACT_MIN, 2 * kept.length)
  }

  /** Expires what is due, then re-arms for the oldest entry still waiting (if any). */
  readonly #onTimer = (): void => {
    this.#timer = undefined
    const now = this.#clock.now()
    // `expire` may push (a retry) or clear (the connection closed): fields are re-read each
    // time, and push() leaves the timer to the end of this loop, which arms it for the head.
    this.#firing = true
    try {
      while (this.#head < this.#items.length) {
        const entry = this.#items[this.#head] as T
        if (!entry.settled && entry.deadline > now) break
        this.#items[this.#head++] = undefined
        if (!entry.settled) this.#expire(entry)
      }
    } finally {
      this.#firing = false
    }
    this.#dropSettledHead()
    const head = this.#items[this.#head]
    // A timer may fire a fraction of a millisecond before the clock reads its deadline: at least 1 ms.
    if (head !== undefined) this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(1, Math.ceil(head.deadline - now)))
  }
}
