import type { SipMessage } from '../message.ts'
import { serializeSipMessage } from '../serializer.ts'
import type { Destination, TransportPort } from '../transaction/transport-port.ts'
import type { MessageMeta, SipTransportProtocol } from '../transport/types.ts'
import type { TransportSet } from '../transport/transport-set.ts'

/** A transport port that also knows each transport's address for Via sent-by and Contact. */
export interface CoreTransportPort extends TransportPort {
  /** The sent-by (host and port) to put in a Via for `transport`. */
  sentBy(transport: string): { host: string; port: number }
}

/**
 * Adapts the transport layer's {@link TransportSet} (bytes, lower-case protocol names) to the
 * transaction layer's {@link TransportPort} (messages, Via transport tokens).
 */
export function transportSetPort(set: TransportSet): CoreTransportPort {
  return {
    send(message: SipMessage, destination: Destination): Promise<void> {
      return set.send(serializeSipMessage(message), targetOf(destination))
    },
    sendBytes(bytes: Buffer, destination: Destination): Promise<void> {
      return set.send(bytes, targetOf(destination))
    },
    isReliable(transport: string): boolean {
      const t = set.get(transport.toLowerCase() as SipTransportProtocol)
      return t ? t.reliable : transport.toUpperCase() !== 'UDP'
    },
    sentBy(transport: string) {
      const address = set.localAddress(transport.toLowerCase() as SipTransportProtocol)
      return { host: address.address.includes(':') ? `[${address.address}]` : address.address, port: address.port }
    },
  }
}

/** A transaction-layer destination as the transport set spells it (lower-case protocol). */
function targetOf(destination: Destination): { host: string; port: number; transport: string; connectionId?: string } {
  const target: { host: string; port: number; transport: string; connectionId?: string } = {
    host: destination.host,
    port: destination.port,
    transport: destination.transport.toLowerCase(),
  }
  if (destination.connectionId !== undefined) target.connectionId = destination.connectionId
  return target
}

/** The source of a received message as a transaction-layer destination (where replies go). */
export function sourceOf(meta: MessageMeta): Destination {
  const source: { host: string; port: number; transport: string; connectionId?: string } = {
    host: meta.remote.address,
    port: meta.remote.port,
    transport: meta.protocol.toUpperCase(),
  }
  if (meta.connectionId !== undefined) source.connectionId = meta.connectionId
  return source
}
