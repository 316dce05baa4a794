import type { SipMessage } from '../message.ts'

/** Where a message goes: host, port, the Via transport token, and optionally a connection to reuse. */
export interface Destination {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string
  readonly port: number
  /** Via transport token, upper-case: UDP, TCP, TLS, WS, WSS, or another a port handles. */
  readonly transport: string
  /** A connection to reuse (RFC 3261 §18.2.2 responses; RFC 5626 flows). */
  readonly connectionId?: string
}

/**
 * What the transaction layer needs from transports (RFC 3261 §18): send a message, and know
 * whether a transport is reliable (no retransmissions, §17.1.1.2). The transport layer
 * implements it over its sockets; tests implement it with an array.
 */
export interface TransportPort {
  /** Serializes and sends; rejects when the message cannot be sent (§17.1.4: treated as 503). */
  send(message: SipMessage, destination: Destination): Promise<void>
  /**
   * Sends a message already serialized (`serializeSipMessage`). When present, a UDP non-INVITE
   * server transaction keeps only these bytes in Completed and resends them to retransmissions
   * (RFC 3261 §17.2.2); without it the transaction keeps the parsed response.
   */
  sendBytes?(bytes: Buffer, destination: Destination): Promise<void>
  /** Whether `transport` is reliable; when absent, everything but UDP is. */
  isReliable?(transport: string): boolean
}

/** Whether a transport token needs no SIP retransmissions: true for all but UDP (RFC 3261 §17.1.1.2). */
export function isReliableTransport(port: TransportPort, transport: string): boolean {
  return port.isReliable ? port.isReliable(transport) : transport.toUpperCase() !== 'UDP'
}
