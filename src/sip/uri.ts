import { ParseError } from '../errors.ts'
import { clip } from './grammar.ts'

/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), plus any other absolute URI kept opaque.
 *
 * Components are stored decoded (`%75se%72` → `user`); {@link serializeUri} escapes again what
 * must be escaped, so parse → serialize may change spelling but never meaning.
 * Parameter names are stored lower-case (they compare case-insensitively, §19.1.4).
 */

/** A `sip:` or `sips:` URI (RFC 3261 §19.1.1). */
export interface SipUri {
  readonly kind: 'sip'
  /** `sips` demands TLS on every hop (§19.1.2). */
  scheme: 'sip' | 'sips'
  /** User part, unescaped; undefined when the URI has none. */
  user?: string
  /** Password, unescaped (its use is NOT RECOMMENDED, §19.1.1). */
  password?: string
  /** Host as written: domain name, IPv4 address or `[IPv6]` (brackets kept). */
  host: string
  /** Port, when explicit. */
  port?: number
  /** uri-parameters by lower-case name: `null` for a valueless one (`lr`). Values unescaped. */
  params: Map<string, string | null>
  /** URI headers (`?subject=x&priority=urgent`), unescaped, in order. */
  headers: Array<[name: string, value: string]>
}

/** A `tel:` URI (RFC 3966), kept as its number plus parameters. */
export interface TelUri {
  readonly kind: 'tel'
  /** The telephone-subscriber as written (`+1-201-555-0123` or a local number). */
  number: string
  /** Parameters by lower-case name (`phone-context`, `ext`, `isub` ...). */
  params: Map<string, string | null>
}

/** Any other absolute URI (`http:`, `urn:`, unknown schemes): carried, never interpreted (RFC 4475 unkscm). */
export interface AbsoluteUri {
  readonly kind: 'absolute'
  /** Scheme, lower-case. */
  scheme: string
  /** Everything after the first `:`, as written. */
  rest: string
}

/** Any URI this stack can carry. */
export type Uri = SipUri | TelUri | AbsoluteUri

