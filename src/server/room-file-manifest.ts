/**
 * The manifest of a room's folder: `manifest.json`, the list of the files the room stores
 * (number, name, type, size, SHA-1, sender, date, and the file's name inside the folder), so that
 * a room whose files are kept lists them again after a restart. Written atomically (a temp file,
 * flushed, then renamed over the old one), so a crash leaves the old list or the new one, never
 * half of one. Read back with every entry checked: the schema (zod), a file name that stays
 * inside the folder (no separators, no `..`), a regular file on disk (not a link) whose size is
 * the one listed.
 *
 * @module
 */
import { lstat, open, readFile, rename } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { z } from 'zod'

/** The manifest's file name inside a room's folder. */
export const MANIFEST_NAME = 'manifest.json'
/** The temp file a new manifest is written to before it is renamed over the old one. */
export const MANIFEST_TEMP_NAME = '.manifest.json.tmp'
/** Longest file name a room stores (longer: refused at upload), so every stored file can be listed. */
export const MAX_FILE_NAME_CHARS = 1000
/** Longest media type a room stores (longer: refused at upload). */
export const MAX_FILE_TYPE_CHARS = 255
/** Room for one entry, escapes and all; a manifest over this many bytes per file allowed is not read. */
const MAX_ENTRY_BYTES = 64 * 1024

/** One file as the manifest lists it. */
export interface ManifestEntry {
  /** 1, 2, 3 … per room, in order of upload. */
  readonly number: number
  /** The name the sender gave (for display). */
  readonly name: string
  readonly type: string
  readonly size: number
  /** SHA-1, hex: what a pull names (RFC 5547 §8.3). */
  readonly sha1: string
  /** Who sent it. */
  readonly from: string
  readonly storedAt: Date
  /** Its name inside the room's folder (`<number>-<sanitised name>`). */
  readonly file: string
}

/** What was read from a room's folder: the room, the entries that hold, and why the others were dropped. */
export interface ManifestContents {
  readonly room: string
  readonly entries: readonly ManifestEntry[]
  /** One line per entry dropped, for the log. */
  readonly dropped: readonly string[]
}

const entrySchema = z.object({
  number: z.number().int().positive(),
  name: z.string().max(MAX_FILE_NAME_CHARS),
  type: z.string().max(MAX_FILE_TYPE_CHARS),
  size: z.number().int().nonnegative(),
  sha1: z.string().regex(/^[0-9a-fA-F]{40}$/).transform((h) => h.toLowerCase()),
  from: z.string().min(1).max(8192),
  storedAt: z.iso.datetime(),
  // A plain name: no separators, nothing that resolves outside the folder.
  file: z.string().min(1).max(200).regex(/^[0-9]+-[A-Za-z0-9._ -]+$/),
})

const manifestSchema = z.object({
  version: z.literal(1),
  room: z.string().max(2048).regex(/^sips?:[^\s\x00-\x1f\x7f]+$/),
  files: z.array(z.unknown()).max(100_000),
})

/** A manifest that cannot be read at all (not JSON, wrong shape, too large). */
export class ManifestUnreadableError extends Error {
  override readonly name = 'ManifestUnreadableError'
}

/**
 * Writes the manifest of `dir` for `room` listing `entries`, atomically.
 *
 * @throws the file system's error (disk full, folder gone): the caller decides what the file
 *   that was to be listed becomes.
 */
export async function writeManifest(dir: string, room: string, entries: readonly ManifestEntry[]): Promise<void> {
  const body = JSON.stringify({
    version: 1,
    room,
    files: entries.map((e) => ({ number: e.number, name: e.name, type: e.type, size: e.size, sha1: e.sha1, from: e.from, storedAt: e.storedAt.toISOString(), file: e.file })),
  })
  const temp = join(dir, MANIFEST_TEMP_NAME)
  const handle = await open(temp, 'w', 0o600)
  try {
    await handle.writeFile(body, 'utf8')
    await handle.datasync() // the bytes are on disk before the rename makes them the manifest
  } finally {
    await handle.close()
  }
  await rename(temp, join(dir, MANIFEST_NAME))
}

/**
 * Reads the manifest of `dir`, or undefined when there is none. Entries that fail a check are
 * left out and named in `dropped`; the entries kept are unique by number, file and SHA-1.
 * `maxFiles` (the room's file limit) bounds the bytes read: 64 KiB per file.
 *
 * @throws ManifestUnreadableError when the manifest is too large, or not JSON of the expected shape.
 */
export async function readManifest(dir: string, maxFiles: number): Promise<ManifestContents | undefined> {
  const maxBytes = (maxFiles + 1) * MAX_ENTRY_BYTES
  const path = join(dir, MANIFEST_NAME)
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (info === undefined) return undefined
  if (!info.isFile()) throw new ManifestUnreadableError(`${MANIFEST_NAME} is not a regular file`)
  if (info.size > maxBytes) throw new ManifestUnreadableError(`${MANIFEST_NAME} has ${info.size} bytes, more than the ${maxBytes} a manifest of at most ${maxFiles} files may have`)
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new ManifestUnreadableError(`${MANIFEST_NAME} is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const parsed = manifestSchema.safeParse(json)
  if (!parsed.success) throw new ManifestUnreadableError(`${MANIFEST_NAME} does not have the expected shape: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ')}`)
  const entries: ManifestEntry[] = []
  const dropped: string[] = []
  const seen = { numbers: new Set<number>(), files: new Set<string>(), sha1s: new Set<string>() }
  for (const [index, raw] of parsed.data.files.entries()) {
    const entry = entrySchema.safeParse(raw)
    if (!entry.success) {
      dropped.push(`entry ${index}: ${z.prettifyError(entry.error).replace(/\s+/g, ' ')}`)
      continue
    }
    const e = entry.data
    const why = await entryProblem(dir, e.file, e.size)
    if (why !== undefined) {
      dropped.push(`entry ${index} (${e.file}): ${why}`)
      continue
    }
    if (seen.numbers.has(e.number) || seen.files.has(e.file) || seen.sha1s.has(e.sha1)) {
      dropped.push(`entry ${index} (${e.file}): repeats the number, file or SHA-1 of an earlier entry`)
      continue
    }
    seen.numbers.add(e.number)
    seen.files.add(e.file)
    seen.sha1s.add(e.sha1)
    entries.push({ ...e, storedAt: new Date(e.storedAt) })
  }
  return { room: parsed.data.room, entries, dropped }
}

/** Why a listed file cannot be listed again, or undefined when it can. */
async function entryProblem(dir: string, file: string, size: number): Promise<string | undefined> {
  const path = resolve(dir, file)
  if (!path.startsWith(dir + sep) || file === MANIFEST_NAME || file.includes('..')) return 'the file name does not name a file inside the room folder'
  const info = await lstat(path).catch(() => undefined)
  if (info === undefined) return 'the file is missing'
  if (!info.isFile()) return 'not a regular file'
  if (info.size !== size) return `the file has ${info.size} bytes, the manifest says ${size}`
  return undefined
}
