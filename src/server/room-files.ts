/**
 * The files shared in chat rooms, on disk: one folder per room under the configured storage
 * folder, one file per upload. Bounds: a file over `maxFileBytes`, or one that would take the
 * room over `maxRoomBytes`, is refused before a byte is stored (the caller answers 413). Names
 * are the sender's, kept for display only: on disk a file is `<n>-<sanitised name>` inside its
 * room's folder, and a name like `../../x` can never reach outside it.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { basename, join, resolve, sep } from 'node:path'
import { MsrpBotError } from '../errors.ts'
import type { FileRetention } from './core/room-store.ts'
import type { BasicLogger } from '../logger.ts'
import { writeManifest, type ManifestEntry } from './room-file-manifest.ts'
import { restoreRoomFolders } from './room-files-restore.ts'

/** Where and how much the server stores. */
export interface RoomFileOptions {
  /** The storage folder; each room gets a folder inside it. */
  dir: string
  /** Largest file accepted (default 50 MiB). */
  maxFileBytes?: number
  /** Most bytes one room holds (default 200 MiB). */
  maxRoomBytes?: number
  /** Most files one room holds (default 1000). */
  maxRoomFiles?: number
  /** File transfers at once, in all rooms (default 64); more are refused with 503. */
  maxTransfers?: number
  /** File transfers at once per identity (default 4); more are refused with 486. */
  maxTransfersPerIdentity?: number
  /**
   * The default of rooms that do not say (`RoomConfig.pushFiles`): offer each stored file to
   * every other participant present (default false). See room-file-push.ts.
   */
  push?: boolean
  /** The default of rooms that do not say (`RoomConfig.fileRetention`): `with-room` (default) or `keep`. */
  retention?: FileRetention
  /** Pushes in flight per room (default 4). */
  maxPushesPerRoom?: number
  /** Pushes in flight in all rooms (default 16); more wait in a queue. */
  maxPushes?: number
  /** Pushes waiting in all rooms (default 1000); a push beyond it is not made, and the room is told. */
  maxQueuedPushes?: number
}

/** One stored file: what its manifest entry says, and where it is on disk. */
export interface StoredFile extends Omit<ManifestEntry, 'file'> {
  /** Its path on disk. */
  readonly path: string
}

/** A place reserved for an upload: write to `partPath`, then `commit` or `abandon`. */
export interface FileReservation {
  readonly partPath: string
  commit(file: { sha1: string }): Promise<StoredFile>
  abandon(): Promise<void>
}

interface RoomFolder {
  readonly room: string
  readonly dir: string
  readonly files: StoredFile[]
  next: number
  used: number
  reserved: number
  /** The manifest writes of this folder, one after the other. */
  writing: Promise<void>
}

/** Turns a sender's file name into a safe file name: no path parts, no control or odd characters. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? ''
  const cleaned = base
    .replace(/[\x00-\x1f\x7f]/g, '')
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 100)
  return cleaned === '' ? 'file' : cleaned
}

/** The files of every room. */
export class RoomFileStore {
  readonly #root: string
  readonly #maxFileBytes: number
  readonly #maxRoomBytes: number
  readonly #maxRoomFiles: number
  readonly #rooms = new Map<string, RoomFolder>()
  /** The start-up read of the storage folder; uploads wait for it (their numbers follow its). */
  #restoring: Promise<void> = Promise.resolve()

  constructor(options: RoomFileOptions) {
    this.#root = resolve(options.dir)
    this.#maxFileBytes = options.maxFileBytes ?? 50 * 1024 * 1024
    this.#maxRoomBytes = options.maxRoomBytes ?? 200 * 1024 * 1024
    this.#maxRoomFiles = options.maxRoomFiles ?? 1000
  }

  /** The largest file accepted. */
  get maxFileBytes(): number {
    return this.#maxFileBytes
  }

  /** The files of a room, in order of upload. */
  list(room: string): readonly StoredFile[] {
    return this.#rooms.get(room)?.files ?? []
  }

  /** The file of `room` with this SHA-1 (hex), if any. */
  find(room: string, sha1: string): StoredFile | undefined {
    return this.list(room).find((f) => f.sha1 === sha1.toLowerCase())
  }