/** Options for {@link parseUri}: the ParseError code and the name of the field, for messages. */
export interface UriParseOptions {
  /** ParseError code on failure (default `SIP_BAD_URI`). */
  readonly code?: string
  /** What holds the URI, for the error message (default `URI`). */
  readonly what?: string
}

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+\-.]*$/
// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ); non-ASCII tolerated.
const USER_RE = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])+$/
const PASSWORD_RE = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*$/
const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9\-_.]*[A-Za-z0-9.])?$/
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/
const PARAM_RE = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/
const HNV_RE = /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/
const URIC_RE = /^(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()[\]#]|%[0-9A-Fa-f]{2})+$/
const TEL_RE = /^\+?[0-9A-Fa-f*#\-.()pPwW]+$/

/**
 * Parses any URI. `sip`/`sips` and `tel` are parsed into their parts; other schemes become an
 * {@link AbsoluteUri}, so an unknown scheme is the UA's 416 decision, not a parse failure.
 * Throws ParseError (code from `options.code`, default `SIP_BAD_URI`) on malformed text.
 */
export function parseUri(text: string, options: UriParseOptions = {}): Uri {
  const fail = new UriFault(text, options.code ?? 'SIP_BAD_URI', options.what ?? 'URI')
  const colon = text.indexOf(':')
  if (colon <= 0) return fail.raise('has no scheme (expected e.g. sip:user@host)')
  const scheme = text.slice(0, colon)
  if (!SCHEME_RE.test(scheme)) return fail.raise(`has an invalid scheme "${clip(scheme, 20)}"`)
  const lower = scheme.toLowerCase()
  const rest = text.slice(colon + 1)
  if (lower === 'sip' || lower === 'sips') return parseSipParts(lower, rest, fail)
  if (lower === 'tel') return parseTel(rest, fail)
  if (!URIC_RE.test(rest)) return fail.raise('contains characters no URI may hold (RFC 3986)')
  return { kind: 'absolute', scheme: lower, rest }
}

/** Raises the ParseError of one URI parse (a class, not a closure per call: parsing is hot). */
class UriFault {
  constructor(readonly text: string, readonly code: string, readonly what: string) {}
  raise(problem: string): never {
    throw new ParseError('sip', this.code, `${this.what} "${clip(this.text)}" ${problem}`)
  }
}

/** Parses a URI that must be `sip:` or `sips:`; other schemes fail with `SIP_BAD_URI` (or `options.code`). */
export function parseSipUri(text: string, options: UriParseOptions = {}): SipUri {
  const uri = parseUri(text, options)
  if (uri.kind !== 'sip') {
    throw new ParseError('sip', options.code ?? 'SIP_BAD_URI', `${options.what ?? 'URI'} "${clip(text)}" is not a sip: or sips: URI`)
  }
  return uri
}

function parseSipParts(scheme: 'sip' | 'sips', rest: string, fail: UriFault): SipUri {
  let user: string | undefined
  let password: string | undefined
  // userinfo cannot hold an unescaped '@' (§25.1), so the first one ends it.
  const at = rest.indexOf('@')
  let hostPart = rest
  if (at >= 0) {
    const userinfo = rest.slice(0, at)
    hostPart = rest.slice(at + 1)
    const pw = userinfo.indexOf(':')
    const rawUser = pw >= 0 ? userinfo.slice(0, pw) : userinfo
    if (!USER_RE.test(rawUser)) fail.raise('has an invalid user part')
    user = unescapeComponent(rawUser)
    if (pw >= 0) {
      const rawPassword = userinfo.slice(pw + 1)
      if (!PASSWORD_RE.test(rawPassword)) fail.raise('has an invalid password')
      password = unescapeComponent(rawPassword)
    }
  }
  let end = hostPart.length
  const q = hostPart.indexOf('?')
  const headerText = q >= 0 ? hostPart.slice(q + 1) : undefined
  if (q >= 0) end = q
  const beforeHeaders = hostPart.slice(0, end)
  let hostport: string
  let paramText = ''
  if (beforeHeaders.startsWith('[')) {
    const close = beforeHeaders.indexOf(']')
    if (close < 0) fail.raise('has an IPv6 reference with no closing "]"')
    const semi = beforeHeaders.indexOf(';', close)
    hostport = semi >= 0 ? beforeHeaders.slice(0, semi) : beforeHeaders
    paramText = semi >= 0 ? beforeHeaders.slice(semi) : ''
  } else {
    const semi = beforeHeaders.indexOf(';')
    hostport = semi >= 0 ? beforeHeaders.slice(0, semi) : beforeHeaders
    paramText = semi >= 0 ? beforeHeaders.slice(semi) : ''
  }
  let host = hostport
  let port: number | undefined
  const portColon = hostport.lastIndexOf(':')
  if (portColon >= 0 && portColon > hostport.lastIndexOf(']')) {
    host = hostport.slice(0, portColon)
    const portText = hostport.slice(portColon + 1)
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) fail.raise(`has an invalid port "${clip(portText, 10)}"`)
    port = Number(portText)
  }
  if (host.length === 0) fail.raise('has no host')
  if (!(HOSTNAME_RE.test(host) || IPV6_RE.test(host))) fail.raise(`has an invalid host "${clip(host, 40)}"`)
  const params = new Map<string, string | null>()
  if (paramText.length > 0) {
    for (const part of paramText.slice(1).split(';')) {
      const eq = part.indexOf('=')
      const name = eq >= 0 ? part.slice(0, eq) : part
      const value = eq >= 0 ? part.slice(eq + 1) : null
      if (!PARAM_RE.test(name) || (value !== null && !PARAM_RE.test(value))) fail.raise(`has an invalid parameter "${clip(part, 30)}"`)
      params.set(unescapeComponent(name).toLowerCase(), value === null ? null : unescapeComponent(value))
    }
  }
  const headers: Array<[string, string]> = []
  if (headerText !== undefined) {
    for (const part of headerText.split('&')) {
      const eq = part.indexOf('=')
      if (eq <= 0) fail.raise(`has an invalid header "${clip(part, 30)}" (expected name=value)`)
      const name = part.slice(0, eq)
      const value = part.slice(eq + 1)
      if (!HNV_RE.test(name) || !HNV_RE.test(value)) fail.raise(`has an invalid header "${clip(part, 30)}"`)
      headers.push([unescapeComponent(name), unescapeComponent(value)])
    }
  }
  const uri: SipUri = { kind: 'sip', scheme, host, params, headers }
  if (user !== undefined) uri.user = user
  if (password !== undefined) uri.password = password
  if (port !== undefined) uri.port = port
  return uri
}

function parseTel(rest: string, fail: UriFault): TelUri {
  const [number = '', ...paramParts] = rest.split(';')
  if (!TEL_RE.test(number)) fail.raise('has an invalid telephone number (RFC 3966)')
  const params = new Map<string, string | null>()
  for (const part of paramParts) {
    const eq = part.indexOf('=')
    const name = eq >= 0 ? part.slice(0, eq) : part
    if (!PARAM_RE.test(name)) fail.raise(`has an invalid parameter "${clip(part, 30)}"`)
    params.set(name.toLowerCase(), eq >= 0 ? unescapeComponent(part.slice(eq + 1)) : null)
  }
  return { kind: 'tel', number, params }
}

/** Decodes %HH escapes; byte runs that are not UTF-8 are kept escaped so no information is lost. */
export function unescapeComponent(text: string): string {
  if (!text.includes('%')) return text
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex')
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return run
    }
  })
}

