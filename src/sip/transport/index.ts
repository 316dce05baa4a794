// SIP transports: whole messages as bytes over UDP, TCP, TLS, WebSocket and an in-memory network.

// The interface the UA core uses, and the multiplexer over several transports.
export type {
  SipTransport,
  SipTransportEvents,
  SipTransportProtocol,
  SendTarget,
  MessageMeta,
  TransportAddress,
  ConnectionCloseReason,
  KeepaliveEvent,
  KeepaliveOptions,
  TransportTimers,
  TransportLogger,
} from './types.ts'
export { realTimers, silentLogger } from './types.ts'
export { TransportSet, type TransportSetTarget, type TransportSetEvents } from './transport-set.ts'
export { TransportError, type TransportErrorCode } from './errors.ts'

// Concrete transports.
export { UdpTransport, type UdpTransportOptions } from './udp.ts'
export { TcpTransport, type TcpTransportOptions } from './tcp.ts'
export { TlsTransport, type TlsTransportOptions } from './tls.ts'
export { WsTransport, SIP_WS_SUBPROTOCOL, type WsTransportOptions } from './ws.ts'
export { createMemoryNetwork, MemoryTransport, type MemoryNetwork, type MemoryTransportOptions, type MemoryDropFilter } from './memory.ts'

// For writing another connection transport.
export { ConnectionTransport, type ConnectionTransportOptions } from './connection-transport.ts'
export { WebSocketClientTransport, type SipWebSocket, type SipWebSocketConstructor, type WebSocketClientTransportOptions } from './web-socket-client.ts'
export type { RawConnection, ConnectionSink } from './connection.ts'
export { StreamConnection, type StreamConnectionOptions } from './stream-connection.ts'
