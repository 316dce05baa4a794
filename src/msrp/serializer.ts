/**
 * Writes MSRP frames exactly as the RFC 4975 §9 ABNF spells them:
 *
 * ```
 * msrp-request  = req-start headers [content-stuff] end-line
 * headers       = To-Path CRLF From-Path CRLF 1*( header CRLF )
 * content-stuff = *(Other-Mime-header CRLF) Content-Type 2CRLF data CRLF
 * end-line      = "-------" transact-id continuation-flag CRLF
 * ```
 *
 * `parseFrame(serializeFrame(x))` deep-equals `x` for every frame this module accepts.
 */
import { randomBytes } from '../random.ts'
import { MsrpBotError } from '../errors.ts'
import { HEADER_NAMES, MIME_HEADERS, formatHeader, isHeaderName, isHeaderText, isIdent } from './headers.ts'
import { MSRP_REASONS, type MsrpFrame, type MsrpHeaderName } from './message.ts'

/** A frame that cannot be written (bad transaction id, CR/LF in a header, end-line in the body…). */
export class MsrpSerializeError extends MsrpBotError {}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const DASHES = Buffer.from('-------', 'latin1')
const CR = 0x0d
const LF = 0x0a

/**
 * A fresh random transaction id: 12 alphanumerics from the Web Crypto API (about 71 bits),
 * so ids are unguessable and practically never repeat on a connection (RFC 4975 §7.1).
 */
export function generateTransactionId(length = 12): string {
  const bytes = randomBytes(length)
  let id = ''
  // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
  for (let i = 0; id.length < length; i++) {
    if (i >= bytes.length) return id + generateTransactionId(length - id.length)
    const b = bytes[i] as number
    if (b < 248) id += ALNUM[b % 62]
  }
  return id
}

/**
 * True when `body` would end the frame early if sent with transaction id `tid`: it contains
 * `-------tid` plus a continuation flag, at the start of the body or after a CRLF, followed by
 * CRLF or by the end of the body (where the frame's own CRLF follows). RFC 4975 §7.1.1.
 */
export function bodyContainsEndLine(body: Uint8Array, tid: string): boolean {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  // Most bodies have no dashes at all: one scan, no allocation.
  let k = buf.indexOf(DASHES)
  if (k < 0) return false
  const marker = `-------${tid}`
  const markerLength = marker.length // ASCII: idents are [A-Za-z0-9.-+%=]
  for (k = buf.indexOf(marker, k, 'latin1'); k >= 0; k = buf.indexOf(marker, k + 1, 'latin1')) {
    if (k !== 0 && !(k >= 2 && buf[k - 2] === CR && buf[k - 1] === LF)) continue
    const f = buf[k + markerLength]
    if (f !== 0x24 && f !== 0x2b && f !== 0x23) continue
    const j = k + markerLength + 1
    if (j === buf.length) return true
    if (buf[j] === CR && buf[j + 1] === LF) return true
  }
  return false
}

/** A new transaction id whose end-line does not occur in `body` (RFC 4975 §7.1.1). */
export function transactionIdFor(body?: Uint8Array): string {
  for (;;) {
    const tid = generateTransactionId()
    if (body === undefined || !bodyContainsEndLine(body, tid)) return tid
  }
}

function invalid(message: string): never {
  throw new MsrpSerializeError('MSRP_SERIALIZE_INVALID', message)
}

/** Same test as `isHeaderText(value) && !/^[ \t]|[ \t]$/.test(value)`, in one pass without regexes. */
function isCleanValue(value: string): boolean {
  const n = value.length
  if (n > 0) {
    const first = value.charCodeAt(0)
    const last = value.charCodeAt(n - 1)
    if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return false
  }
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i)
    // utf8text (RFC 4975 §9): no controls but HTAB.
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false
  }
  return true
}

function checkValue(name: string, value: string): void {
  if (!isCleanValue(value)) {
    invalid(`the ${name} header value ${JSON.stringify(value)} has CR/LF, control characters or edge whitespace`)
  }
}

/** Typed header keys as spelled in {@link MsrpHeaders} (the values of HEADER_NAMES). */
const CANONICAL_NAMES: ReadonlySet<string> = new Set(HEADER_NAMES.values())

/** Bodies up to this size are copied into the frame's single buffer; larger ones are passed through. */
const INLINE_BODY_LIMIT = 16 * 1024

/**
 * Writes a frame for the wire. Small frames come back as one buffer (head, body and tail
 * copied together: one allocation, one system call); a frame whose body exceeds 16 KiB comes
 * back as three buffers — head (start line, headers, blank line), body, tail (CRLF and
 * end-line) — so a transport can write a large body without copying it.
 *
 * @throws MsrpSerializeError for a frame that has no valid wire form.
 */
