/**
 * One SEND serialized once for many sessions (the fan-out fast path of a chat-room focus):
 * RFC 4975 §7.1 lets copies of a message to different sessions differ only in To-Path, From-Path
 * and transaction id, so everything from Message-ID to the body and the end-line's dashes is
 * written here once, and each copy is a few short writes into one buffer.
 *
 * The bytes are those {@link serializeFrameParts} writes for the same frame (same header order:
 * typed headers in insertion order, Content-Type last, RFC 4975 §9); test/msrp/shared-send.test.ts
 * holds the two byte for byte.
 *
 * @module
 */
import { isIdent } from './headers.ts'
import { formatMsrpPath, type MsrpUri } from './uri.ts'

const DASHES = Buffer.from('-------', 'latin1')
const MSRP_SPACE = Buffer.from('MSRP ', 'latin1')
const SEND_LINE_END = Buffer.from(' SEND\r\n', 'latin1')

/** Writes an ASCII string (an `ident`) at `offset`; returns the offset after it. */
function writeAscii(bytes: Buffer, text: string, offset: number): number {
  const n = text.length
  for (let i = 0; i < n; i++) bytes[offset + i] = text.charCodeAt(i)
  return offset + n
}
// A media type the shared form writes as is: printable ASCII, inner spaces only (else the frame serializer checks it).
const PLAIN_HEADER_VALUE = /^[\x21-\x7e]+(?:[ \t]*[\x21-\x7e]+)*$/

/** What every copy of a shared SEND carries. */
export interface SharedSendInit {
  /** The whole message, sent as one chunk (`Byte-Range: 1-N/N`). */
  readonly body: Buffer
  /** Message-ID of every copy (unique per recipient session, RFC 4975 §7.1.1). */
  readonly messageId: string
  readonly contentType: string
  /** `Failure-Report: partial` (RFC 4975 §7.1.1: the recipient answers failures only). */
  readonly partial: boolean
}

/**
 * How one copy went (see `MsrpSession.sendShared`): delivered, or the status that failed it
 * (the recipient's failure response, 408 when none came in time, 481 when the session is gone).
 * `stalled` (408 only): the recipient's connection got no response and no drain of its output
 * since the copy was written — it is not reading (see MsrpTimeoutError).
 */
export type CopyOutcome = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly reason?: string; readonly stalled?: boolean }

/** Receives a copy's {@link CopyOutcome} with the `index` it was sent with (`MsrpSession.sendShared`). */
export type CopyCallback = (outcome: CopyOutcome, index: number) => void

/** The shared part of a SEND, built once per fan-out; see {@link serializeSharedSend}. */
export class SharedSend {
  readonly body: Buffer
  readonly messageId: string
  readonly contentType: string
  readonly partial: boolean
  /**
   * `Message-ID`, `Byte-Range`, [`Failure-Report`,] `Content-Type`, blank line, body, CRLF and
   * the end-line's dashes; undefined when the copy cannot use the shared form (empty body, or an
   * id or content type that the generic serializer must check and refuse with its own error).
   */
  readonly rest: Buffer | undefined
  /** The body holds `-------`, so a transaction id must be picked against it (RFC 4975 §7.1). */
  readonly mayHoldEndLine: boolean

  constructor(init: SharedSendInit) {
    this.body = init.body
    this.messageId = init.messageId
    this.contentType = init.contentType
    this.partial = init.partial
    this.mayHoldEndLine = init.body.includes(DASHES)
    if (init.body.length === 0 || !isIdent(init.messageId) || !PLAIN_HEADER_VALUE.test(init.contentType)) {
      this.rest = undefined
      return
    }
    const { body } = init
    const headers = `Message-ID: ${init.messageId}\r\nByte-Range: 1-${body.length}/${body.length}\r\n${init.partial ? 'Failure-Report: partial\r\n' : ''}Content-Type: ${init.contentType}\r\n\r\n`
    const rest = Buffer.allocUnsafe(headers.length + body.length + 9)
    let o = rest.write(headers, 0, 'latin1')
    o += body.copy(rest, o)
    rest.write('\r\n-------', o, 'latin1')
    this.rest = rest
  }
}

/**
 * `To-Path` and `From-Path` lines of one session, to build once and reuse for every copy. The
 * buffer has its own memory (not a slice of Node's shared 8 KiB pool): it lives as long as its
 * session, and a pooled slice would keep the whole pool alive with it.
 */
export function pathLines(toPath: readonly MsrpUri[], fromPath: readonly MsrpUri[]): Buffer {
  const text = `To-Path: ${formatMsrpPath(toPath)}\r\nFrom-Path: ${formatMsrpPath(fromPath)}\r\n`
  const lines = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'))
  lines.write(text, 0, 'utf8')
  return lines
}

/**
 * One copy of a shared SEND, as one buffer: start line, the session's {@link pathLines}, the
 * shared rest, and the end-line. `tid` must be an `ident` not found in the body after dashes
 * (`transactionIdFor(body)` when {@link SharedSend.mayHoldEndLine}).
 *
 * @throws RangeError when the message has no shared form (`rest` undefined): serialize it as a frame instead.
 */
export function serializeSharedSend(message: SharedSend, tid: string, paths: Buffer): Buffer {
  const rest = message.rest
  if (rest === undefined) throw new RangeError('this SEND has no shared form; serialize it with serializeFrameParts')
  // "MSRP " tid " SEND" CRLF, To-Path and From-Path, the shared rest, tid "$" CRLF. Bytes are
  // set from JavaScript (TypedArray#set, char codes of the ASCII tid): a Buffer#write or #copy
  // call costs more than the few bytes it moves, and a copy made four of them.
  const n = tid.length
  const bytes = Buffer.allocUnsafe(5 + n + SEND_LINE_END.length + paths.length + rest.length + n + 3)
  bytes.set(MSRP_SPACE, 0)
  let o = writeAscii(bytes, tid, 5)
  bytes.set(SEND_LINE_END, o)
  o += SEND_LINE_END.length
  bytes.set(paths, o)
  o += paths.length
  bytes.set(rest, o)
  o = writeAscii(bytes, tid, o + rest.length)
  bytes[o] = 0x24 // $
  bytes[o + 1] = 0x0d
  bytes[o + 2] = 0x0a
  return bytes
}
