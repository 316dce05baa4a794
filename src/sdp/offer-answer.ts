import * as sdpTransform from 'sdp-transform'
import type { MediaDescription, SessionDescription } from 'sdp-transform'
import { MsrpBotError, ParseError } from '../errors.ts'
import { intersectAcceptTypes } from './accept-types.ts'
import { formatChatroom, MSRP_SDP_PROTOCOL, msrpUriAuthority } from './attributes.ts'
import { type FileDescription, formatFileAttributes } from './file-attributes.ts'
import { parseMsrpSdp, parseSdpTree } from './parse.ts'
import type { ChatroomCapabilities, MsrpMedia, MsrpSdp, SdpDirection, SetupRole } from './types.ts'

/** What the local endpoint puts in its MSRP media description. */
export interface MsrpMediaOptions {
  /**
   * a=path, local URI last (RFC 4975 §8, RFC 4976: relays first). Port, c= address and
   * transport default to the first entry — the one the peer connects to.
   */
  path: string[]
  /** Default `['message/cpim', 'text/plain']`. */
  acceptTypes?: string[]
  /** a=accept-wrapped-types (RFC 4975 §8); omitted when not given. */
  acceptWrappedTypes?: string[]
  maxSize?: number
  /** RFC 7701 chat-room capabilities to advertise (a focus sets these). */
  chatroom?: Partial<ChatroomCapabilities>
  /** Advertise a=msrp-cema (RFC 6714). */
  cema?: boolean
  /** RFC 5547 file transfer: the file this media line sends or asks for (with `direction`). */
  file?: FileDescription
  /** Default sendrecv. */
  direction?: SdpDirection
  /** Override the m= port (default: port of path[0]). */
  port?: number
  /** Override the c= address (default: host of path[0]). */
  address?: string
  /** o= username; default `-`. */
  username?: string
  /** o= session id; default derived from the clock. */
  sessionId?: string
  /** o= session version; default 0 (bump it for re-offers). */
  sessionVersion?: number
}

/** Options for {@link createOffer}. */
export interface MsrpOfferOptions extends MsrpMediaOptions {
  /** a=setup in the offer (RFC 6135): `actpass` (default) or `active`. */
  setup?: 'actpass' | 'active' | 'passive'
}

/** Options for {@link createAnswer}. */
export interface MsrpAnswerOptions extends MsrpMediaOptions {
  /** Preferred role when the offer says actpass (RFC 6135). Default `active`. */
  setup?: 'active' | 'passive'
}

/** An SDP offer/answer that cannot succeed; `status` is the SIP response to send (488). */
export class SdpNegotiationError extends MsrpBotError {
  /** SIP status code to reject the offer with (RFC 3261 §21.4.26: 488 Not Acceptable Here). */
  readonly status = 488
}

/** Result of {@link createAnswer}. */
export type MsrpAnswerResult =
  | {
      ok: true
      /** The answer SDP text. */
      sdp: string
      /** The offered MSRP media that was accepted. */
      remote: MsrpMedia
      /** The answer's MSRP media, as the peer will parse it. */
      local: MsrpMedia
      /** True when this side opens the TCP connection (RFC 6135; RFC 4975 §8 default: the offerer). */
      connect: boolean
    }
  | { ok: false; error: SdpNegotiationError | ParseError }

function sessionIdNow(): string {
  return String(Date.now())
}

function ipVersionOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4
}

