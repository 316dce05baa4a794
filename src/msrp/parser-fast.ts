/**
 * Byte-level fast paths of the MSRP parser for the common shapes (RFC 4975 §9): a start line
 * `MSRP <tid> SEND` or `MSRP <tid> 200 OK`, and the typed headers a chat frame carries in their
 * canonical spelling. They read the bytes in place and build no string but the results; anything
 * they do not recognise returns undefined and the parser takes its general path, which gives the
 * same result or the precise error. Equivalence is tested in test/msrp/parser-fast.test.ts.
 */
import type { MsrpHeaderName } from './message.ts'

/** A parsed start line: a request's method or a response's status and comment. */
export type StartLine = { transactionId: string } & ({ method: string } | { status: number; comment: string | undefined })

const SP = 0x20
const HTAB = 0x09
/** Methods and comments seen on nearly every frame, returned as shared constants. */
const METHODS = ['SEND', 'REPORT', 'NICKNAME', 'AUTH'].map((m) => [Buffer.from(m, 'latin1'), m] as const)
const COMMENTS = ['OK'].map((c) => [Buffer.from(c, 'latin1'), c] as const)

/** True when `buf[from, to)` holds exactly the bytes of `word`. */
function same(buf: Buffer, from: number, to: number, word: Buffer): boolean {
  if (to - from !== word.length) return false
  for (let i = 0; i < word.length; i++) if (buf[from + i] !== word[i]) return false
  return true
}

/** `ident-char` (RFC 4975 §9): ALPHANUM / "." / "-" / "+" / "%" / "=". */
function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x25 || c === 0x3d
}

function isAlphaNum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
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
  const transactionId = buf.toString('latin1', tidFrom, i)
  const rest = i + 1
  for (const [bytes, method] of METHODS) if (same(buf, rest, end, bytes)) return { transactionId, method }
  if (end - rest < 3) return undefined
  let status = 0
  for (let k = rest; k < rest + 3; k++) {
    const c = buf[k] as number
    if (c < 0x30 || c > 0x39) return undefined
    status = status * 10 + (c - 0x30)
  }
  if (end === rest + 3) return { transactionId, status, comment: undefined }
  if (buf[rest + 3] !== SP) return undefined
  for (const [bytes, comment] of COMMENTS) if (same(buf, rest + 4, end, bytes)) return { transactionId, status, comment }
  return undefined
}

/** The typed headers taken on the fast path, by their canonical bytes. */
const FAST_NAMES: ReadonlyArray<readonly [Buffer, MsrpHeaderName]> = (
  ['To-Path', 'From-Path', 'Message-ID', 'Byte-Range', 'Success-Report', 'Failure-Report', 'Content-Type', 'Status'] as const
).map((name) => [Buffer.from(name, 'latin1'), name] as const)

/** The typed header whose canonical name is exactly `buf[from, colon)`, or undefined (other spellings take the general path). */
export function fastHeaderName(buf: Buffer, from: number, colon: number): MsrpHeaderName | undefined {
  for (const [bytes, name] of FAST_NAMES) if (same(buf, from, colon, bytes)) return name
  return undefined
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
 * The last path text a parser saw for one header, kept as bytes so a repeat is recognised
 * without decoding it into a string (a session repeats its To-Path and From-Path on every frame).
 */
export class PathMemo<T> {
  #bytes: Buffer | undefined
  #value: T | undefined

  /** The value remembered for exactly the bytes `buf[from, to)`, or undefined. */
  get(buf: Buffer, from: number, to: number): T | undefined {
    const bytes = this.#bytes
    if (bytes === undefined || !same(buf, from, to, bytes)) return undefined
    return this.#value
  }

  /** Remembers `value` for the bytes `buf[from, to)` (copied). */
  set(buf: Buffer, from: number, to: number, value: T): void {
    this.#bytes = Buffer.from(buf.subarray(from, to))
    this.#value = value
  }
}
