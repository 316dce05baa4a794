/**
 * Where sessions and conversations keep their state: the {@link StorageAdapter} interface and
 * the in-memory adapter. File and Redis adapters live in their own files (they need Node).
 *
 * @module
 */
import { MsrpBotError } from '../../errors.ts'

/**
 * A key-value store for JSON values, the one thing `session()` and `conversations()` need.
 * Write your own adapter for any database by implementing these three methods:
 *
 * - `read(key)` resolves to the value last written for `key`, or `undefined` when there is none;
 * - `write(key, value)` replaces the value (values are plain JSON: objects, arrays, strings,
 *   numbers, booleans, null), and resolves once it is stored;
 * - `delete(key)` removes it (no error when there is none).
 *
 * Keys are strings of any characters; an adapter that cannot store some characters encodes them.
 * The bot never calls two methods for the same key at the same time (see `session()`), so an
 * adapter needs no locking of its own. Errors should reject with a message that names the store.
 *
 * @example
 * ```ts
 * const mapStorage = (map = new Map<string, string>()): StorageAdapter<unknown> => ({
 *   read: async (key) => (map.has(key) ? JSON.parse(map.get(key)!) : undefined),
 *   write: async (key, value) => void map.set(key, JSON.stringify(value)),
 *   delete: async (key) => void map.delete(key),
 * })
 * ```
 */
export interface StorageAdapter<T = unknown> {
  /** The value stored under `key`, or `undefined`. */
  read(key: string): Promise<T | undefined>
  /** Stores `value` under `key`, replacing what was there. */
  write(key: string, value: T): Promise<void>
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>
}

/** A storage adapter failed (unreadable data, a store that is down). */
export class StorageError extends MsrpBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BOT_STORAGE_FAILED', message, options)
  }
}

/** Options for {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * The most keys held at once (default 100,000). Writing a new key beyond it drops the key
   * written longest ago, so a flood of new people cannot grow memory without bound.
   */
  maxKeys?: number | undefined
}

/**
 * Keeps values in this process's memory: fast, and gone when the bot stops. The default of
 * `session()`; use `fileStorage()` or `redisStorage()` for state that survives a restart.
 * Values are copied on read and write (as JSON), so a handler changing `ctx.session` after the
 * update is done cannot change what is stored.
 *
 * @example
 * ```ts
 * bot.use(session({ initial: () => ({ count: 0 }), storage: memoryStorage() }))
 * ```
 */
export function memoryStorage<T = unknown>(options: MemoryStorageOptions = {}): StorageAdapter<T> {
  const maxKeys = options.maxKeys ?? 100_000
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`memoryStorage({ maxKeys }) must be a positive integer, got ${maxKeys}`)
  }
  const values = new Map<string, string>()
  return {
    async read(key) {
      const json = values.get(key)
      return json === undefined ? undefined : (JSON.parse(json) as T)
    },
    async write(key, value) {
      const json = JSON.stringify(value)
      if (json === undefined) throw new StorageError(`memoryStorage: the value for "${key}" is not JSON`)
      values.delete(key) // re-inserting moves the key to the end: the oldest write is first
      values.set(key, json)
      if (values.size > maxKeys) values.delete(values.keys().next().value as string)
    },
    async delete(key) {
      values.delete(key)
    },
  }
}
