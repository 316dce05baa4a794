/**
 * msrp-bot for a browser: the SIP user agent, MSRP sessions, the RFC 7701 room client and the
 * codecs, with WebSocket transports (RFC 7118 for SIP, RFC 7977 for MSRP). Nothing reachable
 * from here imports `node:` or a Node-only package; test/platform/browser-bundle.test.ts bundles
 * this file for the browser platform and fails on any such import.
 *
 * Still Node-shaped: the byte handling uses `Buffer`, so a page provides one (the `buffer`
 * package) until the codecs move to `Uint8Array`; the chat page (src/web) has esbuild inject it
 * (src/server/web-assets.ts).
 *
 * @example
 * ```ts
 * import { UserAgent, WebSocketClientTransport } from 'msrp-bot/browser'
 * const ua = new UserAgent({ uri: 'sip:alice@example.com', password, transport: new WebSocketClientTransport({ url: 'wss://example.com/sip' }) })
 * await ua.start()
 * ```
 *
 * @module
 */

// ---- SIP: the user agent on a WebSocket (RFC 7118) or in-memory transport -------------------
export { UserAgent } from './sip/ua/user-agent.ts'
export type { UserAgentOptions, UaTransportFactory } from './sip/ua/options.ts'
export { Registerer } from './sip/ua/registerer.ts'
export { Messager } from './sip/ua/messager.ts'
export { Inviter } from './sip/ua/inviter.ts'
export { Subscriber } from './sip/ua/subscriber.ts'
export { Publisher } from './sip/ua/publisher.ts'
export { WebSocketClientTransport } from './sip/transport/web-socket-client.ts'
export type { SipWebSocket, SipWebSocketConstructor, WebSocketClientTransportOptions } from './sip/transport/web-socket-client.ts'
export { createMemoryNetwork, MemoryTransport } from './sip/transport/memory.ts'
export type { MemoryNetwork as SipMemoryNetwork } from './sip/transport/memory.ts'
export type { SipTransport } from './sip/transport/types.ts'

// ---- MSRP: sessions over a WebSocket (RFC 7977) ---------------------------------------------
export { MsrpSession } from './msrp/session.ts'
export { MsrpConnection } from './msrp/connection.ts'
export type { MsrpDial } from './msrp/dial.ts'
export { openMsrpWebSocket, standardWebSocketTransport, webSocketDial } from './msrp/web-socket.ts'

// ---- Chat rooms (RFC 7701): the client side ---------------------------------------------------
export { SipChatBackend } from './chat/sip-chat-backend.ts'
export type { SipChatBackendOptions } from './chat/sip-chat-backend.ts'
export { RoomClient } from './chat/room-client.ts'
export { RoomMedia } from './chat/room-media.ts'
export type { ChatPlatform, MsrpDialer } from './chat/msrp-dialer.ts'

// ---- Codecs ------------------------------------------------------------------------------------
export { parseSipMessage } from './sip/parser.ts'
export { serializeSipMessage } from './sip/serializer.ts'
export { parseSipUri } from './sip/uri.ts'
export { MsrpParser } from './msrp/parser.ts'
export { parseCpim } from './cpim/parser.ts'
export { buildCpim } from './cpim/builder.ts'
export { parsePidf, buildPidf } from './presence/pidf.ts'
export { parseConferenceInfo } from './conference/parse.ts'
export { digestHash } from './digest/algorithm.ts'
