/**
 * `fileStorage()`: one JSON file per key in a directory, written atomically. Node only: it
 * loads `node:fs` when first used, so importing it costs nothing in a browser build.
 *
 * @module
 */
import { StorageError } from './storage.ts'
import type { StorageAdapter } from './storage.ts'

/** Options for {@link fileStorage}. */
export interface FileStorageOptions {
  /** The directory to keep the files in; created (with parents) on the first write. */
  dir: string
}

/** Longest encoded key kept readable; longer ones are named by their SHA-256 (file names stop at 255 bytes). */
const MAX_READABLE_NAME = 200

/**
 * The file name for a key: ASCII lower-case letters, digits and '-' as they are, every other
 * byte as `_` plus two hex digits. No '/', no '.', no upper case: a key can never name a path
 * outside the directory, and two keys never share a file, even on a case-insensitive file system.
 */
export async function fileNameForKey(key: string): Promise<string> {
  let name = ''
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte)
    name += /[a-z0-9-]/.test(c) ? c : `_${byte.toString(16).padStart(2, '0')}`
  }
  if (name.length <= MAX_READABLE_NAME) return `${name}.json`
  const { createHash } = await import('node:crypto')
  return `~${createHash('sha256').update(key).digest('hex')}.json`
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT'
}

/**
 * Keeps each key's value as a JSON file in `dir`. A write goes to a temporary file that is
 * flushed to disk and then renamed over the old one, so a crash mid-write leaves the old value
 * or the new one, never a torn file (rename replaces atomically on POSIX file systems). Left-over
 * temporary files (`*.tmp`) from a crash are ignored.
 *
 * @example
 * ```ts
 * bot.use(session({ initial: () => ({ count: 0 }), storage: fileStorage({ dir: 'data/sessions' }) }))
 * ```
 */
export function fileStorage<T = unknown>(options: FileStorageOptions): StorageAdapter<T> {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw new TypeError("fileStorage({ dir }) needs the directory to keep sessions in, e.g. fileStorage({ dir: 'data/sessions' })")
  }
  const dir = options.dir
  let made: Promise<void> | undefined
  const fs = () => import('node:fs/promises')
  const pathOf = async (key: string) => `${dir.replace(/[\\/]+$/, '')}/${await fileNameForKey(key)}`

  return {
    async read(key) {
      const path = await pathOf(key)
      let text: string
      try {
        text = await (await fs()).readFile(path, 'utf8')
      } catch (error) {
        if (isMissing(error)) return undefined
        throw new StorageError(`fileStorage: cannot read ${path}: ${String(error)}`, { cause: error })
      }
      try {
        return JSON.parse(text) as T
      } catch (error) {
        throw new StorageError(`fileStorage: ${path} is not valid JSON; fix or delete the file`, { cause: error })
      }
    },
    async write(key, value) {
      const text = JSON.stringify(value)
      if (text === undefined) throw new StorageError(`fileStorage: the value for "${key}" is not JSON`)
      const { mkdir, open, rename, rm } = await fs()
      const path = await pathOf(key)
      const temp = `${path}.${Math.random().toString(36).slice(2)}.tmp`
      try {
        made ??= mkdir(dir, { recursive: true }).then(() => undefined)
        await made
        const file = await open(temp, 'wx')
        try {
          await file.writeFile(text, 'utf8')
          await file.sync() // the bytes are on disk before the rename makes them the value
        } finally {
          await file.close()
        }
        await rename(temp, path)
      } catch (error) {
        made = undefined // the directory may have been removed under us; make it again next time
        await rm(temp, { force: true }).catch(() => undefined)
        throw new StorageError(`fileStorage: cannot write ${path}: ${String(error)}`, { cause: error })
      }
    },
    async delete(key) {
      const path = await pathOf(key)
      try {
        await (await fs()).rm(path, { force: true })
      } catch (error) {
        throw new StorageError(`fileStorage: cannot delete ${path}: ${String(error)}`, { cause: error })
      }
    },
  }
}
