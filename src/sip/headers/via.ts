import { ParseError } from '../../errors.ts'
import { SipScanner, boundedInteger, isDigit, isToken, tokenOrQuoted, unquote } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'
import { readParams, serializeParams } from './params.ts'

/** RFC 3261 §8.1.1.7: a branch starting with this cookie was built by an RFC 3261 element. */
export const BRANCH_COOKIE = 'z9hG4bK'

/** One Via element (RFC 3261 §20.42), with the parameters the stack uses typed. */
export interface Via {
  /** `SIP`. */
  protocolName: string
  /** `2.0`. */
  protocolVersion: string
  /** Transport token, upper-case: UDP, TCP, TLS, SCTP, WS, WSS, or an unknown token. */
  transport: string
  /** sent-by host as written (`[IPv6]` keeps its brackets). */
  host: string
  /** sent-by port when explicit. */
  port?: number
  /** Transaction id (§17.2.3); RFC 2543 peers may omit it. */
  branch?: string
  /** Source address stamped by the receiver (§18.2.1). */
  received?: string
  /** RFC 3581: `true` when present without value (a request for it), the port once stamped. */
  rport?: number | true
  /** Multicast/override address (§18.2.2). */
  maddr?: string
  /** Multicast TTL, 0..255. */
  ttl?: number
  /** Every other parameter, lower-case names, raw values. */
  params: Map<string, string | null>
}

const isHostChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f

function readHost(s: SipScanner): string {
  if (s.peek() === '[') {
    const close = s.text.indexOf(']', s.pos)
    if (close < 0) s.fail('has an IPv6 address with no closing "]"')
    const host = s.text.slice(s.pos, close + 1)
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host)) s.fail('has an invalid IPv6 address')
    s.pos = close + 1
    return host
  }
  const host = s.takeWhile(isHostChar)
  if (host.length === 0) s.fail('has no sent-by host')
  return host
}

/** Reads one via-parm from the scanner, stopping before a `,` or at the end. */
export function readVia(s: SipScanner): Via {
  s.skipWs()
  const protocolName = s.token('as the protocol name (SIP)')
  s.expect('/', 'after the protocol name')
  const protocolVersion = s.token('as the protocol version')
  s.expect('/', 'after the protocol version')
  const transport = s.token('as the transport').toUpperCase()
  s.skipWs()
  const host = readHost(s)
  const via: Via = { protocolName, protocolVersion, transport, host, params: new Map() }
  if (s.accept(':')) {
    const port = boundedInteger(s.takeWhile(isDigit), 0, 65535)
    if (port === undefined) s.fail('has an invalid sent-by port')
    via.port = port
  }
  const params = readParams(s)
  for (const [name, raw] of params) {
    const value = raw === null ? null : unquote(raw)
    switch (name) {
      case 'branch':
        if (value === null || value.length === 0 || !isToken(value)) s.fail('has an invalid branch')
        via.branch = value
        break
      case 'received':
        // An IP address per RFC 3261; host names are tolerated for in-memory networks.
        if (value === null || !/^(?:[A-Za-z0-9.\-_:]+|\[[0-9A-Fa-f:.]+\])$/.test(value)) s.fail('has an invalid received address')
        via.received = value
        break
      case 'rport':
        if (value === null) via.rport = true
        else {
          const port = boundedInteger(value, 0, 65535)
          if (port === undefined) s.fail('has an invalid rport')
          via.rport = port
        }
        break
      case 'maddr':
        if (value === null) s.fail('has maddr without a value')
        via.maddr = value
        break
      case 'ttl': {
        const ttl = value === null ? undefined : boundedInteger(value, 0, 255)
        if (ttl === undefined) s.fail('has a ttl outside 0..255')
        via.ttl = ttl
        break
      }
      default:
        via.params.set(name, raw)
    }
  }
  return via
}

/** Parses one Via header line, which may hold several comma-separated via-parms. */
export function parseViaList(value: string): Via[] {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_VIA', 'Via')
  return s.list(() => readVia(s), 'a via-parm')
}

/** Parses a value holding exactly one via-parm. */
export function parseVia(value: string): Via {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_VIA', 'Via')
  const via = readVia(s)
  s.end()
  return via
}

/** Every Via of a message, top first (across header lines). */
export function readVias(headers: SipHeaders): Via[] {
  return headers.getAllLines('Via').flatMap(parseViaList)
}

/** The topmost Via; fails with SIP_MISSING_VIA when there is none. */
export function readTopVia(headers: SipHeaders): Via {
  const first = headers.get('Via')
  if (first === undefined) throw new ParseError('sip', 'SIP_MISSING_VIA', 'the message has no Via header (RFC 3261 §8.1.1.7)')
  const s: SipScanner = new SipScanner(first, 'SIP_BAD_VIA', 'Via')
  return readVia(s)
}

/** Writes one via-parm: `SIP/2.0/UDP host:port;branch=...;rport`. */
export function serializeVia(via: Via): string {
  let out = `${via.protocolName}/${via.protocolVersion}/${via.transport} ${via.host}`
  if (via.port !== undefined) out += `:${via.port}`
  if (via.branch !== undefined) out += `;branch=${via.branch}`
  if (via.received !== undefined) out += `;received=${via.received}`
  if (via.rport === true) out += ';rport'
  else if (via.rport !== undefined) out += `;rport=${via.rport}`
  if (via.maddr !== undefined) out += `;maddr=${tokenOrQuoted(via.maddr)}`
  if (via.ttl !== undefined) out += `;ttl=${via.ttl}`
  return out + serializeParams(via.params)
}

/** Whether a branch was built by an RFC 3261 element: the magic cookie plus something unique (§8.1.1.7). */
export function hasRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(BRANCH_COOKIE) && branch.length > BRANCH_COOKIE.length
}