export function serializeFrameParts(frame: MsrpFrame): Buffer[] {
  const tid = frame.transactionId
  if (!isIdent(tid)) invalid(`transaction id "${tid}" must be 4-32 characters [A-Za-z0-9.-+%=] starting alphanumeric`)
  let head: string
  if (frame.type === 'request') {
    if (!/^[A-Z]+$/.test(frame.method)) invalid(`method "${frame.method}" must be upper-case letters`)
    head = `MSRP ${tid} ${frame.method}\r\n`
  } else {
    if (!Number.isInteger(frame.status) || frame.status < 100 || frame.status > 999) invalid(`status ${frame.status} must be three digits`)
    if (frame.comment !== undefined && !isHeaderText(frame.comment)) invalid('the response comment has CR/LF or control characters')
    head = frame.comment === undefined ? `MSRP ${tid} ${frame.status}\r\n` : `MSRP ${tid} ${frame.status} ${frame.comment}\r\n`
  }

  const h = frame.headers
  if (h['To-Path'].length === 0 || h['From-Path'].length === 0) invalid('To-Path and From-Path need at least one URI')
  head += `To-Path: ${formatHeader(h, 'To-Path')}\r\nFrom-Path: ${formatHeader(h, 'From-Path')}\r\n`
  let mime = ''
  for (const name in h) {
    if (name === 'To-Path' || name === 'From-Path' || name === 'Content-Type') continue
    const value = formatHeader(h, name as MsrpHeaderName)
    if (value === undefined) continue
    if (!CANONICAL_NAMES.has(name)) invalid(`unknown header key "${name}"; put it in extensionHeaders`)
    checkValue(name, value)
    if (name === 'Message-ID' && !isIdent(value)) invalid(`Message-ID "${value}" must be 4-32 characters [A-Za-z0-9.-+%=]`)
    if (MIME_HEADERS.has(name as MsrpHeaderName)) mime += `${name}: ${value}\r\n`
    else head += `${name}: ${value}\r\n`
  }
  for (const { name, value } of frame.extensionHeaders) {
    if (!isHeaderName(name)) invalid(`header name "${name}" is not a token`)
    if (HEADER_NAMES.has(name.toLowerCase())) invalid(`"${name}" is a typed header; set headers['${HEADER_NAMES.get(name.toLowerCase())}'] instead`)
    checkValue(name, value)
    // RFC 4975 §9: mime-extension-field headers belong with the other MIME headers.
    if (/^content-/i.test(name)) mime += `${name}: ${value}\r\n`
    else head += `${name}: ${value}\r\n`
  }
  head += mime
  const contentType = h['Content-Type']
  if (contentType !== undefined) {
    checkValue('Content-Type', contentType)
    head += `Content-Type: ${contentType}\r\n`
  }

  if (frame.continuation !== '$' && frame.continuation !== '+' && frame.continuation !== '#') {
    invalid(`continuation flag "${String(frame.continuation)}" must be $, + or #`)
  }
  const endLine = `-------${tid}${frame.continuation}\r\n`
  if (frame.body === undefined) return [Buffer.from(head + endLine, 'utf8')]
  if (bodyContainsEndLine(frame.body, tid)) {
    invalid(`the body contains the end-line of transaction ${tid}; pick another id with transactionIdFor(body)`)
  }
  const body = Buffer.isBuffer(frame.body) ? frame.body : Buffer.from(frame.body.buffer, frame.body.byteOffset, frame.body.byteLength)
  head += '\r\n'
  const tail = `\r\n${endLine}` // ASCII only
  if (body.length > INLINE_BODY_LIMIT) return [Buffer.from(head, 'utf8'), body, Buffer.from(tail, 'latin1')]
  const headBytes = Buffer.byteLength(head, 'utf8')
  const out = Buffer.allocUnsafe(headBytes + body.length + tail.length)
  out.write(head, 0, headBytes, 'utf8')
  body.copy(out, headBytes)
  out.write(tail, headBytes + body.length, tail.length, 'latin1')
  return [out]
}

/** Writes a frame as one buffer (see {@link serializeFrameParts}). */
export function serializeFrame(frame: MsrpFrame): Buffer {
  const parts = serializeFrameParts(frame)
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)
}

/** ` <code> <reason>` CRLF of the standard responses (RFC 4975 §10), shared by every connection. */
const STANDARD_STATUS_ENDS: ReadonlyMap<number, Buffer> = new Map(Object.entries(MSRP_REASONS).map(([code, reason]) => [Number(code), Buffer.from(` ${code} ${reason}\r\n`, 'latin1')]))
const MSRP_SPACE = Buffer.from('MSRP ', 'latin1')

/**
 * A response with a standard status and reason (`200 OK`, `481 Session Does Not Exist`, …) and
 * no header but To-Path and From-Path, as one buffer built from cached pieces: `paths` holds the
 * two header lines as {@link serializeFrameParts} writes them (see `pathLines` in
 * shared-send.ts). The bytes are those of `serializeFrameParts` for the same response. Undefined
 * when the response has no such form (another status or comment): serialize it as a frame.
 *
 * @throws MsrpSerializeError for a transaction id that is not an ident.
 */
export function serializeStandardResponse(tid: string, status: number, comment: string | undefined, paths: Buffer): Buffer | undefined {
  const statusEnd = STANDARD_STATUS_ENDS.get(status)
  if (statusEnd === undefined || comment !== MSRP_REASONS[status]) return undefined
  if (!isIdent(tid)) invalid(`transaction id "${tid}" must be 4-32 characters [A-Za-z0-9.-+%=] starting alphanumeric`)
  const n = tid.length
  const bytes = Buffer.allocUnsafe(5 + n + statusEnd.length + paths.length + 7 + n + 3)
  // TypedArray#set and char codes (tid is ASCII): cheaper than Buffer#write calls for a few bytes.
  bytes.set(MSRP_SPACE, 0)
  let o = 5
  for (let i = 0; i < n; i++) bytes[o++] = tid.charCodeAt(i)
  bytes.set(statusEnd, o)
  o += statusEnd.length
  bytes.set(paths, o)
  o += paths.length
  bytes.set(DASHES, o)
  o += 7
  for (let i = 0; i < n; i++) bytes[o++] = tid.charCodeAt(i)
  bytes[o] = 0x24 // $
  bytes[o + 1] = CR
  bytes[o + 2] = LF
  return bytes
}
