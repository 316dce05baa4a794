/**
 * Typed readers for WWW-Authenticate, Proxy-Authenticate, Authorization and Proxy-Authorization
 * (RFC 3261 §25.1 / RFC 7616) on the shared auth-param codec of src/digest, with errors that
 * name the header (`SIP_BAD_PROXY_AUTHENTICATE`, ...).
 */
import { type AuthParams, formatAuthHeader, parseAuthHeader } from '../../digest/index.ts'
import { ParseError } from '../../errors.ts'

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization): a scheme and its auth-params by lower-case name, values unquoted.
 */
export type AuthValue = AuthParams

function errorFor(header: string): { protocol: 'sip'; code: string } {
  return { protocol: 'sip', code: `SIP_BAD_${header.toUpperCase().replace(/-/g, '_')}` }
}

/** Parses one header value that may hold several challenges; fails with ParseError `SIP_BAD_<HEADER>`. */
export function parseAuthValues(value: string, header = 'WWW-Authenticate'): AuthValue[] {
  return parseAuthHeader(value, errorFor(header))
}

/** Parses a value holding exactly one challenge or credentials. */
export function parseAuthValue(value: string, header = 'Authorization'): AuthValue {
  const error = errorFor(header)
  const list = parseAuthHeader(value, error)
  if (list.length !== 1) throw new ParseError('sip', error.code, `${header} holds ${list.length} challenges or credentials where one is expected`)
  return list[0]!
}

/** Digest parameters sent without quotes (RFC 7616 §3.4, RFC 3261 §25.1); all others are quoted. */
export const UNQUOTED_AUTH_PARAMS: ReadonlySet<string> = new Set(['algorithm', 'qop', 'nc', 'stale', 'userhash'])

/**
 * Writes a challenge or credentials. Parameters keep the given order; those in `unquoted` are
 * written bare (in a challenge `qop` is quoted: pass a set without it).
 */
export function serializeAuthValue(value: AuthValue, unquoted: ReadonlySet<string> = UNQUOTED_AUTH_PARAMS): string {
  return formatAuthHeader(value.scheme, [...value.params].map(([name, v]) => [name, v, unquoted.has(name.toLowerCase()) ? 'token' : 'quoted'] as const))
}
