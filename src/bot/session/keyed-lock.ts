/**
 * Runs tasks one at a time per key, in the order they arrived: the sequentializer behind
 * sessions and conversations (two messages from one person never interleave their
 * read-modify-write of that person's state). Tasks for different keys run concurrently.
 *
 * @module
 */

/**
 * A lock per key. Holds an entry only while a key has a task running or waiting, so the map is
 * bounded by the number of updates in flight.
 *
 * @example
 * ```ts
 * const lock = new KeyedLock()
 * await lock.run('sip:lobby@x sip:alice@x', async () => save(await load() + 1))
 * ```
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>()

  /** How many keys have a task running or waiting. */
  get size(): number {
    return this.tails.size
  }

  /** Runs `task` once every earlier task for `key` has finished (fulfilled or rejected). */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    const tail = before.then(() => mine)
    this.tails.set(key, tail)
    await before
    try {
      return await task()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
