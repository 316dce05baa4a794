/**
 * Reassembles chunked MSRP messages by Message-ID (RFC 4975 §5.1, §7.3.1).
 *
 * Chunks may arrive in any order and interleaved with chunks of other messages. Overlapping
 * chunks are accepted when the overlapping bytes are identical and rejected when they differ.
 * Sizes are bounded: a message larger than `maxMessageBytes` is refused with status 413, and at
 * most `maxIncomplete` messages are held at once.
 */
import type { ByteRange, ContinuationFlag } from './message.ts'

/** An inclusive, 1-based byte interval as in a Byte-Range header. */
export interface ByteInterval {
  readonly start: number
  readonly end: number
}

/** What {@link Reassembler.accept} needs from a SEND chunk. */
export interface IncomingChunk {
  readonly messageId: string
  readonly byteRange: ByteRange
  readonly continuation: ContinuationFlag
  readonly data: Uint8Array
}

/** Outcome of accepting one chunk. `T` is the caller's metadata kept from the first chunk. */
export type ReassemblyResult<T> =
  /** More bytes are expected; `received` lists what arrived so far. */
  | { kind: 'partial'; messageId: string; received: ByteInterval[]; meta: T }
  /** Every byte arrived; `body` is the whole message. */
  | { kind: 'complete'; messageId: string; body: Buffer; meta: T }
  /** The sender interrupted the message (`#` flag); its state is dropped. */
  | { kind: 'aborted'; messageId: string; received: ByteInterval[]; meta: T }
  /**
   * The chunk was refused and the message dropped: 413 when it is too large or too many
   * messages are incomplete, 400 for inconsistent ranges or conflicting overlapping data.
   */
  | { kind: 'rejected'; messageId: string; status: 400 | 413; reason: string }

/** Limits of a {@link Reassembler}. */
export interface ReassemblerOptions {
  /** Largest message accepted, in bytes (default 16 MiB). */
  maxMessageBytes?: number
  /** Most messages held incomplete at once (default 32). */
  maxIncomplete?: number
}

interface Piece {
  start: number // 1-based
  end: number // inclusive
  data: Buffer
}

interface Pending<T> {
  pieces: Piece[] // sorted, non-overlapping
  total: number | undefined
  bytes: number
  meta: T
}

/** Reassembles chunked messages for one session. */
export class Reassembler<T = undefined> {
  readonly #maxMessageBytes: number
  readonly #maxIncomplete: number
  readonly #messages = new Map<string, Pending<T>>()

  constructor(options: ReassemblerOptions = {}) {
    this.#maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024
    this.#maxIncomplete = options.maxIncomplete ?? 32
  }

  /** Number of messages currently incomplete. */
  get incomplete(): number {
    return this.#messages.size
  }

  /** Byte intervals received so far of an incomplete message (empty when unknown). */
  received(messageId: string): ByteInterval[] {
    const state = this.#messages.get(messageId)
    return state === undefined ? [] : intervals(state.pieces)
  }

  /** Drops the state of a message, e.g. when its session closes. */
  discard(messageId: string): void {
    this.#messages.delete(messageId)
  }

