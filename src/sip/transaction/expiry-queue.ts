import type { Clock, TimerHandle } from '../../clock.ts'

/** What an {@link ExpiryQueue} ends when its time comes. */
export interface Expirable {
  terminate(): void
}

/**
 * Ends items a fixed delay after they were added, with one clock timer for the whole queue.
 * Every UDP non-INVITE server transaction waits the same Timer J (64·T1, RFC 3261 §17.2.2),
 * so adding order is expiry order: a FIFO replaces one timer (and its closures) per
 * transaction, which at 15 k MESSAGE/s is ~480 000 timers.
 */
export class ExpiryQueue {
  readonly #clock: Clock
  readonly #delayMs: number
  #due: number[] = []
  #items: Array<Expirable | undefined> = []
  #head = 0
  #timer: TimerHandle | undefined

  constructor(clock: Clock, delayMs: number) {
    this.#clock = clock
    this.#delayMs = delayMs
  }

  /** Items not yet expired (terminated ones included until their time). */
  get size(): number {
    return this.#due.length - this.#head
  }

  /** Calls `item.terminate()` once the delay has passed. */
  add(item: Expirable): void {
    this.#due.push(this.#clock.now() + this.#delayMs)
    this.#items.push(item)
    if (this.#timer === undefined) this.#arm(this.#delayMs)
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#fire(), ms)
  }

  #fire(): void {
    this.#timer = undefined
    const now = this.#clock.now()
    while (this.#head < this.#due.length && this.#due[this.#head]! <= now) {
      const item = this.#items[this.#head]
      this.#items[this.#head] = undefined
      this.#head++
      item?.terminate()
    }
    if (this.#head === this.#due.length) {
      this.#due = []
      this.#items = []
      this.#head = 0
      return
    }
    if (this.#head >= 1024 && this.#head * 2 >= this.#due.length) {
      this.#due = this.#due.slice(this.#head)
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    // A real timer may fire a fraction of a millisecond early: wait at least 1 ms more.
    this.#arm(Math.max(1, Math.ceil(this.#due[this.#head]! - now)))
  }
}

const queues = new WeakMap<Clock, Map<number, ExpiryQueue>>()

/** The queue shared by every transaction on `clock` with this delay. */
export function expiryQueueFor(clock: Clock, delayMs: number): ExpiryQueue {
  let byDelay = queues.get(clock)
  if (byDelay === undefined) {
    byDelay = new Map()
    queues.set(clock, byDelay)
  }
  let queue = byDelay.get(delayMs)
  if (queue === undefined) {
    queue = new ExpiryQueue(clock, delayMs)
    byDelay.set(delayMs, queue)
  }
  return queue
}
