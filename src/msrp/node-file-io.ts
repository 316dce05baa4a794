/**
 * File sources and sinks on Node's disk for RFC 5547 transfers: read and write a file in
 * pieces, never whole, and hash a partial file before resuming it (RFC 5547 §8.6).
 */
import { createReadStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import type { FileSink, FileSource } from './file-io.ts'
import { Sha1 } from './sha1.ts'

/** A {@link FileSource} reading `path` from any offset in pieces of `pieceSize` bytes (default 64 KiB). */
export function diskFileSource(path: string, pieceSize = 64 * 1024): FileSource {
  return (offset: number) => createReadStream(path, { start: offset, highWaterMark: pieceSize }) as AsyncIterable<Uint8Array>
}

/**
 * A {@link FileSink} writing to `path` in order. `append` keeps what is there (resuming);
 * otherwise the file is created or truncated. Call {@link DiskFileSink.close} when done.
 */
export class DiskFileSink implements FileSink {
  #handle: Promise<FileHandle>

  constructor(
    readonly path: string,
    options: { append?: boolean } = {},
  ) {
    this.#handle = open(path, options.append ? 'a' : 'w')
    this.#handle.catch(() => undefined)
  }

  async write(data: Uint8Array): Promise<void> {
    const handle = await this.#handle
    let at = 0
    while (at < data.length) {
      const { bytesWritten } = await handle.write(data, at, data.length - at)
      at += bytesWritten
    }
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await (await this.#handle).close()
  }
}

/** SHA-1 of a file on disk, streamed; the returned hash can go on with more bytes (a resumed transfer). */
export async function hashDiskFile(path: string, pieceSize = 64 * 1024): Promise<Sha1> {
  const hash = new Sha1()
  for await (const piece of createReadStream(path, { highWaterMark: pieceSize }) as AsyncIterable<Uint8Array>) hash.update(piece)
  return hash
}