function buildMedia(opts: MsrpMediaOptions, extra: { setup?: SetupRole; transport?: MsrpMedia['transport']; acceptTypes?: string[]; acceptWrappedTypes?: string[]; cema?: boolean }): {
  media: MediaDescription
  address: string
} {
  if (opts.path.length === 0) throw new MsrpBotError('SDP_NO_PATH', 'An MSRP media description needs at least one a=path URI (RFC 4975 §8).')
  for (const uri of opts.path) {
    if (/\s/.test(uri) || uri === '') throw new MsrpBotError('SDP_BAD_PATH', `a=path URI "${uri}" must not be empty or contain spaces.`)
  }
  const first = msrpUriAuthority(opts.path[0]!)
  const transport = extra.transport ?? first?.transport ?? 'tcp'
  const port = opts.port ?? first?.port
  const address = opts.address ?? first?.host
  if (port === undefined || address === undefined) {
    throw new MsrpBotError('SDP_BAD_PATH', `Cannot derive the m= port and c= address from "${opts.path[0]!}"; pass port and address, or use an msrp(s):// URI.`)
  }
  const invalid: { value: string }[] = []
  const acceptTypes = extra.acceptTypes ?? opts.acceptTypes ?? ['message/cpim', 'text/plain']
  invalid.push({ value: `accept-types:${acceptTypes.join(' ')}` })
  const wrapped = extra.acceptWrappedTypes ?? opts.acceptWrappedTypes
  if (wrapped && wrapped.length > 0) invalid.push({ value: `accept-wrapped-types:${wrapped.join(' ')}` })
  if (opts.maxSize !== undefined) invalid.push({ value: `max-size:${opts.maxSize}` })
  invalid.push({ value: `path:${opts.path.join(' ')}` })
  if (opts.chatroom) {
    const v = formatChatroom(opts.chatroom)
    invalid.push({ value: v === '' ? 'chatroom' : `chatroom:${v}` })
  }
  if (extra.cema ?? opts.cema) invalid.push({ value: 'msrp-cema' })
  if (opts.file !== undefined) for (const line of formatFileAttributes(opts.file)) invalid.push({ value: line })
  const media: MediaDescription = {
    type: 'message',
    port,
    protocol: MSRP_SDP_PROTOCOL[transport],
    payloads: '*',
    rtp: [],
    fmtp: [],
    direction: opts.direction ?? 'sendrecv',
    invalid,
  }
  if (extra.setup !== undefined) media.setup = extra.setup
  return { media, address }
}

function buildSession(opts: MsrpMediaOptions, address: string, media: MediaDescription[]): string {
  const tree: SessionDescription = {
    version: 0,
    origin: {
      username: opts.username ?? '-',
      sessionId: opts.sessionId ?? sessionIdNow(),
      sessionVersion: opts.sessionVersion ?? 0,
      netType: 'IN',
      ipVer: ipVersionOf(address),
      address,
    },
    name: '-',
    connection: { version: ipVersionOf(address), ip: address },
    timing: { start: 0, stop: 0 },
    media,
  }
  return sdpTransform.write(tree)
}

/**
 * Build an SDP offer with one MSRP media line (RFC 4975 §8). The offer carries
 * `a=setup:actpass` by default (RFC 6135) so the answerer may pick who connects.
 *
 * @throws MsrpBotError('SDP_NO_PATH' | 'SDP_BAD_PATH') when the options cannot make a valid offer.
 */
export function createOffer(opts: MsrpOfferOptions): string {
  const { media, address } = buildMedia(opts, { setup: opts.setup ?? 'actpass' })
  return buildSession(opts, address, [media])
}

const ANSWER_DIRECTION: Record<SdpDirection, SdpDirection> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
}

/**
 * Choose the answer's a=setup (RFC 6135, RFC 4145 §4.1). Returns the role and whether the
 * answerer connects, or an error message when the roles cannot be reconciled.
 */
export function answerSetup(offered: SetupRole | undefined, preferred: 'active' | 'passive' | undefined): { role: SetupRole | undefined; connect: boolean } | string {
  switch (offered) {
    case undefined:
      // RFC 4975 §8 default without a=setup (RFC 6135): the offerer connects.
      if (preferred === 'active') return 'the offer has no a=setup, so the offerer connects (RFC 4975), but the answer must be active'
      return { role: undefined, connect: false }
    case 'actpass':
      return preferred === 'passive' ? { role: 'passive', connect: false } : { role: 'active', connect: true }
    case 'active':
      if (preferred === 'active') return 'both sides want to be active (a=setup:active offered)'
      return { role: 'passive', connect: false }
    case 'passive':
      if (preferred === 'passive') return 'both sides want to be passive (a=setup:passive offered)'
      return { role: 'active', connect: true }
    case 'holdconn':
      return { role: 'holdconn', connect: false }
  }
}

