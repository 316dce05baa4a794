/**
 * A backend's work in flight: how much is pending (so a test's `settled()` can wait for none)
 * and a counter of everything that happened (so an observer can tell "quiet" from "between
 * steps").
 *
 * @module
 */

/** Counts pending work and activity, and wakes whoever waits for the count to reach zero. */
export class InFlight {
  #busy = 0
  #activity = 0
  #idleWaiters: Array<() => void> = []

  /** Work pending now. */
  get busy(): number {
    return this.#busy
  }

  /** Everything that happened so far (only ever grows). */
  get activity(): number {
    return this.#activity
  }

  /** Counts one more thing that happened. */
  touch(): void {
    this.#activity++
  }

  /** Counts `work` as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#busy++
    this.#activity++
    return work.finally(() => {
      this.#busy--
      this.#activity++
      this.checkIdle()
    })
  }

  /** Counts work that is not a promise (ended by {@link end}). */
  begin(): void {
    this.#busy++
  }

  /** Ends what {@link begin} started. */
  end(): void {
    this.#busy--
    this.checkIdle()
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Wakes the waiters of {@link idle} when nothing is in flight. */
  checkIdle(): void {
    if (this.#busy !== 0) return
    for (const wake of this.#idleWaiters.splice(0)) wake()
  }
}
