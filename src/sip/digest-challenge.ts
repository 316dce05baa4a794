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

const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/

function fail(message: string, offset?: number): never {
  throw new ParseError('sip', 'SIP_BAD_AUTH_HEADER', message, offset === undefined ? undefined : { offset })
}

/**
 * Parses a WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization value.
 *
 * Accepts several challenges in one value (`Digest a=1, Digest b=2`, RFC 7235 §4.1), LWS
 * around `=` and `,`, token or quoted-string values with `\` escapes, and parameter names in
 * any case. A parameter given twice in one challenge is an error (RFC 7235 §2.1).
 *
 * @throws ParseError `SIP_BAD_AUTH_HEADER` naming what is wrong.
 */
export function parseAuthHeader(value: string): AuthParams[] {
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
  skipWs()
  while (i < n) {
    const start = i
    const name = token()
    if (name.length === 0) fail(`expected a scheme or parameter name at offset ${start} in "${value.slice(start, start + 20)}"`, start)
    skipWs()
    if (value[i] !== '=') {
      // A token not followed by "=" starts a new challenge: it is the scheme.
      current = { scheme: name, params: new Map() }
      out.push(current)
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
    if (i < n) {
      if (value[i] !== ',') fail(`expected "," after parameter "${name}", found "${value[i]}"`, i)
      i++
      skipWs()
    }
  }
  if (out.length === 0) fail('empty authentication header')
  return out
}

/** Writes a quoted-string, escaping `"` and `\` (RFC 3261 §25.1). */
export function quoteAuthValue(text: string): string {
  return `"${text.replace(/["\\]/g, (ch) => `\\${ch}`)}"`
}

/**
 * Writes `scheme name=value, ...`. `quoted` names the parameters that must be quoted strings;
 * the rest are written as tokens (RFC 3261 §25.1: `algorithm`, `qop` (in credentials), `nc`,
 * `stale` are tokens).
 */
export function formatAuthHeader(scheme: string, params: ReadonlyArray<readonly [string, string, 'quoted' | 'token']>): string {
  return `${scheme} ${params.map(([name, value, kind]) => `${name}=${kind === 'quoted' ? quoteAuthValue(value) : value}`).join(', ')}`
}
