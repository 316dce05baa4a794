import type { SipHeaders } from './header-list.ts'

/** Methods this stack knows by name; any other token is carried as an extension method. */
export type KnownSipMethod =
  | 'INVITE' | 'ACK' | 'BYE' | 'CANCEL' | 'REGISTER' | 'OPTIONS' | 'MESSAGE' | 'SUBSCRIBE'
  | 'NOTIFY' | 'PUBLISH' | 'REFER' | 'UPDATE' | 'INFO' | 'PRACK'

/** A SIP method token: case-sensitive (RFC 3261 §7.1), so `invite` is an extension method. */
export type SipMethod = KnownSipMethod | (string & {})

/** A SIP request (RFC 3261 §7.1). */
export interface SipRequest {
  readonly kind: 'request'
  /** Method token exactly as on the wire. */
  method: SipMethod
  /** Request-URI as on the wire; parse it with the URI codec when needed. */
  uri: string
  /** Always 'SIP/2.0' for messages this stack accepts. */
  version: string
  headers: SipHeaders
  /** Exactly Content-Length octets (datagrams: extra octets dropped, RFC 3261 §18.3). */
  body: Buffer
}

/** A SIP response (RFC 3261 §7.2). */
export interface SipResponse {
  readonly kind: 'response'
  /** Status code, 100..699. */
  status: number
  /** Reason phrase as on the wire (may be empty). */
  reason: string
  version: string
  headers: SipHeaders
  body: Buffer
}

/** Either kind of SIP message. */
export type SipMessage = SipRequest | SipResponse

/** Narrows a message to a request. */
export function isRequest(message: SipMessage): message is SipRequest {
  return message.kind === 'request'
}

/** Narrows a message to a response. */
export function isResponse(message: SipMessage): message is SipResponse {
  return message.kind === 'response'
}
