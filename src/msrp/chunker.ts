/**
 * Splits an outgoing message into SEND chunks (RFC 4975 §5.1, §7.1.1): each chunk carries a
 * `Byte-Range: start-end/total` and the end-line flag `+` (more follow) or `$` (last); a
 * message interrupted by its sender ends with a `#` chunk (RFC 4975 §7.1.1).
 */
import type { ByteRange, ContinuationFlag } from './message.ts'

/** Default chunk size: RFC 4975 §7.1 asks senders not to exceed 2048 octets unless the peer accepts more. */
export const DEFAULT_CHUNK_SIZE = 2048

/** One SEND chunk's worth of a message. */
export interface MessageChunk {
  readonly byteRange: ByteRange
  readonly continuation: ContinuationFlag
  /** A view into the original body (no copy). */
  readonly data: Buffer
}

/** Options of {@link chunkMessage}. */
export interface ChunkOptions {
  /** Most body bytes per chunk (default {@link DEFAULT_CHUNK_SIZE}). */
  chunkSize?: number
  /**
   * When true, all but the last chunk say `*` for the total, as a sender does that streams a
   * message whose length it does not know yet; the last chunk states it.
   */
  totalUnknown?: boolean
}

/**
 * Splits `body` into chunks with correct Byte-Range and flags. An empty body is one chunk with
 * `Byte-Range: 1-0/0` (RFC 4975 §7.1.1 allows a zero-length message).
 *
 * @example
 * ```ts
 * chunkMessage(Buffer.from('hello world'), { chunkSize: 5 }).map((c) => c.byteRange)
 * // [{start:1,end:5,total:11}, {start:6,end:10,total:11}, {start:11,end:11,total:11}]
 * ```
 */
export function chunkMessage(body: Uint8Array, options: ChunkOptions = {}): MessageChunk[] {
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunkSize must be a positive integer, got ${size}`)
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const total = buf.length
  if (total === 0) return [{ byteRange: { start: 1, end: 0, total: 0 }, continuation: '$', data: buf }]
  const chunks: MessageChunk[] = []
  for (let offset = 0; offset < total; offset += size) {
    const end = Math.min(offset + size, total)
    const last = end === total
    chunks.push({
      byteRange: { start: offset + 1, end, total: options.totalUnknown && !last ? '*' : total },
      continuation: last ? '$' : '+',
      data: buf.subarray(offset, end),
    })
  }
  return chunks
}

/**
 * The chunk that tells the receiver a message was abandoned after `sentBytes` bytes: an empty
 * body with the `#` flag (RFC 4975 §7.1.1: "#" marks an interrupted message).
 */
export function abortChunk(sentBytes: number, total: number | '*'): MessageChunk {
  return {
    byteRange: { start: sentBytes + 1, end: sentBytes, total },
    continuation: '#',
    data: Buffer.alloc(0),
  }
}
