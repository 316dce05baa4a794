/**
 * Byte-level fast paths of the MSRP parser for the common shapes (RFC 4975 §9): a start line
 * `MSRP <tid> SEND` or `MSRP <tid> 200 OK`, and the typed headers a chat frame carries in their
 * canonical spelling. They read the bytes in place and build no string but the results: a
 * Message-ID is checked to be an `ident` byte by byte before it is decoded, a Byte-Range is read
 * as digits, the report flags are compared with their constants, and a To-Path, From-Path or
 * Content-Type that repeats the previous frame's bytes is not decoded at all (see ValueMemo).
 * Anything they do not recognise or cannot prove well-formed returns undefined and the parser
 * takes its general path, which gives the same result or the precise error. Equivalence is
 * tested in test/msrp/parser-fast.test.ts, including a differential property test.
 */
import type { ByteRange, MsrpHeaderName } from './message.ts'

/** A parsed start line: a request's method or a response's status and comment. */
export type StartLine = { transactionId: string } & ({ method: string } | { status: number; comment: string | undefined })

const SP = 0x20
const COLON = 0x3a
const HTAB = 0x09
/** Methods seen on nearly every frame, returned as shared constants. */
const SEND = Buffer.from('SEND', 'latin1')
const REPORT = Buffer.from('REPORT', 'latin1')
const NICKNAME = Buffer.from('NICKNAME', 'latin1')
const AUTH = Buffer.from('AUTH', 'latin1')

/** Node's Buffer, which has latin1Slice: what `toString('latin1', from, to)` ends in. */
interface NodeBuffer extends Buffer {
  latin1Slice(from: number, to: number): string
}

/**
 * Whether Buffer#latin1Slice exists. Calling it directly saves the lookup of the encoding by name
 * that toString does on every call (a measurable share of a small frame); Buffer
 * implementations without it (a browser's) use toString.
 */
const HAS_LATIN1_SLICE = typeof (Buffer.prototype as Partial<NodeBuffer>).latin1Slice === 'function'

/** `buf[from, to)` decoded as latin1 (the caller has checked that the bytes are ASCII). */
function latin1(buf: Buffer, from: number, to: number): string {
  return HAS_LATIN1_SLICE ? (buf as NodeBuffer).latin1Slice(from, to) : buf.toString('latin1', from, to)
}

/** True when `buf[from, to)` holds exactly the bytes of `word`. */
function same(buf: Buffer, from: number, to: number, word: Buffer): boolean {
  if (to - from !== word.length) return false
  for (let i = 0; i < word.length; i++) if (buf[from + i] !== word[i]) return false
  return true
}

/**
 * Byte classes of RFC 4975 §9 `ident` by byte value: 2 for ALPHANUM, 1 for the other
 * ident-chars "." / "-" / "+" / "%" / "=", 0 for the rest. One load per byte instead of a chain
 * of comparisons.
 */
const IDENT_CLASS = new Uint8Array(256)
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
  IDENT_CLASS[c] = alnum ? 2 : c === 0x2e || c === 0x2d || c === 0x2b || c === 0x25 || c === 0x3d ? 1 : 0
}

/** `ident-char` (RFC 4975 §9): ALPHANUM / "." / "-" / "+" / "%" / "=". */
function isIdentChar(c: number): boolean {
  return (IDENT_CLASS[c] as number) !== 0
}

function isAlphaNum(c: number): boolean {
  return IDENT_CLASS[c] === 2
}

/**
 * Parses the start line `buf[from, end)` (without CRLF) when it is `MSRP <tid> <METHOD>` with a
 * known method or `MSRP <tid> <code>` / `MSRP <tid> <code> OK`; undefined for anything else (the
 * caller then uses the general, regex-based path). The caller has checked the `MSRP ` prefix.
 */