  #reject(id: string, status: 400 | 413, reason: string): ReassemblyResult<T> {
    this.#messages.delete(id)
    return { kind: 'rejected', messageId: id, status, reason }
  }

  /**
   * Accepts one chunk. `meta` is stored with the first chunk of a message and handed back with
   * the result (a session keeps the Content-Type and report headers there).
   */
  accept(chunk: IncomingChunk, meta: T): ReassemblyResult<T> {
    const id = chunk.messageId
    const range = chunk.byteRange
    const data = Buffer.isBuffer(chunk.data) ? chunk.data : Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength)
    let state = this.#messages.get(id)

    // The body length is authoritative for the end of the range: `end` may be "*" (RFC 4975
    // §7.1.1), and several implementations — and RFC 4975 §11.1's own example — miscount it.
    const start = range.start
    const end = start + data.length - 1
    let total: number | undefined = typeof range.total === 'number' ? range.total : undefined
    // RFC 4975 §7.1.1: the last chunk ($) ends the message, so its end is the total.
    if (total === undefined && chunk.continuation === '$') total = end
    if (total !== undefined && total > this.#maxMessageBytes) {
      return this.#reject(id, 413, `message of ${total} bytes exceeds the limit of ${this.#maxMessageBytes}`)
    }
    if (end > this.#maxMessageBytes) return this.#reject(id, 413, `chunk ending at byte ${end} exceeds the limit of ${this.#maxMessageBytes}`)
    if (total !== undefined && end > total) return this.#reject(id, 400, `chunk ends at byte ${end} beyond the total of ${total}`)

    // A whole message in one chunk (the common case, RFC 4975 §5.1): nothing to store or copy.
    if (state === undefined && chunk.continuation === '$' && start === 1 && total === end && data.length > 0) {
      return { kind: 'complete', messageId: id, body: data, meta }
    }

    if (state === undefined) {
      if (this.#messages.size >= this.#maxIncomplete && !(chunk.continuation === '$' && start === 1 && total === end)) {
        return { kind: 'rejected', messageId: id, status: 413, reason: `more than ${this.#maxIncomplete} messages are incomplete` }
      }
      state = { pieces: [], total, bytes: 0, meta }
      this.#messages.set(id, state)
    } else if (total !== undefined) {
      if (state.total !== undefined && state.total !== total) {
        return this.#reject(id, 400, `chunks disagree on the total size (${state.total} vs ${total})`)
      }
      state.total = total
    }
    if (state.total !== undefined) {
      const last = state.pieces.at(-1)
      if (last !== undefined && last.end > state.total) return this.#reject(id, 400, `earlier chunks extend beyond the total of ${state.total}`)
    }

    if (data.length > 0 && !insert(state, { start, end, data })) {
      return this.#reject(id, 400, `chunk ${start}-${end} overlaps earlier data with different bytes`)
    }

    if (chunk.continuation === '#') {
      this.#messages.delete(id)
      return { kind: 'aborted', messageId: id, received: intervals(state.pieces), meta: state.meta }
    }
    if (state.total !== undefined && state.bytes === state.total) {
      this.#messages.delete(id)
      return { kind: 'complete', messageId: id, body: assemble(state.pieces, state.total), meta: state.meta }
    }
    return { kind: 'partial', messageId: id, received: intervals(state.pieces), meta: state.meta }
  }
}

/** Inserts the parts of `piece` not yet covered; false when an overlap has different bytes. */
function insert<T>(state: Pending<T>, piece: Piece): boolean {
  const pieces = state.pieces
  // First stored piece that ends at or after piece.start (ends are sorted as pieces don't overlap).
  let lo = 0
  let hi = pieces.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((pieces[mid] as Piece).end < piece.start) lo = mid + 1
    else hi = mid
  }
  const fresh: Piece[] = []
  let cursor = piece.start
  let i = lo
  for (; i < pieces.length; i++) {
    const p = pieces[i] as Piece
    if (p.start > piece.end) break
    if (p.start > cursor) fresh.push(slice(piece, cursor, p.start - 1))
    const from = Math.max(p.start, piece.start)
    const to = Math.min(p.end, piece.end)
    const a = p.data.subarray(from - p.start, to - p.start + 1)
    const b = piece.data.subarray(from - piece.start, to - piece.start + 1)
    if (!a.equals(b)) return false
    cursor = to + 1
  }
  if (cursor <= piece.end) fresh.push(slice(piece, cursor, piece.end))
  if (fresh.length > 0) {
    pieces.splice(lo, i - lo, ...mergeSorted(pieces.slice(lo, i), fresh))
    for (const f of fresh) state.bytes += f.end - f.start + 1
  }
  return true
}

function slice(piece: Piece, start: number, end: number): Piece {
  return { start, end, data: piece.data.subarray(start - piece.start, end - piece.start + 1) }
}

function mergeSorted(a: Piece[], b: Piece[]): Piece[] {
  return [...a, ...b].sort((x, y) => x.start - y.start)
}

function intervals(pieces: readonly Piece[]): ByteInterval[] {
  const out: { start: number; end: number }[] = []
  for (const p of pieces) {
    const last = out.at(-1)
    if (last !== undefined && last.end + 1 === p.start) last.end = p.end
    else out.push({ start: p.start, end: p.end })
  }
  return out
}

function assemble(pieces: readonly Piece[], total: number): Buffer {
  if (pieces.length === 1 && (pieces[0] as Piece).data.length === total) return (pieces[0] as Piece).data
  const body = Buffer.allocUnsafe(total)
  for (const p of pieces) p.data.copy(body, p.start - 1)
  return body
}