function escapeWith(text: string, allowed: RegExp): string {
  let out = ''
  for (const ch of text) {
    if (allowed.test(ch)) out += ch
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

const USER_CHAR = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]$/
const PASSWORD_CHAR = /^[A-Za-z0-9\-_.!~*'()&=+$,]$/
const PARAM_CHAR = /^[A-Za-z0-9\-_.!~*'()[\]/:&+$]$/
const HNV_CHAR = /^[A-Za-z0-9\-_.!~*'()[\]/?:+$]$/

/** Writes a URI with every component escaped as RFC 3261 §25.1 requires. */
export function serializeUri(uri: Uri): string {
  if (uri.kind === 'absolute') return `${uri.scheme}:${uri.rest}`
  if (uri.kind === 'tel') return `tel:${uri.number}${serializeUriParams(uri.params)}`
  let out = `${uri.scheme}:`
  if (uri.user !== undefined) {
    out += escapeWith(uri.user, USER_CHAR)
    if (uri.password !== undefined) out += `:${escapeWith(uri.password, PASSWORD_CHAR)}`
    out += '@'
  }
  out += uri.host
  if (uri.port !== undefined) out += `:${uri.port}`
  out += serializeUriParams(uri.params)
  if (uri.headers.length > 0) {
    out += '?' + uri.headers.map(([n, v]) => `${escapeWith(n, HNV_CHAR)}=${escapeWith(v, HNV_CHAR)}`).join('&')
  }
  return out
}

function serializeUriParams(params: Map<string, string | null>): string {
  let out = ''
  for (const [name, value] of params) {
    out += `;${escapeWith(name, PARAM_CHAR)}`
    if (value !== null) out += `=${escapeWith(value, PARAM_CHAR)}`
  }
  return out
}

/** Builds a SIP URI from parts (`params` as a record for convenience). */
export function sipUri(parts: {
  scheme?: 'sip' | 'sips'
  user?: string
  host: string
  port?: number
  params?: Record<string, string | null>
}): SipUri {
  const uri: SipUri = { kind: 'sip', scheme: parts.scheme ?? 'sip', host: parts.host, params: new Map(), headers: [] }
  if (parts.user !== undefined) uri.user = parts.user
  if (parts.port !== undefined) uri.port = parts.port
  for (const [k, v] of Object.entries(parts.params ?? {})) uri.params.set(k.toLowerCase(), v)
  return uri
}

/** Parameters that, present in one SIP URI, must be present and equal in the other (§19.1.4). */
const STRICT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport']

/**
 * URI equality per RFC 3261 §19.1.4: userinfo case-sensitive (after unescaping), host and
 * parameters case-insensitive, explicit port ≠ default port, user/ttl/method/maddr/transport
 * must match when either has them, other parameters only when both have them, headers all match.
 * tel URIs compare their numbers without visual separators (RFC 3966 §4); other URIs compare
 * scheme case-insensitively and the rest exactly.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind !== b.kind) return false
  if (a.kind === 'absolute' && b.kind === 'absolute') return a.scheme === b.scheme && a.rest === b.rest
  if (a.kind === 'tel' && b.kind === 'tel') {
    const strip = (n: string): string => n.replace(/[\-.()]/g, '').toLowerCase()
    return strip(a.number) === strip(b.number) && paramsEqualAll(a.params, b.params)
  }
  if (a.kind !== 'sip' || b.kind !== 'sip') return false
  if (a.scheme !== b.scheme) return false
  if (a.user !== b.user || a.password !== b.password) return false
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false
  for (const name of STRICT_PARAMS) {
    const av = a.params.get(name)
    const bv = b.params.get(name)
    if (av === undefined && bv === undefined) continue
    if (av === undefined || bv === undefined || !sameValue(av, bv)) return false
  }
  for (const [name, av] of a.params) {
    const bv = b.params.get(name)
    if (bv !== undefined && !sameValue(av, bv)) return false
  }
  if (a.headers.length !== b.headers.length) return false
  for (const [name, value] of a.headers) {
    if (!b.headers.some(([n, v]) => n.toLowerCase() === name.toLowerCase() && v === value)) return false
  }
  return true
}

function sameValue(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && a.toLowerCase() === b.toLowerCase())
}

function paramsEqualAll(a: Map<string, string | null>, b: Map<string, string | null>): boolean {
  if (a.size !== b.size) return false
  for (const [name, av] of a) {
    const bv = b.get(name)
    if (bv === undefined || !sameValue(av, bv)) return false
  }
  return true
}

/** The host of a URI or Via without IPv6 brackets, as sockets want it. */
export function hostForSocket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/**
 * The result of {@link addressOfRecordKey}: the key, or why the input names no address of record.
 * A caller MUST treat a failure as "not this identity" (refuse the request), never as some other,
 * unchecked identity.
 */
export type AddressOfRecordKey =
  | { readonly ok: true; readonly key: string; readonly uri: Uri }
  | { readonly ok: false; readonly error: ParseError }

// Characters a key keeps as they are in a user part; everything else is %HH (upper-case) of its
// UTF-8 bytes, so two spellings of one user give one key and no user can forge an '@', '?' or
// ':' (RFC 3261 §19.1.4: userinfo compares after unescaping).
const KEY_USER_CHAR = /^[A-Za-z0-9\-_.!~*'()&=+$,;/]$/

/**
 * The canonical address-of-record key of a URI (RFC 3261 §10.3 step 5 and §19.1.4), for
 * comparing identities and indexing maps by them: `sip:alice@example.test`.
 *
 * - Input: a URI, a bracketed `<URI>`, or a parsed {@link Uri}. The URI is parsed with
 *   {@link parseUri} first: whatever the parser refuses is `{ ok: false }`, so text can never be
 *   "half understood" (a user part of `mod%40example.test%3F` is the user `mod@example.test?`,
 *   written back escaped, never the user `mod` at `example.test`).
 * - sip/sips: scheme, user (unescaped, then re-escaped canonically; case-sensitive), host
 *   (lower-case) and an explicit port are kept; URI parameters, headers and any password are
 *   dropped (§10.3: "all URI parameters MUST be removed"). `sip:` and `sips:` stay distinct (§19.1.4).
 * - tel: the number without visual separators (RFC 3966 §4).
 * - Other schemes (`im:`, `pres:`, RFC 3860/3859): scheme, the part before `?`, with the domain
 *   after the last `@` lower-cased.
 *
 * @example
 * ```ts
 * addressOfRecordKey('<sip:Alice@Example.TEST;transport=tcp>')  // { ok: true, key: 'sip:Alice@example.test', ... }
 * addressOfRecordKey('sip:mod%40example.test%3F@evil.test')      // key 'sip:mod%40example.test%3F@evil.test'
 * addressOfRecordKey('sip:mod@')                                  // { ok: false, error: ParseError }
 * ```
 */
export function addressOfRecordKey(input: string | Uri): AddressOfRecordKey {
  let uri: Uri
  if (typeof input === 'string') {
    let text = input.trim()
    if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1)
    try {
      uri = parseUri(text, { code: 'SIP_BAD_IDENTITY', what: 'identity' })
    } catch (error) {
      if (error instanceof ParseError) return { ok: false, error }
      throw error
    }
  } else {
    uri = input
  }
  return { ok: true, key: keyOfParsedUri(uri), uri }
}

function keyOfParsedUri(uri: Uri): string {
  if (uri.kind === 'tel') return `tel:${uri.number.replace(/[\-.()]/g, '').toLowerCase()}`
  if (uri.kind === 'absolute') {
    const q = uri.rest.indexOf('?')
    const rest = q >= 0 ? uri.rest.slice(0, q) : uri.rest
    const at = rest.lastIndexOf('@')
    return at < 0 ? `${uri.scheme}:${rest}` : `${uri.scheme}:${rest.slice(0, at)}@${rest.slice(at + 1).toLowerCase()}`
  }
  const hostport = uri.port === undefined ? uri.host.toLowerCase() : `${uri.host.toLowerCase()}:${uri.port}`
  return uri.user === undefined ? `${uri.scheme}:${hostport}` : `${uri.scheme}:${escapeWith(uri.user, KEY_USER_CHAR)}@${hostport}`
}

/**
 * True when both inputs name the same address of record by {@link addressOfRecordKey}; false when
 * either does not parse (an identity that cannot be read is nobody's).
 */
export function sameAddressOfRecord(a: string | Uri, b: string | Uri): boolean {
  const ka = addressOfRecordKey(a)
  if (!ka.ok) return false
  const kb = addressOfRecordKey(b)
  return kb.ok && ka.key === kb.key
}