export function fastStartLine(buf: Buffer, from: number, end: number): StartLine | undefined {
  const tidFrom = from + 5
  let i = tidFrom
  while (i < end && isIdentChar(buf[i] as number)) i++
  const tidLen = i - tidFrom
  if (tidLen < 4 || tidLen > 32 || !isAlphaNum(buf[tidFrom] as number) || buf[i] !== SP) return undefined
  const transactionId = latin1(buf, tidFrom, i)
  const rest = i + 1
  const method = knownMethod(buf, rest, end)
  if (method !== undefined) return { transactionId, method }
  if (end - rest < 3) return undefined
  let status = 0
  for (let k = rest; k < rest + 3; k++) {
    const c = buf[k] as number
    if (c < 0x30 || c > 0x39) return undefined
    status = status * 10 + (c - 0x30)
  }
  if (end === rest + 3) return { transactionId, status, comment: undefined }
  // The comment nearly every response carries: "OK" (0x4f 0x4b).
  if (end === rest + 6 && buf[rest + 3] === SP && buf[rest + 4] === 0x4f && buf[rest + 5] === 0x4b) return { transactionId, status, comment: 'OK' }
  return undefined
}

/** SEND, REPORT, NICKNAME or AUTH when `buf[from, to)` is exactly one of them, told apart by length. */
function knownMethod(buf: Buffer, from: number, to: number): string | undefined {
  switch (to - from) {
    case 4:
      return same(buf, from, to, SEND) ? 'SEND' : same(buf, from, to, AUTH) ? 'AUTH' : undefined
    case 6:
      return same(buf, from, to, REPORT) ? 'REPORT' : undefined
    case 8:
      return same(buf, from, to, NICKNAME) ? 'NICKNAME' : undefined
    default:
      return undefined
  }
}

const TO_PATH = Buffer.from('To-Path', 'latin1')
const FROM_PATH = Buffer.from('From-Path', 'latin1')
const MESSAGE_ID = Buffer.from('Message-ID', 'latin1')
const BYTE_RANGE = Buffer.from('Byte-Range', 'latin1')
const SUCCESS_REPORT = Buffer.from('Success-Report', 'latin1')
const FAILURE_REPORT = Buffer.from('Failure-Report', 'latin1')
const CONTENT_TYPE = Buffer.from('Content-Type', 'latin1')
const STATUS = Buffer.from('Status', 'latin1')

/** `name` at `buf[from]`, followed by a colon, within `buf[from, end)`. */
function nameAt(buf: Buffer, from: number, end: number, name: Buffer): boolean {
  return from + name.length < end && buf[from + name.length] === COLON && same(buf, from, from + name.length, name)
}

/**
 * The typed header whose canonical name, then a colon, begins the header line `buf[from, end)`;
 * undefined for anything else (other spellings and extension headers take the general path).
 * Told apart by the first bytes, then compared once: the name's bytes are read once.
 */
export function fastHeaderName(buf: Buffer, from: number, end: number): MsrpHeaderName | undefined {
  switch (buf[from]) {
    case 0x54: // T
      return nameAt(buf, from, end, TO_PATH) ? 'To-Path' : undefined
    case 0x46: // F
      if (buf[from + 1] === 0x72) return nameAt(buf, from, end, FROM_PATH) ? 'From-Path' : undefined
      return nameAt(buf, from, end, FAILURE_REPORT) ? 'Failure-Report' : undefined
    case 0x4d: // M
      return nameAt(buf, from, end, MESSAGE_ID) ? 'Message-ID' : undefined
    case 0x42: // B
      return nameAt(buf, from, end, BYTE_RANGE) ? 'Byte-Range' : undefined
    case 0x43: // C
      return nameAt(buf, from, end, CONTENT_TYPE) ? 'Content-Type' : undefined
    case 0x53: // S
      if (buf[from + 1] === 0x75) return nameAt(buf, from, end, SUCCESS_REPORT) ? 'Success-Report' : undefined
      return nameAt(buf, from, end, STATUS) ? 'Status' : undefined
    default:
      return undefined
  }
}

/**
 * The Message-ID `buf[from, to)` when it is a valid `ident` (RFC 4975 §9: ALPHANUM then 3 to 31
 * ident-chars), decoded without a regular expression; undefined otherwise (the general path then
 * gives the precise error).
 */
export function fastIdent(buf: Buffer, from: number, to: number): string | undefined {
  const n = to - from
  if (n < 4 || n > 32 || !isAlphaNum(buf[from] as number)) return undefined
  for (let i = from + 1; i < to; i++) if (!isIdentChar(buf[i] as number)) return undefined
  return latin1(buf, from, to)
}

/** Digits `buf[from, to)` (1 to 15 of them) as a number, or -1. */
function digits(buf: Buffer, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1
  let v = 0
  for (let i = from; i < to; i++) {
    const c = buf[i] as number
    if (c < 0x30 || c > 0x39) return -1
    v = v * 10 + (c - 0x30)
  }
  return v
}

