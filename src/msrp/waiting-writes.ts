/**
 * Frames waiting for a congested transport to drain, first in, first out. When the transport
 * drains, the connection writes from the head until it is congested again, each frame once: the
 * work per drain is the frames it writes, not every frame that waits (a queue of n frames woken
 * all at once on each drain costs n² under a long backlog).
 *
 * @module
 */

/** One frame waiting to be written, with how its writer learns the outcome. */
export interface WaitingWrite<F> {
  readonly frame: F
  /** Bytes it counts against the connection's write bound. */
  readonly size: number
  /** Asked just before the write: true drops the frame unwritten (e.g. its transaction timed out). */
  readonly stale: (() => boolean) | undefined
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/** Compact the backing array once this many entries at its head were taken. */
const COMPACT_AFTER = 1024

/** A FIFO of {@link WaitingWrite}s with the total of their sizes. */
export class WaitingWrites<F> {
  #items: Array<WaitingWrite<F> | undefined> = []
  #head = 0
  #bytes = 0

  /** Frames waiting. */
  get length(): number {
    return this.#items.length - this.#head
  }

  /** Bytes of the frames waiting. */
  get bytes(): number {
    return this.#bytes
  }

  /** Adds a frame at the tail. */
  push(item: WaitingWrite<F>): void {
    this.#items.push(item)
    this.#bytes += item.size
  }

  /** Takes the frame at the head, or undefined when none waits. */
  shift(): WaitingWrite<F> | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head++
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    if (item !== undefined) this.#bytes -= item.size
    return item
  }

  /** Empties the queue, rejecting every waiting frame with `error`. */
  rejectAll(error: Error): void {
    const items = this.#items
    const head = this.#head
    this.#items = []
    this.#head = 0
    this.#bytes = 0
    for (let i = head; i < items.length; i++) items[i]?.reject(error)
  }
}
