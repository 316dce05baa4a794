import * as sdpTransform from 'sdp-transform'
import type { MediaDescription, SessionDescription } from 'sdp-transform'
import { ParseError } from '../errors.ts'
import { parseChatroom } from './attributes.ts'
import { isFileAttribute, parseFileAttributes } from './file-attributes.ts'
import type { MsrpMedia, MsrpSdp, SdpDirection, SetupRole } from './types.ts'

/** Largest SDP body accepted, in characters. SDP for chat is tiny; this only stops abuse. */
export const MAX_SDP_LENGTH = 64 * 1024

const SETUP_ROLES: readonly string[] = ['active', 'passive', 'actpass', 'holdconn']

function fail(code: string, message: string): never {
  throw new ParseError('sdp', code, message)
}

/** The raw sdp-transform tree, after the line-level checks sdp-transform does not make. */
export function parseSdpTree(text: string): SessionDescription {
  if (typeof text !== 'string' || text.length === 0) fail('SDP_EMPTY', 'SDP body is empty.')
  if (text.length > MAX_SDP_LENGTH) fail('SDP_TOO_LARGE', `SDP body exceeds ${MAX_SDP_LENGTH} characters.`)
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  // RFC 4566 §5: every line is <type>=<value>, and the first is v=0.
  if (lines[0] !== 'v=0') fail('SDP_BAD_VERSION', 'SDP must start with "v=0" (RFC 4566 §5.1).')
  lines.forEach((line, i) => {
    if (!/^[a-z]=/.test(line)) fail('SDP_BAD_LINE', `SDP line ${i + 1} "${line.slice(0, 60)}" is not <letter>=<value> (RFC 4566 §5).`)
  })
  if (!lines.some((l) => l.startsWith('o='))) fail('SDP_MISSING_ORIGIN', 'SDP has no o= line (RFC 4566 §5.2).')
  let tree: SessionDescription
  try {
    tree = sdpTransform.parse(text)
  } catch (cause) {
    throw new ParseError('sdp', 'SDP_BAD_SYNTAX', `SDP could not be parsed: ${(cause as Error).message}`, { cause })
  }
  if (!tree.origin || tree.origin.address === undefined) fail('SDP_MISSING_ORIGIN', 'SDP o= line is malformed (RFC 4566 §5.2).')
  for (const m of tree.media) {
    if (m.type === undefined || m.port === undefined || m.protocol === undefined || !Number.isInteger(m.port) || m.port < 0 || m.port > 65535) {
      fail('SDP_BAD_MEDIA', 'SDP m= line is malformed: expected "m=<media> <port> <proto> <fmt>" (RFC 4566 §5.14).')
    }
  }
  return tree
}

function invalidAttrs(m: { invalid?: { value: string }[] }): Array<[string, string | undefined]> {
  return (m.invalid ?? []).map(({ value }) => {
    const colon = value.indexOf(':')
    return colon < 0 ? [value, undefined] : [value.slice(0, colon), value.slice(colon + 1)]
  })
}

function isMsrp(m: MediaDescription): boolean {
  const proto = m.protocol.toUpperCase()
  return m.type === 'message' && proto in MSRP_PROTOCOLS
}

/** The m-line protocols of MSRP and the transport each names (RFC 4975 §8; RFC 7977 §8 for WebSocket). */
const MSRP_PROTOCOLS: Record<string, MsrpMedia['transport']> = { 'TCP/MSRP': 'tcp', 'TCP/TLS/MSRP': 'tls', 'TCP/WS/MSRP': 'ws', 'TCP/WSS/MSRP': 'wss' }

function toMsrpMedia(tree: SessionDescription, m: MediaDescription, index: number): MsrpMedia {
  const media: MsrpMedia = {
    index,
    port: m.port,
    transport: MSRP_PROTOCOLS[m.protocol.toUpperCase()] ?? 'tcp',
    path: [],
    acceptTypes: [],
    acceptWrappedTypes: [],
    cema: false,
    direction: (m.direction ?? tree.direction ?? 'sendrecv') as SdpDirection,
    otherAttributes: [],
  }
  const address = m.connection?.ip ?? tree.connection?.ip
  if (address !== undefined) media.address = address
  const setup = m.setup ?? tree.setup
  if (setup !== undefined) {
    if (!SETUP_ROLES.includes(setup)) fail('SDP_BAD_SETUP', `a=setup:${setup} is not active, passive, actpass or holdconn (RFC 4145 §4).`)
    media.setup = setup as SetupRole
  }
  const attributes = invalidAttrs(m)
  const file = parseFileAttributes(attributes)
  if (file !== undefined) media.file = file
  for (const [name, value] of attributes) {
    if (file !== undefined && isFileAttribute(name)) continue
    const words = (value ?? '').split(/\s+/).filter((w) => w !== '')
    switch (name) {
      case 'path': // RFC 4975 §8: space-separated list of MSRP URIs
        if (words.length === 0) fail('SDP_BAD_PATH', 'a=path is empty (RFC 4975 §8).')
        media.path = words
        break
      case 'accept-types':
        media.acceptTypes = words
        break
      case 'accept-wrapped-types':
        media.acceptWrappedTypes = words
        break
      case 'max-size':
        if (!/^\d{1,15}$/.test(value ?? '')) fail('SDP_BAD_MAX_SIZE', `a=max-size:${value ?? ''} is not a number of octets (RFC 4975 §8).`)
        media.maxSize = Number(value)
        break
      case 'chatroom':
        media.chatroom = parseChatroom(value ?? '')
        break
      case 'msrp-cema':
        media.cema = true
        break
      default:
        media.otherAttributes.push(value === undefined ? name : `${name}:${value}`)
    }
  }
  // RFC 4975 §8: path and accept-types are mandatory on an MSRP media line that is in use.
  if (media.port !== 0) {
    if (media.path.length === 0) fail('SDP_MISSING_PATH', 'MSRP media line has no a=path (RFC 4975 §8 makes it mandatory).')
    if (media.acceptTypes.length === 0) fail('SDP_MISSING_ACCEPT_TYPES', 'MSRP media line has no a=accept-types (RFC 4975 §8 makes it mandatory).')
  }
  return media
}

/**
 * Parse an SDP body and extract its MSRP media descriptions (RFC 4975 §8).
 *
 * @throws ParseError('sdp', code) for malformed SDP or an MSRP m-line missing a=path / a=accept-types.
 */
export function parseMsrpSdp(text: string): MsrpSdp {
  const tree = parseSdpTree(text)
  const media: MsrpMedia[] = []
  tree.media.forEach((m, i) => {
    if (isMsrp(m)) media.push(toMsrpMedia(tree, m, i))
  })
  // Read o= ourselves: sdp-transform turns the session id into a number, losing digits past 2^53.
  const o = /^o=(\S+) (\d+) (\d+) \S+ \S+ (\S+)/m.exec(text)
  if (!o) fail('SDP_MISSING_ORIGIN', 'SDP o= line is malformed: expected "o=<user> <id> <version> IN IP4 <address>" (RFC 4566 §5.2).')
  const out: MsrpSdp = {
    origin: { username: o[1]!, sessionId: o[2]!, sessionVersion: Number(o[3]), address: o[4]! },
    media,
    mediaCount: tree.media.length,
  }
  if (tree.connection?.ip !== undefined) out.address = tree.connection.ip
  return out
}
