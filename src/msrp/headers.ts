/**
 * Header field values of MSRP (RFC 4975 §9, RFC 4976, RFC 7701 §7): parse a wire value into
 * its typed form and format it back. Shared by the parser and the serializer so that the two
 * can never disagree.
 */
import { ParseError } from '../errors.ts'
import type { ByteRange, MsrpHeaderName, MsrpHeaders, MsrpStatus } from './message.ts'
import { formatMsrpPath, parseMsrpPath } from './uri.ts'
import type { MsrpUri } from './uri.ts'

/** Canonical spelling of each typed header, looked up by its lower-case name. */
export const HEADER_NAMES: ReadonlyMap<string, MsrpHeaderName> = new Map(
  (
    [
      'To-Path',
      'From-Path',
      'Message-ID',
      'Byte-Range',
      'Success-Report',
      'Failure-Report',
      'Status',
      'Use-Nickname',
      'Use-Path',
      'Expires',
      'Min-Expires',
      'Max-Expires',
      'WWW-Authenticate',
      'Authorization',
      'Authentication-Info',
      'Content-ID',
      'Content-Description',
      'Content-Disposition',
      'Content-Type',
    ] as const
  ).map((name) => [name.toLowerCase(), name]),
)

/** MIME headers that belong in content-stuff, before Content-Type (RFC 4975 §9 `Other-Mime-header`). */
export const MIME_HEADERS: ReadonlySet<MsrpHeaderName> = new Set<MsrpHeaderName>([
  'Content-ID',
  'Content-Description',
  'Content-Disposition',
])

// ident = ALPHANUM 3*31ident-char ; ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="
const IDENT = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/
const DIGITS = /^[0-9]{1,15}$/
// utf8text: no control characters except HTAB (RFC 4975 §9)
const TEXT = /^[^\x00-\x08\x0a-\x1f\x7f]*$/

function bad(name: string, value: string, why: string): never {
  throw new ParseError('msrp', 'MSRP_HEADER_INVALID', `invalid ${name} header "${value}": ${why}`)
}

/** True when `id` is a valid transaction id or Message-ID (`ident`, RFC 4975 §9). */
export function isIdent(id: string): boolean {
  return IDENT.test(id)
}

// hname = ALPHA *token-char (RFC 4975 §9 ext-header)
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9\-_.!%*+`'~]*$/

/** True when `name` is a valid header field name (`hname`, RFC 4975 §9). */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name)
}

/** True when `text` may appear in a header value or status comment (no CR, LF, or other controls). */
export function isHeaderText(text: string): boolean {
  return TEXT.test(text)
}

function parseNumber(name: string, value: string): number {
  if (!DIGITS.test(value)) bad(name, value, 'expected digits')
  return Number(value)
}

/** Parses `start-end/total` (RFC 4975 §9 `Byte-Range`). */
export function parseByteRange(value: string): ByteRange {
  const quick = quickByteRange(value)
  if (quick !== undefined) return quick
  const m = /^([0-9]{1,15})-([0-9]{1,15}|\*)\/([0-9]{1,15}|\*)$/.exec(value)
  if (!m) return bad('Byte-Range', value, 'expected start-end/total, e.g. 1-25/25 or 1-*/*')
  const start = Number(m[1])
  const end = m[2] === '*' ? '*' : Number(m[2])
  const total = m[3] === '*' ? '*' : Number(m[3])
  if (start < 1) bad('Byte-Range', value, 'range-start counts from 1')
  return { start, end, total }
}

/** The common all-digits form `start-end/total` without a regex; undefined for anything else. */
function quickByteRange(value: string): ByteRange | undefined {
  const n = value.length
  const out = [0, 0, 0]
  let i = 0
  for (let k = 0; k < 3; k++) {
    const from = i
    let v = 0
    for (let c = value.charCodeAt(i); c >= 0x30 && c <= 0x39; c = value.charCodeAt(++i)) v = v * 10 + (c - 0x30)
    if (i === from || i - from > 15) return undefined
    out[k] = v
    // "-" after start, "/" after end, the end of the value after total.
    if (k === 0 ? value.charCodeAt(i++) !== 0x2d : k === 1 ? value.charCodeAt(i++) !== 0x2f : i !== n) return undefined
  }
  const [start, end, total] = out as [number, number, number]
  return start < 1 ? undefined : { start, end, total }
}

/** Formats a {@link ByteRange}. */
export function formatByteRange(range: ByteRange): string {
  return `${range.start}-${range.end}/${range.total}`
}

/** Parses `namespace SP status-code [SP comment]` (RFC 4975 §9 `Status`). */
export function parseStatus(value: string): MsrpStatus {
  const m = /^([0-9]{3}) ([0-9]{3})(?: (.*))?$/.exec(value)
  if (!m) return bad('Status', value, 'expected "000 200 OK"')
  const status: { namespace: number; code: number; comment?: string } = {
    namespace: Number(m[1]),
    code: Number(m[2]),
  }
  if (m[3] !== undefined) status.comment = m[3]
  return status
}

/** Formats a {@link MsrpStatus}, zero-padding the namespace to three digits. */
export function formatStatus(status: MsrpStatus): string {
  const head = `${String(status.namespace).padStart(3, '0')} ${String(status.code).padStart(3, '0')}`
  return status.comment === undefined ? head : `${head} ${status.comment}`
}

/** Parses an RFC 7701 §7 `quoted-string` nickname, undoing `\` escapes. */
export function parseQuoted(name: string, value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) bad(name, value, 'expected a quoted string')
  let out = ''
  for (let i = 1; i < value.length - 1; i++) {
    let ch = value[i] as string
    if (ch === '\\') {
      i++
      if (i >= value.length - 1) bad(name, value, 'dangling backslash')
      ch = value[i] as string
    } else if (ch === '"') {
      bad(name, value, 'unescaped quote inside the quoted string')
    }
    out += ch
  }
  return out
}

/**
 * Reads a `Use-Nickname` value. RFC 7701 §7 asks for a quoted-string; the SIP SIMPLE SDK
 * (Blink, SylkServer's clients) writes the nickname bare (`Use-Nickname: alice`, and an empty
 * value to clear it). Be liberal: a value that starts with `"` must be a valid quoted-string,
 * anything else is the nickname as written. What a nickname may contain is the room's call
 * (RFC 8266, answered 424), not the codec's.
 */
