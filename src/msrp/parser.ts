/**
 * Incremental MSRP stream parser (RFC 4975 §9 framing).
 *
 * Feed it whatever the transport delivers — a byte at a time, random cuts, many frames per
 * read — and it returns each complete frame once. It never rescans: in the header block it
 * reads line by line; in a body it searches for `CRLF "-------" tid` with `Buffer.indexOf`,
 * remembering how far it got and keeping only a tail shorter than the end-line between reads.
 *
 * Sizes are bounded: the header block by `maxHeaderBytes`, one frame's body by `maxBodyBytes`.
 * Bodies are Buffers: a view of the read when the body arrived in one read, else one copy.
 * Parsed paths (To-Path, From-Path, Use-Path) are frozen and shared between frames that repeat
 * the same text — copy before changing them.
 *
 * Errors: the parser throws only {@link ParseError}. After one, the byte stream is out of step
 * (there is no way to find the next frame reliably), so the parser refuses further input with
 * `MSRP_PARSER_FAILED` and the caller should close the connection (RFC 4975 §7.2 leaves no
 * recovery either). Frames completed before the fault were already delivered by {@link feed}.
 */
import { ParseError } from '../errors.ts'
import { HEADER_NAMES, isHeaderName, setHeader } from './headers.ts'
import type { ContinuationFlag, ExtensionHeader, MsrpFrame, MsrpHeaderName, MsrpHeaders } from './message.ts'
import {
  fastByteRange,
  fastHeaderName,
  fastIdent,
  fastReport,
  fastStartLine,
  skipSpace,
  trimSpaceEnd,
  ValueMemo,
  viewOf,
  type StartLine,
} from './parser-fast.ts'
import { parseMsrpPath } from './uri.ts'
import type { MsrpUri } from './uri.ts'

/** Limits of an {@link MsrpParser}. */
export interface MsrpParserOptions {
  /** Most bytes of a start line plus headers (default 16 KiB). */
  maxHeaderBytes?: number
  /** Most bytes of one frame's body, i.e. one chunk (default 16 MiB). */
  maxBodyBytes?: number
  /**
   * Called when a frame's header block is complete and a body follows; returns the most body
   * bytes to accept for this frame (capped by `maxBodyBytes`), or undefined for `maxBodyBytes`.
   * A connection uses it to hold a chunk for an unknown session to a few KiB instead of the
   * full chunk limit (the session, not the parser, knows what it accepts).
   */
  bodyLimit?: (head: MsrpFrameHead) => number | undefined
}

/** The start line and headers of a frame whose body has not arrived yet (see {@link MsrpParserOptions.bodyLimit}). */
export interface MsrpFrameHead {
  readonly transactionId: string
  /** The method of a request; undefined for a response. */
  readonly method: string | undefined
  readonly headers: Partial<MsrpHeaders>
}

const CR = 0x0d
const LF = 0x0a
const DOLLAR = 0x24
const PLUS = 0x2b
const HASH = 0x23
const DASH = 0x2d
const PREFIX = Buffer.from('MSRP ', 'latin1')
const CRLF = Buffer.from('\r\n', 'latin1')
const EMPTY = Buffer.alloc(0)
/**
 * Recently parsed paths, shared by all parsers (they are deeply frozen): a session repeats the
 * same To-Path/From-Path in every frame. Bounded in entries and text length; one cache for the
 * process rather than one per connection, which a server with thousands of idle peers would pay.
 */
const recentPaths = new Map<string, MsrpUri[]>()
const RECENT_PATHS = 1024
const RECENT_PATH_TEXT = 512

/** Parses a path, reusing the (frozen) result for a text seen recently. */
function parsePathShared(text: string): MsrpUri[] {
  let path = recentPaths.get(text)
  if (path === undefined) {
    path = Object.freeze(parseMsrpPath(text).map((uri) => Object.freeze({ ...uri, params: Object.freeze([...uri.params]) }))) as MsrpUri[]
    if (text.length <= RECENT_PATH_TEXT) {
      if (recentPaths.size >= RECENT_PATHS) recentPaths.clear()
      recentPaths.set(text, path)
    }
  }
  return path
}

