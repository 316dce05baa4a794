/**
 * The auth-param codec that SIP (WWW-Authenticate, Proxy-Authenticate, Authorization,
 * Proxy-Authorization; RFC 3261 §25.1) and MSRP relay AUTH (RFC 4976 §5) share: a scheme
 * followed by comma-separated `name=value` pairs (RFC 7235 §2.1).
 */
import { ParseError } from '../errors.ts'

/**
 * One challenge or credentials value: the scheme and its auth-params
 * (RFC 3261 §25.1 `challenge` / `credentials`, RFC 7235 §2.1).
 */
export interface AuthParams {
  /** The scheme as written, e.g. `Digest`; compare case-insensitively. */
  readonly scheme: string
  /** Parameter values keyed by lower-case name, quotes removed and escapes resolved. */
  readonly params: ReadonlyMap<string, string>
}

/** Longest header value the parser reads; real challenges are a few hundred octets. */
export const MAX_AUTH_HEADER_LENGTH = 8192

/** Which ParseError a malformed value raises (the caller's protocol and header). */
export interface AuthParseErrorSpec {
  readonly protocol: ParseError['protocol']
  readonly code: string
}

const DEFAULT_ERROR: AuthParseErrorSpec = { protocol: 'sip', code: 'SIP_BAD_AUTH_HEADER' }

const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/

/**
 * Parses a WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization value.
 *
 * Accepts several challenges in one value (`Digest a=1, Digest b=2`, RFC 7235 §4.1), a scheme
 * with no parameters, LWS around `=` and `,`, token or quoted-string values with `\` escapes, and
 * parameter names in any case. A parameter given twice in one challenge is an error
 * (RFC 7235 §2.1), and so is a value longer than {@link MAX_AUTH_HEADER_LENGTH}.
 *
 * @param error the ParseError to raise (default: protocol `sip`, code `SIP_BAD_AUTH_HEADER`).
 * @throws ParseError naming what is wrong.
 */
export function parseAuthHeader(value: string, error: AuthParseErrorSpec = DEFAULT_ERROR): AuthParams[] {
  const fail: (message: string, offset?: number) => never = (message, offset) => {
    throw new ParseError(error.protocol, error.code, message, offset === undefined ? undefined : { offset })
  }
  if (value.length > MAX_AUTH_HEADER_LENGTH) fail(`authentication header of ${value.length} octets exceeds ${MAX_AUTH_HEADER_LENGTH}`)
  const out: AuthParams[] = []
  let i = 0
  const n = value.length
  const skipWs = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === '\r' || value[i] === '\n')) i++
  }
  const token = (): string => {
    const start = i
    while (i < n && TOKEN_CHAR.test(value[i]!)) i++
    return value.slice(start, i)
  }
  let current: { scheme: string; params: Map<string, string> } | undefined
  // A new challenge starts at the beginning or after a comma, never right after a scheme.
  let schemeAllowed = true
  skipWs()
  while (i < n) {
    const start = i
    const name = token()
    if (name.length === 0) fail(`expected a scheme or parameter name at offset ${start} in "${value.slice(start, start + 20)}"`, start)
    skipWs()
    if (value[i] !== '=') {
      // A token not followed by "=" starts a new challenge: it is the scheme.
      if (!schemeAllowed) fail(`expected "name=value" after scheme "${current?.scheme}", found "${name}"`, start)
      current = { scheme: name, params: new Map() }
      out.push(current)
      schemeAllowed = false
      if (value[i] === ',') {
        i++
        skipWs()
        schemeAllowed = true
      }
      continue
    }
    if (!current) fail(`parameter "${name}" comes before any scheme`, start)
    i++ // '='
    skipWs()
    let paramValue: string
    if (value[i] === '"') {
      i++
      let text = ''
      for (;;) {
        if (i >= n) fail(`unterminated quoted string for parameter "${name}"`, i)
        const ch = value[i]!
        if (ch === '\\') {
          if (i + 1 >= n) fail(`dangling escape in parameter "${name}"`, i)
          text += value[i + 1]
          i += 2
        } else if (ch === '"') {
          i++
          break
        } else {
          text += ch
          i++
        }
      }
      paramValue = text
    } else {
      paramValue = token()
      if (paramValue.length === 0) fail(`parameter "${name}" has no value`, i)
    }
    const key = name.toLowerCase()
    if (current.params.has(key)) fail(`parameter "${name}" appears twice in one challenge`, start)
    current.params.set(key, paramValue)
    skipWs()
    schemeAllowed = false
    if (i < n) {
      if (value[i] !== ',') fail(`expected "," after parameter "${name}", found "${value[i]}"`, i)
      i++
      skipWs()
      schemeAllowed = true
    }
  }
  if (out.length === 0) fail('empty authentication header')
  return out
}

/**
 * Writes a quoted-string, escaping `"` and `\` (RFC 3261 §25.1). CR and LF are dropped: a
 * quoted-string cannot hold them, and keeping them would let a value break the header line.
 */
export function quoteAuthValue(text: string): string {
  return `"${text.replace(/[\r\n]/g, '').replace(/["\\]/g, (ch) => `\\${ch}`)}"`
}

/** How a parameter is written: as a quoted-string or a bare token. */
export type AuthParamKind = 'quoted' | 'token'

/**
 * Writes `scheme name=value, ...` (just `scheme` with no parameters). `kind` says which
 * parameters are quoted strings; the rest are written as tokens (RFC 3261 §25.1: `algorithm`,
 * `qop` (in credentials), `nc`, `stale` are tokens).
 */
export function formatAuthHeader(scheme: string, params: ReadonlyArray<readonly [string, string, AuthParamKind]>): string {
  if (params.length === 0) return scheme
  return `${scheme} ${params.map(([name, value, kind]) => `${name}=${kind === 'quoted' ? quoteAuthValue(value) : value}`).join(', ')}`
}
