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

/**
 * What the queue needs of an entry: whether it still waits. The deadlines themselves live in the
 * queue (a Float64Array beside the ring): a deadline stored on each entry would be a boxed number
 * per entry, one more object per request that lives as long as the request.
 */
export interface Deadlined {
  /** True once answered, failed or closed: the entry no longer needs its deadline. */
  readonly settled: boolean
}

/** Below this many entries the queue is never compacted. */
const COMPACT_MIN = 64

/** A FIFO of entries that all wait `timeoutMs`, with one timer for the oldest. */
export class DeadlineQueue<T extends Deadlined> {
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #expire: (entry: T) => void
  /** A ring: #count entries from #head on (indices modulo the length, a power of two). */
  #items: (T | undefined)[] = new Array<T | undefined>(16)
  /** `clock.now()` at which the entry in the same slot of #items expires. */
  #deadlines = new Float64Array(16)
  #head = 0
  #count = 0
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
    return this.#count
  }

  /** True when no entry waits (answered ones are dropped first). */
  isIdle(): boolean {
    this.#dropSettledHead()
    return this.#count === 0
  }

  /** Starts `entry`'s deadline: `timeoutMs` from now. */
  push(entry: T): void {
    const deadline = this.#clock.now() + this.#timeoutMs
    this.#dropSettledHead()
    if (this.#count >= this.#compactAt) this.#compact()
    if (this.#count === this.#items.length) this.#grow()
    const slot = (this.#head + this.#count) & (this.#items.length - 1)
    this.#items[slot] = entry
    this.#deadlines[slot] = deadline
    this.#count++
    if (this.#timer === undefined && !this.#firing) this.#timer = this.#clock.setTimeout(this.#onTimer, this.#timeoutMs)
  }

  /** Stops the timer and forgets every entry (the connection closed; its owner fails them). */
  clear(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#items = new Array<T | undefined>(16)
    this.#deadlines = new Float64Array(16)
    this.#head = 0
    this.#count = 0
    this.#compactAt = COMPACT_MIN
  }

  /** Removes the oldest entry. */
  #shift(): T {
    const items = this.#items
    const entry = items[this.#head] as T
    items[this.#head] = undefined
    this.#head = (this.#head + 1) & (items.length - 1)
    this.#count--
    return entry
  }

  /** Drops answered entries at the head, so a queue whose requests are answered in order stays short. */
  #dropSettledHead(): void {
    while (this.#count > 0 && (this.#items[this.#head] as T).settled) this.#shift()
  }

  /** The entries in order, in a new ring of `capacity` (a power of two). */
  #rebuild(capacity: number, keep: (entry: T) => boolean): void {
    const old = this.#items
    const oldDeadlines = this.#deadlines
    const mask = old.length - 1
    const items = new Array<T | undefined>(capacity)
    const deadlines = new Float64Array(capacity)
    let n = 0
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#head + i) & mask
      const entry = old[slot] as T
      if (!keep(entry)) continue
      items[n] = entry
      deadlines[n++] = oldDeadlines[slot]!
    }
    this.#items = items
    this.#deadlines = deadlines
    this.#head = 0
    this.#count = n
  }

  #grow(): void {
    this.#rebuild(this.#items.length * 2, () => true)
  }

  /** Keeps only the unsettled entries; the next compaction waits until the queue doubles again. */
  #compact(): void {
    let live = 0
    const mask = this.#items.length - 1
    for (let i = 0; i < this.#count; i++) if (!(this.#items[(this.#head + i) & mask] as T).settled) live++
    let capacity = 16
    while (capacity < 2 * live + 1) capacity *= 2
    this.#rebuild(capacity, (entry) => !entry.settled)
    this.#compactAt = Math.max(COMPACT_MIN, 2 * live)
  }

  /** Expires what is due, then re-arms for the oldest entry still waiting (if any). */
  readonly #onTimer = (): void => {
    this.#timer = undefined
    const now = this.#clock.now()
    // `expire` may push (a retry) or clear (the connection closed): fields are re-read each
    // time, and push() leaves the timer to the end of this loop, which arms it for the head.
    this.#firing = true
    try {
      while (this.#count > 0) {
        const head = this.#items[this.#head] as T
        if (!head.settled && this.#deadlines[this.#head]! > now) break
        this.#shift()
        if (!head.settled) this.#expire(head)
      }
    } finally {
      this.#firing = false
    }
    this.#dropSettledHead()
    // A timer may fire a fraction of a millisecond before the clock reads its deadline: at least 1 ms.
    if (this.#count > 0) this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(1, Math.ceil(this.#deadlines[this.#head]! - now)))
  }
}
