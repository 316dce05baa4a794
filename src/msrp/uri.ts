/**
 * MSRP and MSRPS URIs (RFC 4975 §6, §9; WebSocket transport from RFC 7977 §4).
 *
 * ```
 * MSRP-URI  = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter )
 * session-id = 1*( unreserved / "+" / "=" / "/" )
 * transport  = "tcp" / 1*ALPHANUM          ; "ws" in RFC 7977
 * ```
 */
import { ParseError } from '../errors.ts'

/** The port an MSRP URI without an explicit port is reached on (RFC 4975 §6, IANA "msrp"). */
export const DEFAULT_MSRP_PORT = 2855

/** A parsed MSRP or MSRPS URI. */
export interface MsrpUri {
  /** `msrp` (plain) or `msrps` (TLS); always lower case. */
  readonly scheme: 'msrp' | 'msrps'
  /** Userinfo before `@`, still percent-encoded as on the wire; ignored when comparing. */
  readonly user?: string
  /** Host name, IPv4 address, or IPv6 address without the brackets. */
  readonly host: string
  /** Explicit port, when the URI has one. */
  readonly port?: number
  /** Session id (case-sensitive); a relay URI in `To-Path` of AUTH has none. */
  readonly sessionId?: string
  /** Transport parameter as written, e.g. `tcp` or `ws` (compared case-insensitively). */
  readonly transport: string
  /** Further `;name[=value]` parameters, in order. */
  readonly params: ReadonlyArray<readonly [name: string, value: string | undefined]>
}

const ALPHANUM = /^[A-Za-z0-9]+$/
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/
const SESSION_ID = /^[A-Za-z0-9\-._~+=/]+$/
// userinfo = *( unreserved / pct-encoded / sub-delims / ":" )  (RFC 3986 §3.2.1)
const USERINFO = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*$/
// reg-name / IPv4address (RFC 3986 §3.2.2); pct-encoded allowed in reg-name
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,=]|%[0-9A-Fa-f]{2})+$/
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/

function fail(input: string, message: string): never {
  throw new ParseError('uri', 'MSRP_URI_INVALID', `invalid MSRP URI "${input}": ${message}`)
}

/**
 * Parses an MSRP/MSRPS URI such as `msrp://alice@host:2855/abc;tcp` or `msrps://[::1]:9/s;ws`.
 *
 * @throws ParseError (protocol `uri`, code `MSRP_URI_INVALID`) when the text is not an MSRP URI.
 */
export function parseMsrpUri(input: string): MsrpUri {
  const schemeEnd = input.indexOf('://')
  if (schemeEnd < 0) fail(input, 'expected "msrp://" or "msrps://"')
  const scheme = input.slice(0, schemeEnd).toLowerCase()
  if (scheme !== 'msrp' && scheme !== 'msrps') fail(input, `unknown scheme "${input.slice(0, schemeEnd)}"`)
  const rest = input.slice(schemeEnd + 3)
  // userinfo may hold ";" (a sub-delim) but never "/" or "@", so find "@" before the first "/".
  const firstSlash = rest.indexOf('/')
  const at = (firstSlash < 0 ? rest : rest.slice(0, firstSlash)).lastIndexOf('@')
  let user: string | undefined
  if (at >= 0) {
    user = rest.slice(0, at)
    if (!USERINFO.test(user)) fail(input, `bad userinfo "${user}"`)
  }
  const afterUser = rest.slice(at + 1)
  const semi = afterUser.indexOf(';')
  if (semi < 0) fail(input, 'missing ";transport" (RFC 4975 §9 requires it, e.g. ";tcp")')
  const hierPart = afterUser.slice(0, semi)
  const slash = hierPart.indexOf('/')
  const hostPort = slash < 0 ? hierPart : hierPart.slice(0, slash)
  let sessionId: string | undefined
  if (slash >= 0) {
    sessionId = hierPart.slice(slash + 1)
    if (!SESSION_ID.test(sessionId)) fail(input, `bad session-id "${sessionId}"`)
  }

  let host: string
  let portText: string | undefined
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']')
    if (close < 0) fail(input, 'unterminated IPv6 literal')
    host = hostPort.slice(1, close)
    if (!IPV6_CHARS.test(host) || !host.includes(':')) fail(input, `bad IPv6 address "${host}"`)
    const after = hostPort.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) fail(input, `unexpected "${after}" after IPv6 address`)
      portText = after.slice(1)
    }
  } else {
    const colon = hostPort.indexOf(':')
    host = colon < 0 ? hostPort : hostPort.slice(0, colon)
    if (colon >= 0) portText = hostPort.slice(colon + 1)
    if (!REG_NAME.test(host)) fail(input, `bad host "${host}"`)
  }
  let port: number | undefined
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) fail(input, `bad port "${portText}"`)
    port = Number(portText)
  }

  const paramParts = afterUser.slice(semi + 1).split(';')
  const transport = paramParts[0] ?? ''
  if (!ALPHANUM.test(transport)) fail(input, `bad transport "${transport}"`)
  const params: Array<readonly [string, string | undefined]> = []
  for (const part of paramParts.slice(1)) {
    const eq = part.indexOf('=')
    const name = eq < 0 ? part : part.slice(0, eq)
    const value = eq < 0 ? undefined : part.slice(eq + 1)
    if (!TOKEN.test(name) || (value !== undefined && !TOKEN.test(value))) fail(input, `bad parameter "${part}"`)
    params.push([name, value])
  }

  const uri: { -readonly [K in keyof MsrpUri]: MsrpUri[K] } = { scheme, host, transport, params }
  if (user !== undefined) uri.user = user
  if (port !== undefined) uri.port = port
  if (sessionId !== undefined) uri.sessionId = sessionId
  return uri
}

