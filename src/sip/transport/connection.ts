import type { MsrpBotError } from '../../errors.ts'
import type { ConnectionCloseReason, TransportAddress } from './types.ts'

/** What a raw connection reports to the transport that owns it. */
export interface ConnectionSink {
  /** A whole SIP message arrived. */
  message(bytes: Buffer): void
  /** An RFC 5626 ping (CRLFCRLF) arrived. */
  ping(): void
  /** An RFC 5626 pong (CRLF) arrived. */
  pong(): void
  /** The connection is gone; called at most once that matters (later calls are ignored). */
  closed(reason: ConnectionCloseReason, error?: MsrpBotError): void
}

/**
 * One connection as a concrete transport (TCP, TLS, WebSocket, memory) provides it.
 * {@link ConnectionTransport} owns it: pooling, ids, keepalive and events live there, once.
 */
export interface RawConnection {
  readonly remote: TransportAddress
  readonly local: TransportAddress
  /** Writes bytes as they are (a whole message, or a keepalive). */
  write(bytes: Buffer): Promise<void>
  /** Closes the connection; must not call the sink's `closed` synchronously. */
  close(): void
  /** Starts delivering to the sink (called once, right after the connection is adopted). */
  attach(sink: ConnectionSink): void
}

/** RFC 5626 §3.5.1 keepalive frames. */
export const PING = Buffer.from('\r\n\r\n')
/** RFC 5626 §3.5.1 pong. */
export const PONG = Buffer.from('\r\n')

/** Key for the host:port → connection index; brackets and case never make two keys for one peer. */
export function remoteKey(host: string, port: number): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return `${bare.toLowerCase()}|${port}`
}

let sequence = 0

/** A process-unique connection id such as `tcp-12`. */
export function nextConnectionId(protocol: string): string {
  sequence += 1
  return `${protocol}-${sequence}`
}