function reject(code: string, message: string): MsrpAnswerResult {
  return { ok: false, error: new SdpNegotiationError(code, message) }
}

/**
 * Answer an SDP offer (RFC 3264, RFC 4975 §8, RFC 6135). The first MSRP media line is
 * accepted; any other m-line is rejected with port 0 so the answer mirrors the offer.
 * accept-types are intersected (wildcards honoured); a=setup is chosen per RFC 6135.
 *
 * Never throws on bad input: a malformed offer yields `{ ok: false, error: ParseError }`, an
 * unacceptable one `{ ok: false, error: SdpNegotiationError }` (reply 488).
 */
export function createAnswer(offerSdp: string, opts: MsrpAnswerOptions): MsrpAnswerResult {
  let offer: MsrpSdp
  let tree: SessionDescription
  try {
    tree = parseSdpTree(offerSdp)
    offer = parseMsrpSdp(offerSdp)
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: err }
    throw err
  }
  const remote = offer.media.find((m) => m.port !== 0)
  if (!remote) return reject('SDP_NO_MSRP_MEDIA', 'The offer has no active MSRP media line (m=message <port> TCP/MSRP, TCP/TLS/MSRP or TCP/WS/MSRP).')

  const localTransport = msrpUriAuthority(opts.path[0] ?? '')?.transport
  if (localTransport !== undefined && localTransport !== remote.transport) {
    const wanted = `${remote.transport === 'tls' || remote.transport === 'wss' ? 'msrps' : 'msrp'}:// URI${remote.transport.startsWith('ws') ? ' with ;ws' : ''}`
    return reject('SDP_TRANSPORT_MISMATCH', `The offer uses ${MSRP_SDP_PROTOCOL[remote.transport]} but the local path is ${opts.path[0]!}; use an ${wanted}.`)
  }

  const localTypes = opts.acceptTypes ?? ['message/cpim', 'text/plain']
  const acceptTypes = intersectAcceptTypes(localTypes, remote.acceptTypes)
  if (acceptTypes.length === 0) {
    return reject('SDP_NO_COMMON_TYPES', `No common accept-types: offer has [${remote.acceptTypes.join(' ')}], we accept [${localTypes.join(' ')}] (RFC 4975 §8).`)
  }
  let acceptWrappedTypes: string[] | undefined
  if (opts.acceptWrappedTypes && remote.acceptWrappedTypes.length > 0) {
    acceptWrappedTypes = intersectAcceptTypes(opts.acceptWrappedTypes, remote.acceptWrappedTypes)
  } else acceptWrappedTypes = opts.acceptWrappedTypes

  const setup = answerSetup(remote.setup, opts.setup)
  if (typeof setup === 'string') return reject('SDP_SETUP_CONFLICT', `Cannot agree on who connects: ${setup} (RFC 6135).`)

  const extra: Parameters<typeof buildMedia>[1] = {
    transport: remote.transport,
    acceptTypes,
    cema: remote.cema && (opts.cema ?? false),
  }
  if (acceptWrappedTypes) extra.acceptWrappedTypes = acceptWrappedTypes
  if (setup.role !== undefined) extra.setup = setup.role
  let built: ReturnType<typeof buildMedia>
  try {
    built = buildMedia({ ...opts, direction: opts.direction ?? ANSWER_DIRECTION[remote.direction] }, extra)
  } catch (err) {
    if (err instanceof MsrpBotError) return reject(err.code, err.message)
    throw err
  }
  // RFC 3264 §6: same number of m-lines, unused ones with port 0.
  const media: MediaDescription[] = tree.media.map((m, i) => {
    if (i === remote.index) return built.media
    return { type: m.type, port: 0, protocol: m.protocol, payloads: m.payloads ?? '*', rtp: [], fmtp: [] }
  })
  const sdp = buildSession(opts, built.address, media)
  const local = parseMsrpSdp(sdp).media.find((m) => m.index === remote.index)!
  return { ok: true, sdp, remote, local, connect: setup.connect }
}
