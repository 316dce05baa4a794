import { ParseError } from '../../errors.ts'
import { WORD_RE, boundedInteger, clip } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'

/** Largest delta-seconds value (Expires, Retry-After, expires params): 2^32-1 (RFC 3261 §20.19). */
export const MAX_DELTA_SECONDS = 2 ** 32 - 1

/** Parses Max-Forwards (RFC 3261 §20.22): 0..255, else SIP_BAD_MAX_FORWARDS. */
export function parseMaxForwards(value: string): number {
  const n = boundedInteger(value.trim(), 0, 255)
  if (n === undefined) throw new ParseError('sip', 'SIP_BAD_MAX_FORWARDS', `Max-Forwards "${clip(value)}" is not an integer in 0..255 (RFC 3261 §20.22)`)
  return n
}

/** Reads Max-Forwards; undefined when absent (RFC 2543 peers omit it, RFC 4475 inv2543). */
export function readMaxForwards(headers: SipHeaders): number | undefined {
  const value = headers.get('Max-Forwards')
  return value === undefined ? undefined : parseMaxForwards(value)
}

/** Parses a delta-seconds value (Expires, RFC 3261 §20.19): 0..2^32-1, else ParseError `code`. */
export function parseDeltaSeconds(value: string, code = 'SIP_BAD_EXPIRES', what = 'Expires'): number {
  const n = boundedInteger(value.trim(), 0, MAX_DELTA_SECONDS)
  if (n === undefined) throw new ParseError('sip', code, `${what} "${clip(value)}" is not a number of seconds in 0..2^32-1 (RFC 3261 §20.19)`)
  return n
}

/** Reads Expires; undefined when absent. */
export function readExpires(headers: SipHeaders): number | undefined {
  const value = headers.get('Expires')
  return value === undefined ? undefined : parseDeltaSeconds(value)
}

/** Parses Content-Length (RFC 3261 §20.14): 1*DIGIT, else SIP_BAD_CONTENT_LENGTH (RFC 4475 ncl). */
export function parseContentLength(value: string): number {
  const n = boundedInteger(value.trim(), 0, Number.MAX_SAFE_INTEGER)
  if (n === undefined) throw new ParseError('sip', 'SIP_BAD_CONTENT_LENGTH', `Content-Length "${clip(value)}" is not a non-negative integer (RFC 3261 §20.14)`)
  return n
}

/** Checks a Call-ID (RFC 3261 §20.8: word ["@" word]) and returns it; else SIP_BAD_CALL_ID. */
export function parseCallId(value: string): string {
  const v = value.trim()
  const at = v.indexOf('@')
  const ok = at < 0 ? WORD_RE.test(v) : WORD_RE.test(v.slice(0, at)) && WORD_RE.test(v.slice(at + 1))
  if (!ok) throw new ParseError('sip', 'SIP_BAD_CALL_ID', `Call-ID "${clip(value)}" is not word["@"word] (RFC 3261 §20.8)`)
  return v
}

const DATE_RE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/

/** Parses a Date header (RFC 3261 §20.17: rfc1123-date, always GMT); else SIP_BAD_DATE (RFC 4475 baddate). */
export function parseSipDate(value: string): Date {
  const m = DATE_RE.exec(value.trim())
  const date = m ? new Date(`${m[2]} ${m[3]} ${m[4]} ${m[5]}:${m[6]}:${m[7]} GMT`) : undefined
  if (!m || !date || Number.isNaN(date.getTime())) {
    throw new ParseError('sip', 'SIP_BAD_DATE', `Date "${clip(value)}" is not an RFC 1123 date in GMT, e.g. "Sat, 13 Nov 2010 23:29:00 GMT" (RFC 3261 §20.17)`)
  }
  return date
}

/** Writes a Date value in RFC 1123 form (always GMT). */
export function serializeSipDate(date: Date): string {
  return date.toUTCString()
}

/** Splits a comma list of tokens (Require, Supported, Allow ...) across all lines of the header. */
export function readTokenList(headers: SipHeaders, name: string): string[] {
  return headers.getList(name).map((t) => t.trim()).filter((t) => t.length > 0)
}
