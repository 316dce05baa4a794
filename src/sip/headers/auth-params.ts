import { SipScanner, quoteString, unquote } from '../grammar.ts'

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization), RFC 3261 §25.1 / RFC 7616: a scheme and comma-separated auth-params.
 */
export interface AuthValue {
  /** Auth scheme as written (`Digest`); compare case-insensitively. */
  scheme: string
  /** Parameters by lower-case name, values unquoted (`realm`, `nonce`, `qop`, `algorithm` ...). */
  params: Map<string, string>
}

function readAuthValue(s: SipScanner): AuthValue {
  s.skipWs()
  const scheme = s.token('as the auth scheme')
  const params = new Map<string, string>()
  for (;;) {
    s.skipWs()
    if (s.done) return { scheme, params }
    // A comma followed by "token LWS token" starts the next challenge (several in one line).
    const save = s.pos
    if (params.size > 0) {
      if (!s.accept(',')) s.fail('expected "," between auth-params')
      const look = s.pos
      const name = s.takeWhile((c) => c !== 0x3d && c !== 0x20 && c !== 0x09 && c !== 0x2c)
      s.skipWs()
      if (s.peek() !== '=') {
        s.pos = save
        return { scheme, params }
      }
      s.pos = look
      if (name.length === 0) s.fail('has an empty auth-param')
    }
    const name = s.token('as an auth-param name').toLowerCase()
    s.expect('=', `after auth-param "${name}"`)
    const value = s.peek() === '"' ? unquote(s.quoted()) : s.token(`as the value of "${name}"`)
    params.set(name, value)
  }
}

/** Parses one header value that may hold several challenges; fails with ParseError `code`. */
export function parseAuthValues(value: string, header = 'WWW-Authenticate'): AuthValue[] {
  const s: SipScanner = new SipScanner(value, `SIP_BAD_${header.toUpperCase().replace(/-/g, '_')}`, header)
  const list: AuthValue[] = []
  for (;;) {
    list.push(readAuthValue(s))
    s.skipWs()
    if (s.done) return list
    s.expect(',', 'between challenges')
  }
}

/** Parses a value holding exactly one challenge or credentials. */
export function parseAuthValue(value: string, header = 'Authorization'): AuthValue {
  const s: SipScanner = new SipScanner(value, `SIP_BAD_${header.toUpperCase().replace(/-/g, '_')}`, header)
  const v = readAuthValue(s)
  s.end()
  return v
}

/** Digest parameters sent without quotes (RFC 7616 §3.4, RFC 3261 §25.1); all others are quoted. */
export const UNQUOTED_AUTH_PARAMS: ReadonlySet<string> = new Set(['algorithm', 'qop', 'nc', 'stale', 'userhash'])

/**
 * Writes a challenge or credentials. Parameters keep the given order; those in `unquoted` are
 * written bare (in a challenge `qop` is quoted: pass a set without it).
 */
export function serializeAuthValue(value: AuthValue, unquoted: ReadonlySet<string> = UNQUOTED_AUTH_PARAMS): string {
  const parts = [...value.params].map(([name, v]) => `${name}=${unquoted.has(name.toLowerCase()) ? v : quoteString(v)}`)
  return parts.length === 0 ? value.scheme : `${value.scheme} ${parts.join(', ')}`
}