/** Typed header names in their canonical spelling (the common case needs no lower-casing). */
const CANONICAL: ReadonlyMap<string, MsrpHeaderName> = new Map([...HEADER_NAMES.values()].map((name) => [name, name]))
const START_LINE = /^MSRP ([A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}) (?:([A-Z]+)|([0-9]{3})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?)$/

/**
 * Parses a start line (without CRLF) in full generality; undefined when malformed. The parser
 * tries {@link fastStartLine} first; this is the reference it must agree with.
 */
export function parseStartLine(text: string): StartLine | undefined {
  const m = START_LINE.exec(text)
  if (!m) return undefined
  const transactionId = m[1] as string
  return m[2] !== undefined ? { transactionId, method: m[2] } : { transactionId, status: Number(m[3]), comment: m[4] }
}

/** `text` from `start`, without leading and trailing SP/HTAB. */
function trimSpace(text: string, start: number): string {
  let end = text.length
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--
  return text.slice(start, end)
}

function isFlag(byte: number | undefined): boolean {
  return byte === DOLLAR || byte === PLUS || byte === HASH
}

/**
 * An incremental MSRP parser for one connection.
 *
 * @example
 * ```ts
 * const parser = new MsrpParser()
 * socket.on('data', (data) => {
 *   try { parser.feed(data, (frame) => handle(frame)) } catch (e) { socket.destroy() }
 * })
 * ```
 */
export class MsrpParser {
  readonly #maxHeaderBytes: number
  readonly #maxBodyBytes: number
  readonly #bodyLimit: MsrpParserOptions['bodyLimit']
  /** The body limit of the current frame (set when its header block ends). */
  #frameBodyLimit = 0
  #state: 'head' | 'body' | 'failed' = 'head'
  #error: ParseError | undefined

  // Header block: a growable buffer holding the bytes of complete and partial lines.
  // Allocated on first use: most lines arrive whole, and an idle connection should hold nothing.
  #head: Buffer = EMPTY
  #headLen = 0
  /** Bytes of the current header block so far (bounded by maxHeaderBytes). */
  #headBytes = 0
  #start: StartLine | undefined
  #headers: Partial<MsrpHeaders> = {}
  #extensions: ExtensionHeader[] = []
  /** The first header value of the current frame that did not parse (see MsrpFrame.invalid). */
  #invalid: ParseError | undefined
  #hasBody = false
  /** The last To-Path and From-Path lines (name to CRLF) and their parsed (frozen, shared) paths. */
  readonly #toPathMemo = new ValueMemo<MsrpUri[]>()
  readonly #fromPathMemo = new ValueMemo<MsrpUri[]>()
  /** The last Content-Type line and its value. */
  readonly #contentTypeMemo = new ValueMemo<string>()

  // Body: `CRLF -------tid`, the confirmed body pieces, and the undecided tail.
  /**
   * `CRLF -------tid` as bytes, searched for with Buffer.indexOf (a string needle would be
   * encoded again on every call). A view of {@link #needleBytes}, rewritten for each frame.
   */
  #needle: Buffer = EMPTY
  /** Room for the longest needle (9 + 32 bytes), allocated with the first body. */
  #needleBytes: Buffer = EMPTY
  /** The first body piece; most bodies arrive in one read and need no list. */
  #firstPart: Buffer | undefined
  /** All body pieces once there is more than one. */
  #parts: Buffer[] | undefined
  #bodyLen = 0
  #pending: Buffer = EMPTY
  /** Leading bytes of the scanned stream that are not body (the blank line's CRLF, see #beginBody). */
  #skip = 0