  /**
   * Reserves room for an upload of `size` bytes.
   *
   * @throws MsrpBotError `FILE_TOO_LARGE` (over the file limit) or `ROOM_QUOTA_EXCEEDED` (over the
   *   room's bytes or file count): answer 413 with the message.
   */
  async reserve(room: string, upload: { name: string; type: string; size: number; from: string }): Promise<FileReservation> {
    if (upload.size > this.#maxFileBytes) throw new MsrpBotError('FILE_TOO_LARGE', `the file has ${upload.size} bytes; this server takes files of at most ${this.#maxFileBytes} bytes`)
    await this.#restoring.catch(() => undefined)
    const folder = this.#folder(room)
    if (folder.used + folder.reserved + upload.size > this.#maxRoomBytes || folder.files.length >= this.#maxRoomFiles) {
      throw new MsrpBotError('ROOM_QUOTA_EXCEEDED', `the room's file space is full (${folder.files.length} files, ${folder.used} of ${this.#maxRoomBytes} bytes); files leave with the room`)
    }
    const number = folder.next++
    const path = join(folder.dir, `${number}-${sanitizeFileName(upload.name)}`)
    // Belt and braces: whatever the name, the path stays inside the room's folder.
    if (!resolve(path).startsWith(folder.dir + sep)) throw new MsrpBotError('FILE_BAD_NAME', 'the file name does not make a path inside the room folder')
    await mkdir(folder.dir, { recursive: true })
    const partPath = `${path}.part`
    folder.reserved += upload.size
    let open = true
    const release = (): void => {
      if (open) folder.reserved -= upload.size
      open = false
    }
    return {
      partPath,
      commit: async ({ sha1 }) => {
        release()
        const size = (await stat(partPath)).size
        await rename(partPath, path)
        const stored: StoredFile = { number, name: upload.name, type: upload.type, size, sha1, from: upload.from, storedAt: new Date(), path }
        if (this.#rooms.get(room) !== folder) {
          await rm(path, { force: true }) // the room went away during the upload
          throw new MsrpBotError('ROOM_GONE', `${room} was deleted while the file arrived`)
        }
        folder.files.push(stored)
        folder.used += size
        try {
          await this.#saveManifest(folder)
        } catch (error) {
          // Not listed on disk means lost at the next start: refuse it now rather than later.
          const at = folder.files.indexOf(stored)
          if (at >= 0) folder.files.splice(at, 1)
          folder.used -= size
          await rm(path, { force: true })
          throw new MsrpBotError('FILE_NOT_STORED', `the file could not be listed in the room's manifest (${error instanceof Error ? error.message : String(error)}); check the files folder's space and permissions`)
        }
        return stored
      },
      abandon: async () => {
        release()
        await rm(partPath, { force: true })
      },
    }
  }

  /** Deletes a room's files (files leave with the room). */
  async removeRoom(room: string): Promise<void> {
    const folder = this.#rooms.get(room)
    if (folder === undefined) return
    this.#rooms.delete(room)
    await rm(folder.dir, { recursive: true, force: true })
  }

  /** Deletes every room's files. */
  async close(): Promise<void> {
    await Promise.all([...this.#rooms.keys()].map((room) => this.removeRoom(room)))
  }

  /**
   * Lists again the files kept from before a restart (see room-files-restore.ts): the folders of
   * rooms whose `retentionOf` is `keep` are read back from their manifests; the others are removed.
   * Call once, at start; uploads that arrive meanwhile wait for it.
   */
  restore(retentionOf: (room: string) => FileRetention, log: BasicLogger): Promise<void> {
    this.#restoring = this.#restore(retentionOf, log)
    return this.#restoring
  }

  async #restore(retentionOf: (room: string) => FileRetention, log: BasicLogger): Promise<void> {
    const restored = await restoreRoomFolders({ root: this.#root, folderOf: roomFolderName, retentionOf, maxRoomBytes: this.#maxRoomBytes, maxRoomFiles: this.#maxRoomFiles, log })
    for (const { room, entries } of restored) {
      const folder = this.#folder(room)
      for (const e of entries) {
        folder.files.push({ number: e.number, name: e.name, type: e.type, size: e.size, sha1: e.sha1, from: e.from, storedAt: e.storedAt, path: join(folder.dir, e.file) })
        folder.used += e.size
        folder.next = Math.max(folder.next, e.number + 1)
      }
    }
  }

  /** Writes the folder's manifest after any write before it (they must not cross). */
  #saveManifest(folder: RoomFolder): Promise<void> {
    const write = folder.writing.then(() => writeManifest(folder.dir, folder.room, folder.files.map(manifestEntry)))
    folder.writing = write.catch(() => undefined)
    return write
  }

  #folder(room: string): RoomFolder {
    let folder = this.#rooms.get(room)
    if (folder === undefined) {
      folder = { room, dir: join(this.#root, roomFolderName(room)), files: [], next: 1, used: 0, reserved: 0, writing: Promise.resolve() }
      this.#rooms.set(room, folder)
    }
    return folder
  }
}

/** The folder name of a room: a digest, not the URI — a room URI has characters no file system should see. */
export function roomFolderName(room: string): string {
  return createHash('sha256').update(room).digest('hex').slice(0, 32)
}

/** A stored file as its manifest lists it. */
function manifestEntry(file: StoredFile): ManifestEntry {
  return { number: file.number, name: file.name, type: file.type, size: file.size, sha1: file.sha1, from: file.from, storedAt: file.storedAt, file: basename(file.path) }
}
