import { ParseError } from '../../errors.ts'
import { SipScanner, headerErrorCode, isTokenChar, quoteString, unquote } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'
import { parseUri, serializeUri, type Uri } from '../uri.ts'
import { type HeaderParams, paramValue, readParams, serializeParams } from './params.ts'

const isAddrSpecChar = (c: number): boolean => c !== 0x3b && c !== 0x2c && c !== 0x20 && c !== 0x09

/**
 * A `name-addr` or `addr-spec` with its header parameters (RFC 3261 §20.10, §20.20, §20.39,
 * §20.30, §20.34): the value of To, From, Contact, Route, Record-Route, Refer-To ...
 */
export interface NameAddr {
  /** Display name, unquoted; undefined when there is none. */
  displayName?: string
  /** The address. Any scheme is accepted (RFC 4475 unksm2); check `uri.kind` before dialing. */
  uri: Uri
  /** Header parameters after the address (`tag`, `expires`, `q`, `lr` is a URI param instead). */
  params: HeaderParams
}

/**
 * Reads one name-addr / addr-spec from the scanner, stopping before a `,` or at the end.
 *
 * Display names are a quoted string or tokens separated by white space (RFC 4475 lwsdisp).
 * Inside `<...>` no white space is allowed (badaspec). An addr-spec without brackets may not
 * contain `?` `,` or `;` in the URI (§20.10): its `;` starts header parameters (cparam01).
 */
export function readNameAddr(s: SipScanner): NameAddr {
  s.skipWs()
  let displayName: string | undefined
  let bracketed = false
  if (s.peek() === '"') {
    displayName = unquote(s.quoted())
    s.skipWs()
    if (s.peek() !== '<') s.fail('has a display name that is not followed by <address>')
    bracketed = true
  } else if (s.peek() === '<') {
    bracketed = true
  } else {
    // Tokens followed by '<' are a display name; otherwise this is an addr-spec.
    const start = s.pos
    const words: string[] = []
    for (;;) {
      const word = s.takeWhile(isTokenChar)
      if (word.length === 0) break
      words.push(word)
      s.skipWs()
    }
    if (words.length > 0 && s.peek() === ',') {
      s.fail('has an unquoted display name with a comma; quote it (RFC 3261 §25.1, RFC 4475 baddn)')
    }
    if (words.length > 0 && s.peek() === '<') {
      displayName = words.join(' ')
      bracketed = true
    } else {
      s.pos = start
    }
  }
  let uriText: string
  if (bracketed) {
    s.pos++ // '<'
    const close = s.text.indexOf('>', s.pos)
    if (close < 0) s.fail('has "<" with no matching ">"')
    uriText = s.text.slice(s.pos, close)
    if (/[\s<]/.test(uriText)) s.fail('has white space or "<" inside <...> (RFC 3261 §20.10)')
    s.pos = close + 1
  } else {
    uriText = s.takeWhile(isAddrSpecChar)
    if (uriText.length === 0) s.fail('has no address')
    if (uriText.includes('?')) s.fail('has an address with "?" that is not enclosed in <...> (RFC 3261 §20.10)')
  }
  const uri = parseUri(uriText, { code: s.code, what: `${s.what} address` })
  const params = readParams(s)
  const result: NameAddr = { uri, params }
  if (displayName !== undefined) result.displayName = displayName
  return result
}

/** Parses a whole header value holding exactly one name-addr (To, From ...). */
export function parseNameAddr(value: string, header = 'To'): NameAddr {
  const s: SipScanner = new SipScanner(value, headerErrorCode(header), header)
  const result = readNameAddr(s)
  s.end()
  return result
}

/** Parses a comma-separated list of name-addrs (Route, Record-Route, Contact ...). */
export function parseNameAddrList(value: string, header = 'Route'): NameAddr[] {
  const s: SipScanner = new SipScanner(value, headerErrorCode(header), header)
  return s.list(() => readNameAddr(s), 'an address')
}

/** Writes a name-addr, always in angle brackets so any URI and parameters stay unambiguous. */
export function serializeNameAddr(value: NameAddr): string {
  const name = value.displayName !== undefined && value.displayName.length > 0 ? `${quoteString(value.displayName)} ` : ''
  return `${name}<${serializeUri(value.uri)}>${serializeParams(value.params)}`
}

/** The `tag` parameter of a To or From value (RFC 3261 §19.3). */
export function tagOf(value: NameAddr): string | undefined {
  const tag = paramValue(value.params, 'tag')
  return tag === null ? undefined : tag
}

/** Reads the single-valued name-addr header `name` (To, From, Refer-To ...); undefined when absent. */
export function readNameAddrHeader(headers: SipHeaders, name: string): NameAddr | undefined {
  const value = headers.get(name)
  return value === undefined ? undefined : parseNameAddr(value, name)
}

/** Reads every element of a name-addr list header across its lines (Route, Record-Route, Path ...). */
export function readNameAddrList(headers: SipHeaders, name: string): NameAddr[] {
  return headers.getAllLines(name).flatMap((line) => parseNameAddrList(line, name))
}

/** Like {@link readNameAddrHeader} but fails with `SIP_MISSING_<NAME>` when absent. */
export function requireNameAddrHeader(headers: SipHeaders, name: string): NameAddr {
  const value = readNameAddrHeader(headers, name)
  if (!value) {
    throw new ParseError('sip', `SIP_MISSING_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`, `the message has no ${name} header`)
  }
  return value
}
