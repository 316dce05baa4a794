import { MsrpBotError } from '../../errors.ts'

/** Codes a {@link TransportError} carries. */
export type TransportErrorCode =
  | 'SIP_TRANSPORT_NOT_LISTENING'
  | 'SIP_TRANSPORT_CLOSED'
  | 'SIP_TRANSPORT_CONNECT_FAILED'
  | 'SIP_TRANSPORT_SEND_FAILED'
  | 'SIP_TRANSPORT_UNSUPPORTED'
  | 'SIP_DATAGRAM_TOO_LARGE'
  | 'SIP_MESSAGE_TOO_LARGE'
  | 'SIP_STREAM_FRAMING'
  | 'SIP_KEEPALIVE_TIMEOUT'
  | 'SIP_MESSAGE_TIMEOUT'
  | 'SIP_WS_SUBPROTOCOL'
  | 'SIP_TRANSPORT_SOCKET'

/** A transport could not send, lost a connection, or rejected bytes from a peer. */
export class TransportError extends MsrpBotError {
  declare readonly code: TransportErrorCode

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
