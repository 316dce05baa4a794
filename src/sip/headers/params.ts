import { isToken, isTokenChar, type SipScanner, quoteString, unquote } from '../grammar.ts'

/**
 * Header parameters (`;tag=abc;lr;+sip.instance="<urn:...>"`, RFC 3261 §25.1 generic-param).
 *
 * Keys are lower-case (parameter names compare case-insensitively); values are kept as on the
 * wire, a quoted-string with its quotes, `null` for a valueless parameter. Read a value with
 * {@link paramValue} (unquoted); set plain text and {@link serializeParams} quotes it when needed.
 */
export type HeaderParams = Map<string, string | null>

const isGenValueChar = (c: number): boolean => isTokenChar(c) || c === 0x3a /* : */ || c === 0x5b || c === 0x5d /* [ ] (IPv6 host) */

/**
 * Reads `*( SEMI generic-param )` from the scanner, stopping before a `,` or at the end.
 * An empty parameter (`;;`) fails with the scanner's code (RFC 4475 badinv01).
 */
export function readParams(s: SipScanner, into: HeaderParams = new Map()): HeaderParams {
  for (;;) {
    s.skipWs()
    if (s.peek() !== ';') return into
    s.pos++
    s.skipWs()
    const name = s.token('as a parameter name')
    let value: string | null = null
    if (s.accept('=')) {
      if (s.peek() === '"') value = s.quoted()
      else {
        value = s.takeWhile(isGenValueChar)
        if (value.length === 0) s.fail(`has parameter "${name}" with an empty value`)
      }
    }
    into.set(name.toLowerCase(), value)
  }
}

/** The unquoted value of a parameter: undefined when absent, null when valueless. */
export function paramValue(params: HeaderParams, name: string): string | null | undefined {
  const raw = params.get(name.toLowerCase())
  if (raw === undefined || raw === null) return raw
  return unquote(raw)
}

const GEN_VALUE_RE = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/

/**
 * Writes parameters as `;name=value` pairs. A value already quoted is written as is; a value
 * that is neither a token nor a host is quoted.
 */
export function serializeParams(params: Iterable<[string, string | null]>): string {
  let out = ''
  for (const [name, value] of params) {
    if (!isToken(name)) continue
    out += `;${name}`
    if (value === null) continue
    const quotedAlready = value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    out += `=${quotedAlready || GEN_VALUE_RE.test(value) ? value : quoteString(value)}`
  }
  return out
}
