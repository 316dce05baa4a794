/**
 * Where a file transfer reads from and writes to (RFC 5547 moves files as one MSRP message,
 * chunk by chunk). The MSRP layer only sees these two shapes, so it runs anywhere; Node's disk
 * versions are in node-file-io.ts.
 */
import { MsrpBotError } from '../errors.ts'

/**
 * The bytes of a file from a 0-based `offset` to its end, in pieces of any size. Called again
 * with a later offset to resume a transfer (RFC 5547 §8.6).
 */
export type FileSource = (offset: number) => AsyncIterable<Uint8Array>

/** Receives a file's bytes in order; the transfer waits for each write before acknowledging its chunk. */
export interface FileSink {
  write(data: Uint8Array): Promise<void> | void
}

/** A {@link FileSource} over bytes already in memory. */
export function bufferSource(bytes: Uint8Array, pieceSize = 64 * 1024): FileSource {
  return async function* (offset: number) {
    for (let at = offset; at < bytes.length; at += pieceSize) yield bytes.subarray(at, Math.min(at + pieceSize, bytes.length))
  }
}

/** A {@link FileSink} that gathers the file in memory, refusing more than `maxBytes`. */
export class BufferSink implements FileSink {
  readonly #parts: Uint8Array[] = []
  #length = 0

  constructor(readonly maxBytes: number) {}

  write(data: Uint8Array): void {
    if (this.#length + data.length > this.maxBytes) {
      throw new MsrpBotError('FILE_TOO_LARGE', `the file is larger than the ${this.maxBytes}-byte cap of this download; raise maxBytes or download to a stream`)
    }
    this.#parts.push(data.slice())
    this.#length += data.length
  }

  /** Everything written so far, as one buffer. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length)
    let at = 0
    for (const part of this.#parts) {
      out.set(part, at)
      at += part.length
    }
    return out
  }
}