export function parseNicknameValue(name: string, value: string): string {
  return value.startsWith('"') ? parseQuoted(name, value) : value
}

/** Formats a string as a quoted-string, escaping `"` and `\`. */
export function formatQuoted(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/**
 * Parses a typed header value into `headers` under its canonical name (`parsePath` lets a
 * parser reuse recently parsed paths).
 *
 * @throws ParseError `MSRP_HEADER_INVALID` for a malformed value, `MSRP_HEADER_DUPLICATE` when
 *   the header appeared before (RFC 4975 §9 allows each once).
 */
export function setHeader(
  headers: Partial<MsrpHeaders>,
  name: MsrpHeaderName,
  value: string,
  parsePath: (text: string) => MsrpUri[] = parseMsrpPath,
): void {
  if (headers[name] !== undefined) {
    throw new ParseError('msrp', 'MSRP_HEADER_DUPLICATE', `the ${name} header appears twice; send it once`)
  }
  const h = headers as Record<string, unknown>
  switch (name) {
    case 'To-Path':
    case 'From-Path':
    case 'Use-Path':
      h[name] = parsePath(value)
      return
    case 'Message-ID':
      if (!IDENT.test(value)) bad(name, value, 'expected 4 to 32 characters [A-Za-z0-9.-+%=]')
      h[name] = value
      return
    case 'Byte-Range':
      h[name] = parseByteRange(value)
      return
    case 'Success-Report':
      if (value !== 'yes' && value !== 'no') bad(name, value, 'expected yes or no')
      h[name] = value
      return
    case 'Failure-Report':
      if (value !== 'yes' && value !== 'no' && value !== 'partial') bad(name, value, 'expected yes, no or partial')
      h[name] = value
      return
    case 'Status':
      h[name] = parseStatus(value)
      return
    case 'Use-Nickname':
      h[name] = parseNicknameValue(name, value)
      return
    case 'Expires':
    case 'Min-Expires':
    case 'Max-Expires':
      h[name] = parseNumber(name, value)
      return
    default:
      h[name] = value
  }
}

/** Formats the typed header `name` of `headers` for the wire (the value only). */
export function formatHeader(headers: MsrpHeaders, name: MsrpHeaderName): string | undefined {
  const value = headers[name]
  if (value === undefined) return undefined
  switch (name) {
    case 'To-Path':
    case 'From-Path':
    case 'Use-Path':
      return formatMsrpPath(headers[name] ?? [])
    case 'Byte-Range':
      return formatByteRange(headers[name] as ByteRange)
    case 'Status':
      return formatStatus(headers[name] as MsrpStatus)
    case 'Use-Nickname':
      return formatQuoted(headers[name] as string)
    default:
      return String(value)
  }
}