  constructor(options: MsrpParserOptions = {}) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024
    this.#maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
    this.#bodyLimit = options.bodyLimit
    this.#frameBodyLimit = this.#maxBodyBytes
  }

  /** Bytes held for an incomplete frame (header bytes plus body bytes so far). */
  get buffered(): number {
    return this.#headLen + this.#bodyLen + this.#pending.length
  }

  /** True between frames: nothing of a next frame has arrived yet. */
  get idle(): boolean {
    return this.#state === 'head' && this.#headLen === 0
  }

  /** True while part of a header block has arrived but not its end (a header timeout applies). */
  get inHeader(): boolean {
    return this.#state === 'head' && this.#headBytes > 0
  }

  /**
   * Parses `chunk` and returns the frames it completed.
   *
   * @throws ParseError on malformed input or exceeded limits; frames completed earlier in the
   *   same chunk are lost with it — use {@link feed} to receive them before the error.
   */
  push(chunk: Uint8Array): MsrpFrame[] {
    const frames: MsrpFrame[] = []
    this.feed(chunk, (frame) => frames.push(frame))
    return frames
  }

  /**
   * Parses `chunk` and calls `onFrame` for each frame as soon as it completes.
   *
   * The parser keeps references to (parts of) the chunks of a body until its frame completes,
   * so do not reuse a pushed buffer for other data.
   *
   * @throws ParseError on malformed input or exceeded limits (after delivering earlier frames);
   *   an exception thrown by `onFrame` is rethrown after the whole chunk was parsed.
   */
  feed(chunk: Uint8Array, onFrame: (frame: MsrpFrame) => void): void {
    if (this.#state === 'failed') {
      throw new ParseError('msrp', 'MSRP_PARSER_FAILED', `the MSRP stream failed earlier (${this.#error?.message}); close the connection`)
    }
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    // An exception from onFrame is the caller's, not a fault of the stream: parsing goes on so the
    // stream stays in step, and the first such exception is rethrown when the chunk is done.
    // (#finish catches it into #callbackError; saved and restored in case onFrame feeds us again.)
    const outerError = this.#callbackError
    this.#callbackError = undefined
    let callbackError: { error: unknown } | undefined
    try {
      let pos = 0
      while (pos < data.length) {
        pos = this.#state === 'head' ? this.#feedHead(data, pos, onFrame) : this.#feedBody(data, pos, onFrame)
      }
    } catch (error) {
      this.#callbackError = outerError
      this.#resetFrame() // release what the broken frame held
      this.#state = 'failed'
      this.#error =
        error instanceof ParseError
          ? error
          : new ParseError('msrp', 'MSRP_INTERNAL', `MSRP parser fault: ${String(error)}`, { cause: error })
      throw this.#error
    } finally {
      this.#viewBuffer = undefined
      this.#view = undefined
    }
    // (a cast: TypeScript cannot see that #finish may have set it since the reset above)
    callbackError = this.#callbackError as { error: unknown } | undefined
    this.#callbackError = outerError
    if (callbackError !== undefined) throw callbackError.error
  }

  /**
   * A DataView of the buffer header lines are being read from (for the memos' comparisons),
   * made once per buffer and dropped when {@link feed} returns: it holds the whole read.
   */
  #view: DataView | undefined
  #viewBuffer: Buffer | undefined

  #viewOf(buf: Buffer): DataView {
    if (buf !== this.#viewBuffer) {
      this.#viewBuffer = buf
      this.#view = viewOf(buf)
    }
    return this.#view as DataView
  }

  /** The first exception a frame callback threw during the current {@link feed}. */
  #callbackError: { error: unknown } | undefined

  /** Forgets all state, including a failure, e.g. to reuse the parser for a new connection. */
  reset(): void {
    this.#state = 'head'
    this.#error = undefined
    this.#resetFrame()
  }

  #resetFrame(): void {
    this.#headLen = 0
    this.#headBytes = 0
    this.#start = undefined
    this.#headers = {}
    this.#extensions = []
    this.#invalid = undefined
    this.#hasBody = false
    this.#firstPart = undefined
    this.#parts = undefined
    this.#bodyLen = 0
    this.#pending = EMPTY
    this.#skip = 0
  }


  #fail(code: string, message: string): never {
    throw new ParseError('msrp', code, message)
  }

  // ---- header block --------------------------------------------------------------------------

  #feedHead(data: Buffer, pos: number, onFrame: (frame: MsrpFrame) => void): number {
    while (pos < data.length) {
      if (this.#headLen === 0) {
        const next = this.#wholeLine(data, pos, onFrame)
        if (next > 0) {
          pos = next
          if (this.#state !== 'head') return pos // the blank line: the body follows
          continue
        }
      }
      const lf = data.indexOf(LF, pos)
      if (lf < 0) {
        // A partial line: keep it (bounded) until its LF arrives.
        this.#count(data.length - pos)
        this.#appendHead(data, pos, data.length)
        if (this.#start === undefined) this.#checkPrefix(this.#head, 0, this.#headLen)
        return data.length
      }
      const end = lf + 1
      this.#count(end - pos)
      let line: Buffer = data
      let from = pos
      let to = end
      if (this.#headLen > 0) {
        // The line began in an earlier read: complete it in the carry-over buffer.
        this.#appendHead(data, pos, end)
        line = this.#head
        from = 0
        to = this.#headLen
        this.#headLen = 0
      }
      pos = end
      if (this.#line(line, from, to, onFrame)) return pos
    }
    return pos
  }

  /** Counts header-block bytes against the limit. */
  #count(n: number): void {
    this.#headBytes += n
    if (this.#headBytes > this.#maxHeaderBytes) {
      this.#fail(
        'MSRP_HEADER_TOO_LARGE',
        `MSRP start line and headers exceed ${this.#maxHeaderBytes} bytes; raise maxHeaderBytes if the peer is legitimate`,
      )
    }
  }

  #appendHead(data: Buffer, from: number, to: number): void {
    const need = this.#headLen + to - from
    if (need > this.#head.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#maxHeaderBytes, Math.max(need, this.#head.length * 2, 512)))
      this.#head.copy(grown, 0, 0, this.#headLen)
      this.#head = grown
    }
    data.copy(this.#head, this.#headLen, from, to)
    this.#headLen = need
  }

  /** Rejects garbage as soon as the first bytes cannot begin `MSRP `. */
  #checkPrefix(buf: Buffer, from: number, to: number): void {
    const n = Math.min(to - from, PREFIX.length)
    for (let i = 0; i < n; i++) {
      if (buf[from + i] !== PREFIX[i]) this.#fail('MSRP_BAD_START_LINE', 'expected an MSRP frame starting with "MSRP <transaction-id> "')
    }
  }

  /** Handles the complete line `buf[from, to)` (ending in LF); returns true when the frame or its head ended. */
  #line(buf: Buffer, from: number, to: number, onFrame: (frame: MsrpFrame) => void): boolean {
    if (to - from < 2 || buf[to - 2] !== CR) {
      this.#fail('MSRP_BAD_LINE_ENDING', 'MSRP lines end with CRLF (RFC 4975 §9); got a bare LF')
    }

    if (this.#start === undefined) {
      this.#checkPrefix(buf, from, to)
      const fast = fastStartLine(buf, from, to - 2)
      if (fast !== undefined) {
        this.#start = fast
        return false
      }
      const text = buf.toString('utf8', from, to - 2)
      const start = parseStartLine(text)
      if (start === undefined) {
        this.#fail('MSRP_BAD_START_LINE', `malformed MSRP start line "${text.slice(0, 80)}"; expected "MSRP <tid> <METHOD>" or "MSRP <tid> <code> [comment]"`)
      }
      this.#start = start
      return false
    }

    if (to - from === 2) {
      this.#hasBody = true
      this.#beginBody()
      return true
    }

    if (buf[from] === DASH) {
      if (this.#isEndLine(buf, from, to - 2)) {
        this.#finish(String.fromCharCode(buf[to - 3] as number) as ContinuationFlag, onFrame)
        return true
      }
    } else if (this.#fastHeader(buf, from, to - 2)) return false

    const text = buf.toString('utf8', from, to - 2)
    const tid = this.#start.transactionId
    if (text.startsWith('-------')) {
      if (text.length === 8 + tid.length && text.startsWith(tid, 7) && isFlag(text.charCodeAt(7 + tid.length))) {
        this.#finish(text[7 + tid.length] as ContinuationFlag, onFrame)
        return true
      }
      this.#fail('MSRP_BAD_END_LINE', `end-line "${text.slice(0, 60)}" does not match transaction ${tid}`)
    }

    const colon = text.indexOf(':')
    const rawName = colon < 0 ? text : text.slice(0, colon)
    // Header names are case-insensitive (RFC 4975 §9); peers nearly always use the canonical case.
    const name = colon < 0 ? undefined : (CANONICAL.get(rawName) ?? HEADER_NAMES.get(rawName.toLowerCase()))
    if (name === undefined && (colon < 0 || !isHeaderName(rawName))) {
      this.#fail('MSRP_BAD_HEADER', `malformed MSRP header line "${text.slice(0, 80)}"; expected "Name: value"`)
    }
    const value = trimSpace(text, colon + 1)
    if (name === undefined) this.#extensions.push({ name: rawName, value })
    else {
      try {
        setHeader(this.#headers, name, value, parsePathShared)
      } catch (error) {
        // A bad value in a well-formed header line leaves the frame delimited by its end-line, so
        // the stream stays in step: the frame is delivered marked invalid and its request gets an
        // error response, instead of the whole connection (and every session on it) ending.
        // Without usable paths a frame cannot be answered (RFC 4975 §7.2), so those stay fatal.
        if (!(error instanceof ParseError) || name === 'To-Path' || name === 'From-Path') throw error
        this.#invalid ??= error
      }
    }
    return false
  }

  /** True when `buf[from, end)` is exactly `-------<tid><flag>` of the current frame. */
  #isEndLine(buf: Buffer, from: number, end: number): boolean {
    const tid = (this.#start as StartLine).transactionId
    if (end - from !== 8 + tid.length) return false
    for (let i = 0; i < 7; i++) if (buf[from + i] !== DASH) return false
    for (let i = 0; i < tid.length; i++) if (buf[from + 7 + i] !== tid.charCodeAt(i)) return false
    return isFlag(buf[end - 1])
  }

  /**
   * Takes the header line `buf[from, end)` when its name is a typed header in canonical spelling
   * (see parser-fast.ts); false to let the general path handle it. Only the value becomes a
   * string, and a To-Path or From-Path repeating the previous frame's bytes not even that.
   */
  #fastHeader(buf: Buffer, from: number, end: number): boolean {
    const name = fastHeaderName(buf, from, end)
    if (name === undefined) return false
    const vFrom = skipSpace(buf, from + name.length + 1, end)
    const vTo = trimSpaceEnd(buf, vFrom, end)
    if (this.#takeFast(name, buf, vFrom, vTo, from, end + 2)) return true
    // Not read from the bytes (a new path, a new Content-Type, a Status, a malformed value or a
    // repeated header): setHeader gives the value or the precise error.
    const value = buf.toString('utf8', vFrom, vTo)
    const memo = name === 'To-Path' ? this.#toPathMemo : name === 'From-Path' ? this.#fromPathMemo : undefined
    try {
      setHeader(this.#headers, name, value, parsePathShared)
    } catch (error) {
      // As in #line: a bad value marks the frame invalid; bad paths stay fatal.
      if (!(error instanceof ParseError) || memo !== undefined) throw error
      this.#invalid ??= error
      return true
    }
    if (vTo - vFrom <= RECENT_PATH_TEXT) {
      if (memo !== undefined) memo.set(buf, from, end + 2, this.#headers[name] as MsrpUri[])
      else if (name === 'Content-Type') this.#contentTypeMemo.set(buf, from, end + 2, value)
    }
    return true
  }

  /**
   * Takes the header-block line at `data[pos]` whole when it has one of the common shapes and
   * lies entirely in `data`: the blank line, this frame's end-line, or a repeated To-Path,
   * From-Path or Content-Type line. Its end is found by the reading itself, without a call into
   * Buffer#indexOf. Returns the index after the line, or -1 to read the line the usual way (which
   * gives the same result for these shapes, and the precise error for any other). (Start,
   * Message-ID and Byte-Range lines read the same way measured slower: scanning for their end in
   * a loop costs about what the indexOf call does, and the larger method stopped being inlined.)
   */
  #wholeLine(data: Buffer, pos: number, onFrame: (frame: MsrpFrame) => void): number {
    const start = this.#start
    if (start === undefined) return -1
    switch (data[pos]) {
      case CR: {
        if (data[pos + 1] !== LF) return -1
        this.#count(2)
        this.#hasBody = true
        this.#beginBody()
        return pos + 2
      }
      case DASH: {
        const cr = pos + 8 + start.transactionId.length
        if (data[cr] !== CR || data[cr + 1] !== LF || !this.#isEndLine(data, pos, cr)) return -1
        this.#count(cr + 2 - pos)
        this.#finish(String.fromCharCode(data[cr - 1] as number) as ContinuationFlag, onFrame)
        return cr + 2
      }
      default:
        return this.#repeatedLine(data, pos)
    }
  }

  /**
   * Takes the header line at `data[pos]` when it repeats, byte for byte and with its CRLF, the
   * previous frame's To-Path, From-Path or Content-Type line (a session's frames all carry the
   * same): no search for its end, no name lookup, no decoding. Returns the index after the line,
   * or -1 to read the line the usual way (also when the header was already given in this frame,
   * so that the general path refuses the duplicate).
   */
  #repeatedLine(data: Buffer, pos: number): number {
    const h = this.#headers
    switch (data[pos]) {
      case 0x54: {
        // T
        const n = this.#toPathMemo.length
        const value = h['To-Path'] === undefined && n > 0 && pos + n <= data.length ? this.#toPathMemo.get(this.#viewOf(data), pos, pos + n) : undefined
        if (value === undefined) return -1
        this.#count(n)
        h['To-Path'] = value
        return pos + n
      }
      case 0x46: {
        // F
        const n = this.#fromPathMemo.length
        const value = h['From-Path'] === undefined && n > 0 && pos + n <= data.length ? this.#fromPathMemo.get(this.#viewOf(data), pos, pos + n) : undefined
        if (value === undefined) return -1
        this.#count(n)
        h['From-Path'] = value
        return pos + n
      }
      case 0x43: {
        // C
        const n = this.#contentTypeMemo.length
        const value = h['Content-Type'] === undefined && n > 0 && pos + n <= data.length ? this.#contentTypeMemo.get(this.#viewOf(data), pos, pos + n) : undefined
        if (value === undefined) return -1
        this.#count(n)
        h['Content-Type'] = value
        return pos + n
      }
      default:
        return -1
    }
  }

  /**
   * Stores header `name` read straight from its value bytes `buf[from, to)`; false when it needs
   * the general path. Only valid values are taken: anything the bytes do not prove well-formed,
   * and a header seen before in this frame, go to setHeader, which refuses them exactly as for
   * any other spelling. (Each case names its property: a fixed name is a fast property access,
   * a computed one is not.)
   */
  #takeFast(name: MsrpHeaderName, buf: Buffer, from: number, to: number, lineFrom: number, lineTo: number): boolean {
    const h = this.#headers
    switch (name) {
      case 'To-Path': {
        const value = h['To-Path'] === undefined ? this.#toPathMemo.get(this.#viewOf(buf), lineFrom, lineTo) : undefined
        if (value === undefined) return false
        h['To-Path'] = value
        return true
      }
      case 'From-Path': {
        const value = h['From-Path'] === undefined ? this.#fromPathMemo.get(this.#viewOf(buf), lineFrom, lineTo) : undefined
        if (value === undefined) return false
        h['From-Path'] = value
        return true
      }
      case 'Message-ID': {
        const value = h['Message-ID'] === undefined ? fastIdent(buf, from, to) : undefined
        if (value === undefined) return false
        h['Message-ID'] = value
        return true
      }
      case 'Byte-Range': {
        const value = h['Byte-Range'] === undefined ? fastByteRange(buf, from, to) : undefined
        if (value === undefined) return false
        h['Byte-Range'] = value
        return true
      }
      case 'Content-Type': {
        const value = h['Content-Type'] === undefined ? this.#contentTypeMemo.get(this.#viewOf(buf), lineFrom, lineTo) : undefined
        if (value === undefined) return false
        h['Content-Type'] = value
        return true
      }
      case 'Success-Report': {
        const value = h['Success-Report'] === undefined ? fastReport(buf, from, to, false) : undefined
        if (value === undefined || value === 'partial') return false
        h['Success-Report'] = value
        return true
      }
      case 'Failure-Report': {
        const value = h['Failure-Report'] === undefined ? fastReport(buf, from, to, true) : undefined
        if (value === undefined) return false
        h['Failure-Report'] = value
        return true
      }
      default:
        return false
    }
  }

  // ---- body --------------------------------------------------------------------------------

  #beginBody(): void {
    this.#state = 'body'
    const start = this.#start as StartLine
    const limit = this.#bodyLimit?.({ transactionId: start.transactionId, method: 'method' in start ? start.method : undefined, headers: this.#headers })
    this.#frameBodyLimit = limit === undefined ? this.#maxBodyBytes : Math.min(limit, this.#maxBodyBytes)
    this.#setNeedle(start.transactionId)
    // The blank line's CRLF is scanned as if it preceded the data, so that an end-line right
    // after the blank line (an empty body sent without its CRLF) is still found. It is not body.
    this.#pending = CRLF
    this.#skip = 2
  }

  /** Points {@link #needle} at `CRLF -------tid` (RFC 4975 §9 end-line), without allocating after the first body. */
  #setNeedle(tid: string): void {
    let bytes = this.#needleBytes
    if (bytes.length === 0) {
      // Only frames with a body need the needle; an idle connection holds none.
      bytes = this.#needleBytes = Buffer.alloc(9 + 32)
      bytes.write('\r\n-------', 0, 'latin1')
    }
    // Transaction ids are idents (ASCII, at most 32 characters): one byte per character.
    for (let i = 0; i < tid.length; i++) bytes[9 + i] = tid.charCodeAt(i)
    if (this.#needle.length !== 9 + tid.length) this.#needle = bytes.subarray(0, 9 + tid.length)
  }

  #addBody(piece: Buffer): void {
    if (this.#skip > 0) {
      const s = Math.min(this.#skip, piece.length)
      piece = piece.subarray(s)
      this.#skip -= s
    }
    if (piece.length === 0) return
    this.#bodyLen += piece.length
    if (this.#bodyLen > this.#frameBodyLimit) {
      this.#fail('MSRP_BODY_TOO_LARGE', `MSRP chunk body exceeds ${this.#frameBodyLimit} bytes (the limit for this frame's session); the peer must send smaller chunks`)
    }
    if (this.#firstPart === undefined) this.#firstPart = piece
    else (this.#parts ??= [this.#firstPart]).push(piece)
  }

  /** True when `buf` holds a complete end-line (flag and CRLF) after the needle at `i`. */
  #isEnd(buf: Buffer, i: number): boolean {
    const j = i + this.#needle.length
    return isFlag(buf[j]) && buf[j + 1] === CR && buf[j + 2] === LF
  }

  #feedBody(data: Buffer, pos: number, onFrame: (frame: MsrpFrame) => void): number {
    const needle = this.#needle
    const span = needle.length + 3 // CRLF ------- tid flag CRLF
    // The search runs over `buf` from `base`; index i of `buf` is index i + offset of `data`.
    // Usually `buf` is `data` itself (no view is made); after a small read it is the undecided
    // tail of the previous read joined with this one.
    let buf = data
    let base = pos
    let offset = 0
    const pending = this.#pending
    this.#pending = EMPTY

    if (pending === CRLF && this.#skip === 2 && data.length - pos >= span - 2) {
      // Body start (see #beginBody) with enough bytes to decide without the joint copy: the only
      // candidate inside the blank line's CRLF is an end-line right after it (an empty body).
      const n = needle.length - 2
      let k = 0
      while (k < n && data[pos + k] === needle[k + 2]) k++
      const f = pos + n
      if (k === n && isFlag(data[f]) && data[f + 1] === CR && data[f + 2] === LF) {
        this.#skip = 0
        this.#finish(String.fromCharCode(data[f] as number) as ContinuationFlag, onFrame)
        return f + 3
      }
      this.#skip = 0
    } else if (pending.length > 0) {
      if (data.length - pos < span) {
        // Small read: merging costs at most two end-line lengths.
        buf = Buffer.concat([pending, data.subarray(pos)])
        base = 0
        offset = pos - pending.length
      } else {
        // Only candidates that start inside `pending` need the joint view; the rest of the
        // search runs on `data` itself, so large reads are never copied.
        const joint = Buffer.concat([pending, data.subarray(pos, pos + span - 1)])
        for (let i = joint.indexOf(needle); i >= 0 && i < pending.length; i = joint.indexOf(needle, i + 1)) {
          if (this.#isEnd(joint, i)) {
            this.#addBody(pending.subarray(0, i))
            this.#finish(String.fromCharCode(joint[i + needle.length] as number) as ContinuationFlag, onFrame)
            return pos + i + span - pending.length
          }
        }
        this.#addBody(pending)
      }
    }

    for (let i = buf.indexOf(needle, base); i >= 0; i = buf.indexOf(needle, i + 1)) {
      if (i + span > buf.length) {
        // Undecided: the flag or CRLF has not arrived yet.
        this.#addBody(buf.subarray(base, i))
        this.#pending = Buffer.from(buf.subarray(i))
        return data.length
      }
      if (this.#isEnd(buf, i)) {
        this.#addBody(buf.subarray(base, i))
        this.#finish(String.fromCharCode(buf[i + needle.length] as number) as ContinuationFlag, onFrame)
        return i + span + offset
      }
    }
    // No end-line yet: everything but a possible needle prefix at the end is body.
    const keep = Math.min(buf.length - base, needle.length - 1)
    this.#addBody(buf.subarray(base, buf.length - keep))
    this.#pending = Buffer.from(buf.subarray(buf.length - keep))
    return data.length
  }

  // ---- frame -------------------------------------------------------------------------------

  #finish(continuation: ContinuationFlag, onFrame: (frame: MsrpFrame) => void): void {
    const start = this.#start as StartLine
    const headers = this.#headers
    if (headers['To-Path'] === undefined || headers['From-Path'] === undefined) {
      this.#fail('MSRP_MISSING_HEADER', `MSRP frame ${start.transactionId} lacks To-Path or From-Path (RFC 4975 §9 requires both)`)
    }
    let body: Buffer | undefined
    if (this.#hasBody) {
      const parts = this.#parts
      body = parts !== undefined ? Buffer.concat(parts, this.#bodyLen) : (this.#firstPart ?? EMPTY)
    }
    let frame: MsrpFrame
    if ('method' in start) {
      frame = { type: 'request', method: start.method, transactionId: start.transactionId, headers: headers as MsrpHeaders, extensionHeaders: this.#extensions, continuation }
    } else {
      frame = { type: 'response', status: start.status, transactionId: start.transactionId, headers: headers as MsrpHeaders, extensionHeaders: this.#extensions, continuation }
      if (start.comment !== undefined) frame.comment = start.comment
    }
    if (body !== undefined) frame.body = body
    if (this.#invalid !== undefined) frame.invalid = this.#invalid
    this.#state = 'head'
    this.#resetFrame()
    try {
      onFrame(frame)
    } catch (error) {
      this.#callbackError ??= { error }
    }
  }
}

/**
 * Parses exactly one complete frame from `bytes` (a convenience for tests and tools).
 *
 * @throws ParseError `MSRP_INCOMPLETE` when the bytes hold no complete frame or more than one.
 */
export function parseFrame(bytes: Uint8Array | string, options?: MsrpParserOptions): MsrpFrame {
  const parser = new MsrpParser(options)
  const frames = parser.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes)
  if (frames.length !== 1 || !parser.idle) {
    throw new ParseError('msrp', 'MSRP_INCOMPLETE', `expected exactly one complete MSRP frame, got ${frames.length}${parser.idle ? '' : ' and a partial one'}`)
  }
  return frames[0] as MsrpFrame
}
