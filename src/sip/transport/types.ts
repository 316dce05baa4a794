import type { EventEmitter } from 'eventemitter3'
import type { MsrpBotError } from '../../errors.ts'

/** The transports this stack speaks; `memory` is the in-process network used by tests and the local mixer. */
export type SipTransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | 'memory'

/** An IP address (or memory-network host name) and port. */
export interface TransportAddress {
  readonly address: string
  readonly port: number
}

/**
 * Where to send bytes. `connectionId` names an existing connection to reuse (RFC 5626 flows,
 * RFC 3261 §18.2.2 responses over the connection the request came on); when it is absent or
 * gone, a connection transport reuses any open connection to `host:port` or opens one.
 */
export interface SendTarget {
  readonly host: string
  readonly port: number
  readonly connectionId?: string
}

/** Where received bytes came from; the upper layer keeps `connectionId` to answer over the same connection. */
export interface MessageMeta {
  readonly protocol: SipTransportProtocol
  readonly remote: TransportAddress
  readonly local: TransportAddress
  /** Set for connection transports (everything but UDP). */
  readonly connectionId: string | undefined
}

/** Why a connection went away. */
export type ConnectionCloseReason =
  /** This side closed it (`close()`, or `closeConnection()`). */
  | 'local'
  /** The peer closed it. */
  | 'remote'
  /** Nothing was sent or received for the idle timeout. */
  | 'idle'
  /** A message stayed incomplete longer than the message timeout (a slow-header attack). */
  | 'message-timeout'
  /** A connection cap was reached when it arrived (see ConnectionTransportOptions). */
  | 'refused'
  /** RFC 5626 §4.4.1: no pong came back after a ping; the upper layer should re-register. */
  | 'keepalive-timeout'
  /** The peer sent bytes that cannot be framed, or exceeded a size limit. */
  | 'protocol-error'
  /** A socket error (reset, TLS failure ...). */
  | 'error'
  /** The in-memory network's fault injection closed it. */
  | 'fault'

/** A keepalive step, reported for observability (RFC 5626 §3.5.1). */
export type KeepaliveEvent = 'ping-sent' | 'pong-received' | 'ping-received'

/** Events every {@link SipTransport} emits. */
export interface SipTransportEvents {
  /** One whole SIP message (not yet parsed). Keepalives never arrive here. */
  message: (bytes: Buffer, meta: MessageMeta) => void
  /** A connection was opened (inbound or outbound). */
  'connection-opened': (connectionId: string, remote: TransportAddress, outbound: boolean) => void
  /** A connection closed; registrations bound to it (RFC 5626 flows) are gone. */
  'connection-closed': (connectionId: string, reason: ConnectionCloseReason, error?: MsrpBotError) => void
  /** RFC 5626 keepalive traffic on a connection. */
  keepalive: (connectionId: string, event: KeepaliveEvent) => void
  /** Something went wrong that did not reject a `send()`: bad input from a peer, a socket error. Never thrown. */
  error: (error: MsrpBotError) => void
}

/**
 * Moves whole SIP messages as bytes; parsing happens above it.
 *
 * The UA core sees every transport through this interface (like SIP.js's `Transport`), so the
 * same code runs over UDP, TCP, TLS, WebSocket or the in-memory network.
 */
export interface SipTransport extends EventEmitter<SipTransportEvents> {
  /** Which protocol this is (the Via transport token is its upper case, `WS`/`WSS` for WebSocket). */
  readonly protocol: SipTransportProtocol
  /** Reliable transports do not need SIP retransmissions (RFC 3261 §17.1.1.2 Timer A). */
  readonly reliable: boolean
  /** Starts listening; resolves once bound. */
  listen(): Promise<void>
  /** Closes the listener and every connection; resolves once all are closed. */
  close(): Promise<void>
  /** Sends one whole SIP message; rejects with a {@link TransportError} when it cannot be sent. */
  send(bytes: Buffer, target: SendTarget): Promise<void>
  /** The bound address, for Via sent-by and Contact; throws if not listening. */
  localAddress(): TransportAddress
}

/** Timers the keepalive and idle logic use, injectable so tests can drive a fake clock. */
export interface TransportTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Real timers; handles are unref'd so a pending keepalive never keeps the process alive. */
export const realTimers: TransportTimers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms)
    handle.unref()
    return handle
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout)
  },
}

/** RFC 5626 §3.5.1 CRLF keepalive settings for connections this side opens. */
export interface KeepaliveOptions {
  /** Time between pings; RFC 5626 §4.4.1 suggests 95..120 s for TCP/TLS. */
  readonly intervalMs: number
  /** How long to wait for the pong before the flow is declared dead (RFC 5626 §4.4.1: 10 s). */
  readonly timeoutMs?: number
  /** Clock for tests. */
  readonly timers?: TransportTimers
}

/** Minimal logger a transport reports dropped input and closes to; defaults to silence. */
export interface TransportLogger {
  debug(message: string, ...args: unknown[]): void
  warn(message: string, ...args: unknown[]): void
}

/** A logger that discards everything. */
export const silentLogger: TransportLogger = { debug() {}, warn() {} }