/** Digits or `*` (RFC 4975 §9 `range-end` / `total`), or -1. */
function digitsOrStar(buf: Buffer, from: number, to: number): number | '*' {
  return to - from === 1 && buf[from] === 0x2a ? '*' : digits(buf, from, to)
}

/**
 * The Byte-Range `buf[from, to)` (RFC 4975 §9 `start-end/total`) read from the bytes; undefined
 * for anything malformed (the general path then gives the precise error).
 */
export function fastByteRange(buf: Buffer, from: number, to: number): ByteRange | undefined {
  let dash = from
  while (dash < to && buf[dash] !== 0x2d) dash++
  let slash = dash + 1
  while (slash < to && buf[slash] !== 0x2f) slash++
  if (slash >= to) return undefined
  const start = digits(buf, from, dash)
  const end = digitsOrStar(buf, dash + 1, slash)
  const total = digitsOrStar(buf, slash + 1, to)
  if (start < 1 || end === -1 || total === -1) return undefined
  return { start, end, total }
}

const YES = Buffer.from('yes', 'latin1')
const NO = Buffer.from('no', 'latin1')
const PARTIAL = Buffer.from('partial', 'latin1')

/** `yes`, `no` or (when `partial` is allowed, as for Failure-Report) `partial`, read from the bytes; undefined for anything else. */
export function fastReport(buf: Buffer, from: number, to: number, partial: boolean): 'yes' | 'no' | 'partial' | undefined {
  if (same(buf, from, to, YES)) return 'yes'
  if (same(buf, from, to, NO)) return 'no'
  return partial && same(buf, from, to, PARTIAL) ? 'partial' : undefined
}

/** The first index in `[from, to)` that is not SP or HTAB. */
export function skipSpace(buf: Buffer, from: number, to: number): number {
  while (from < to && (buf[from] === SP || buf[from] === HTAB)) from++
  return from
}

/** The index after the last byte in `[from, to)` that is not SP or HTAB. */
export function trimSpaceEnd(buf: Buffer, from: number, to: number): number {
  while (to > from && (buf[to - 1] === SP || buf[to - 1] === HTAB)) to--
  return to
}

/**
 * True when `view[from, to)` holds exactly the bytes of `word`. Compares four bytes per step
 * through DataViews, which the optimizing compiler turns into plain loads: well under half the
 * time of a byte loop over a Buffer for a path of 50 bytes.
 */
function sameView(view: DataView, from: number, to: number, word: DataView): boolean {
  const n = word.byteLength
  if (to - from !== n) return false
  let i = 0
  for (; i + 4 <= n; i += 4) if (view.getUint32(from + i) !== word.getUint32(i)) return false
  for (; i < n; i++) if (view.getUint8(from + i) !== word.getUint8(i)) return false
  return true
}

/** A DataView over exactly the bytes of `buf`. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
}

/**
 * The last line a parser saw for one header and the value it parsed to, kept as bytes so a
 * repeat is recognised without decoding it into a string (a session repeats its To-Path,
 * From-Path and Content-Type lines on every frame).
 */
export class ValueMemo<T> {
  #bytes: DataView | undefined
  #value: T | undefined
  /** False until the first {@link set}, which only arms the memo. */
  #armed = false

  /** How many bytes are remembered (0 before the first {@link set}). */
  get length(): number {
    return this.#bytes === undefined ? 0 : this.#bytes.byteLength
  }

  /** The value remembered for exactly the bytes `view[from, to)`, or undefined. */
  get(view: DataView, from: number, to: number): T | undefined {
    const bytes = this.#bytes
    if (bytes === undefined || !sameView(view, from, to, bytes)) return undefined
    return this.#value
  }

  /**
   * Remembers `value` for the bytes `buf[from, to)` (copied into a memory of their own, not a
   * shared pool slab) — from the second call on: a session that parses one frame and then idles
   * (a participant that bound and listens) keeps no copy, which is most of a large room.
   */
  set(buf: Buffer, from: number, to: number, value: T): void {
    if (!this.#armed) {
      this.#armed = true
      return
    }
    const copy = new Uint8Array(to - from)
    copy.set(buf.subarray(from, to))
    this.#bytes = new DataView(copy.buffer)
    this.#value = value
  }
}
