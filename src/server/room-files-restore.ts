/**
 * What the file store finds on disk when the server starts. Every room folder (a 32-digit hex
 * name under the storage folder; nothing else there is touched) is one of:
 *
 * - a room that keeps its files (`retentionOf(room)` is `keep`): its manifest is read back
 *   (room-file-manifest.ts); entries that fail a check are dropped, entries past the room's
 *   quota (bytes or count) too, and every file in the folder that no kept entry names (a dropped
 *   entry's file, a `.part` left by a crash, anything put there by hand) is removed;
 * - a room whose files go with it: the folder is removed (what a crash left behind);
 * - a folder without a manifest (no file was ever committed there): removed;
 * - a folder whose manifest cannot be read, or names another room: renamed to
 *   `<name>.unreadable-<time>` and left for the operator, never listed.
 *
 * Each of these is logged (info for what is listed again, warn for what is dropped).
 *
 * @module
 */
import { readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { FileRetention } from './core/room-store.ts'
import type { BasicLogger } from '../logger.ts'
import { MANIFEST_NAME, ManifestUnreadableError, readManifest, writeManifest, type ManifestEntry } from './room-file-manifest.ts'

/** What {@link restoreRoomFolders} needs. */
export interface RestoreOptions {
  /** The storage folder (absolute). */
  readonly root: string
  /** The folder name of a room. */
  readonly folderOf: (room: string) => string
  readonly retentionOf: (room: string) => FileRetention
  readonly maxRoomBytes: number
  readonly maxRoomFiles: number
  readonly log: BasicLogger
}

/** A room whose files are listed again. */
export interface RestoredRoom {
  readonly room: string
  readonly entries: readonly ManifestEntry[]
}

const FOLDER_NAME = /^[0-9a-f]{32}$/

/** Reads back the kept rooms' files and clears the rest (see the module comment). */
export async function restoreRoomFolders(options: RestoreOptions): Promise<RestoredRoom[]> {
  const { root } = options
  const names = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  const restored: RestoredRoom[] = []
  for (const entry of names) {
    if (!entry.isDirectory() || !FOLDER_NAME.test(entry.name)) continue
    const dir = join(root, entry.name)
    const room = await restoreFolder(dir, entry.name, options)
    if (room !== undefined) restored.push(room)
  }
  return restored
}

async function restoreFolder(dir: string, name: string, options: RestoreOptions): Promise<RestoredRoom | undefined> {
  // What a manifest says reaches the log: one line per event, whatever it holds (a JSON error
  // quotes the bytes it choked on).
  const line = (text: string): string => text.replace(/[\x00-\x1f\x7f]/g, '?')
  const log = { info: (text: string) => options.log.info(line(text)), warn: (text: string) => options.log.warn(line(text)) }
  let contents: Awaited<ReturnType<typeof readManifest>>
  try {
    contents = await readManifest(dir, options.maxRoomFiles)
    if (contents !== undefined && options.folderOf(contents.room) !== name) {
      throw new ManifestUnreadableError(`${MANIFEST_NAME} names ${contents.room}, whose folder is ${options.folderOf(contents.room)}`)
    }
  } catch (error) {
    if (!(error instanceof ManifestUnreadableError)) throw error
    const aside = `${dir}.unreadable-${Date.now()}`
    await rename(dir, aside)
    log.warn(`room files: ${error.message}; the folder was moved to ${aside} and nothing in it is listed: look into it, then delete it`)
    return undefined
  }
  if (contents === undefined) {
    await rm(dir, { recursive: true, force: true })
    log.info(`room files: removed ${dir}, a folder without a manifest (no file was stored there)`)
    return undefined
  }
  const { room } = contents
  if (options.retentionOf(room) !== 'keep') {
    await rm(dir, { recursive: true, force: true })
    log.info(`room files: removed the files of ${room} left from before the start: its files go with the room`)
    return undefined
  }
  for (const why of contents.dropped) log.warn(`room files of ${room}: dropped ${why}`)
  const entries: ManifestEntry[] = []
  let bytes = 0
  for (const e of [...contents.entries].sort((a, b) => a.number - b.number)) {
    if (entries.length >= options.maxRoomFiles || bytes + e.size > options.maxRoomBytes) {
      log.warn(`room files of ${room}: dropped ${e.file}: over the room's quota (${options.maxRoomFiles} files, ${options.maxRoomBytes} bytes)`)
      continue
    }
    entries.push(e)
    bytes += e.size
  }
  const keep = new Set([MANIFEST_NAME, ...entries.map((e) => e.file)])
  for (const file of await readdir(dir)) {
    if (keep.has(file)) continue
    await rm(join(dir, file), { recursive: true, force: true })
    log.warn(`room files of ${room}: removed ${file}, which the manifest does not list`)
  }
  // The manifest says no more than what is listed, so what was dropped is not reported again.
  if (entries.length !== contents.entries.length || contents.dropped.length > 0) await writeManifest(dir, room, entries)
  log.info(`room files of ${room}: ${entries.length} file(s) kept from before the start, ${bytes} bytes`)
  return { room, entries }
}