/**
 * Formatted text of frozen URIs and paths (the parser's shared paths, a session's own URI):
 * every frame of a session repeats them in To-Path and From-Path. Only frozen objects are
 * cached, so a URI changed after formatting can never be written stale.
 */
const formatted = new WeakMap<object, string>()

/** Writes a URI back in RFC 4975 §9 form; `parseMsrpUri(formatMsrpUri(u))` deep-equals `u`. */
export function formatMsrpUri(uri: MsrpUri): string {
  const frozen = Object.isFrozen(uri) && Object.isFrozen(uri.params)
  if (frozen) {
    const cached = formatted.get(uri)
    if (cached !== undefined) return cached
  }
  const out = formatUri(uri)
  if (frozen) formatted.set(uri, out)
  return out
}

function formatUri(uri: MsrpUri): string {
  let out = `${uri.scheme}://`
  if (uri.user !== undefined) out += `${uri.user}@`
  out += uri.host.includes(':') ? `[${uri.host}]` : uri.host
  if (uri.port !== undefined) out += `:${uri.port}`
  if (uri.sessionId !== undefined) out += `/${uri.sessionId}`
  out += `;${uri.transport}`
  for (const [name, value] of uri.params) out += value === undefined ? `;${name}` : `;${name}=${value}`
  return out
}

/** Parses a space-separated path (`To-Path`, `From-Path`, `Use-Path`; RFC 4975 §9). */
export function parseMsrpPath(input: string): MsrpUri[] {
  const parts = input.split(' ').filter((p) => p !== '')
  if (parts.length === 0) fail(input, 'empty path')
  return parts.map(parseMsrpUri)
}

/** Writes a path as space-separated URIs. */
export function formatMsrpPath(path: readonly MsrpUri[]): string {
  if (path.length === 1) return formatMsrpUri(path[0] as MsrpUri)
  const frozen = Object.isFrozen(path)
  if (frozen) {
    const cached = formatted.get(path)
    if (cached !== undefined) return cached
  }
  const out = path.map(formatMsrpUri).join(' ')
  // A frozen array of frozen URIs never changes; one with a mutable URI is not cached.
  if (frozen && path.every((u) => Object.isFrozen(u) && Object.isFrozen(u.params))) formatted.set(path, out)
  return out
}

/**
 * Compares two MSRP URIs by the rules of RFC 4975 §6.1: scheme, host and transport
 * case-insensitively (IP addresses by value, percent-encoding decoded), userinfo and other
 * parameters ignored, session-id case-sensitively, and the port exactly — a URI with an
 * explicit port never equals one without (§6.1 rule 3), even when that port is 2855.
 */
export function msrpUrisEqual(a: MsrpUri, b: MsrpUri): boolean {
  return (
    a.scheme === b.scheme &&
    a.port === b.port &&
    a.sessionId === b.sessionId &&
    a.transport.toLowerCase() === b.transport.toLowerCase() &&
    normalizeHost(a.host) === normalizeHost(b.host)
  )
}

/** The port to connect to: the explicit one, else {@link DEFAULT_MSRP_PORT}. */
export function effectivePort(uri: MsrpUri): number {
  return uri.port ?? DEFAULT_MSRP_PORT
}

function normalizeHost(host: string): string {
  if (host.includes(':')) return normalizeIpv6(host)
  let decoded = host
  if (host.includes('%')) {
    try {
      decoded = decodeURIComponent(host)
    } catch {
      decoded = host
    }
  }
  return decoded.toLowerCase()
}

/** Expands an IPv6 address to eight 4-digit groups so that `::1` equals `0:0::1`. */
function normalizeIpv6(host: string): string {
  let text = host.toLowerCase()
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return text
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':')
  const tail = halves.length === 2 && halves[1] !== '' && halves[1] !== undefined ? halves[1].split(':') : []
  const missing = 8 - head.length - tail.length
  const groups = halves.length === 2 ? [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail] : head
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')
}
