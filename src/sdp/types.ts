import type { FileDescription } from './file-attributes.ts'

/** Media direction attribute (RFC 4566 §6). */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

/** Connection setup role (RFC 4145 §4, applied to MSRP by RFC 6135). */
export type SetupRole = 'active' | 'passive' | 'actpass' | 'holdconn'

/** RFC 7701 a=chatroom capabilities. */
export interface ChatroomCapabilities {
  /** The focus supports nicknames (`nickname` token). */
  nickname: boolean
  /** The focus supports private messages (`private-messages` token). */
  privateMessages: boolean
  /** Any other tokens, as written. */
  extensions: string[]
}

/** One MSRP media description (`m=message ... TCP/MSRP *`, RFC 4975 §8). */
export interface MsrpMedia {
  /** Index of this m-line among all m-lines of the description. */
  index: number
  port: number
  /** `tcp` for TCP/MSRP, `tls` for TCP/TLS/MSRP, `ws` / `wss` for TCP/WS/MSRP / TCP/WSS/MSRP (RFC 7977 §8). */
  transport: 'tcp' | 'tls' | 'ws' | 'wss'
  /** a=path URIs in order (RFC 4975 §8); validated elsewhere. */
  path: string[]
  /** a=accept-types (RFC 4975 §8). */
  acceptTypes: string[]
  /** a=accept-wrapped-types (RFC 4975 §8). */
  acceptWrappedTypes: string[]
  /** a=max-size in octets (RFC 4975 §8). */
  maxSize?: number
  /** a=setup (RFC 6135), media-level or inherited from session level. */
  setup?: SetupRole
  /** a=chatroom (RFC 7701). */
  chatroom?: ChatroomCapabilities
  /** a=msrp-cema (RFC 6714). */
  cema: boolean
  /** Direction, media-level, else session-level, else sendrecv. */
  direction: SdpDirection
  /** c= address that applies to this media (media-level, else session-level). */
  address?: string
  /** RFC 5547 file transfer attributes, when the line carries `a=file-selector`. */
  file?: FileDescription
  /** Other media attributes this codec does not interpret, as `name[:value]`. */
  otherAttributes: string[]
}

/** A parsed SDP body, reduced to what an MSRP endpoint needs. */
export interface MsrpSdp {
  /** o= fields. */
  origin: { username: string; sessionId: string; sessionVersion: number; address: string }
  /** Session-level c= address, if any. */
  address?: string
  /** MSRP m-lines (type `message`, MSRP protocol), in order. */
  media: MsrpMedia[]
  /** Total number of m-lines, MSRP or not (an answer must mirror them, RFC 3264 §6). */
  mediaCount: number
}
