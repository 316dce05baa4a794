/**
 * The mixer as a running server: registrar, presence agent, local proxy and RFC 7701 chat rooms
 * over SIP and MSRP, in process or on sockets.
 */

// Common: start, stop, options.
export { startChatServer, createChatNetwork, ChatServer } from './chat-server.ts'
export type { ChatServerAddresses, TransportStats } from './chat-server.ts'
export { DEFAULT_SERVER_LIMITS } from './limits.ts'
export type { ChatServerLimits } from './limits.ts'
export type { MsrpDialPolicy } from './dial-policy.ts'
export type { ChatServerOptions, ChatServerTransport, ChatServerTls, ChatNetwork, ChatRoomSettings, ChatServerLogger } from './options.ts'
export type { DeliveryMode } from './participant-link.ts'
// RFC 3326 Reason values on the focus's BYEs (kicked / room closed / shutdown / MSRP failed).
export { BYE_REASONS } from './bye-reason.ts'
export type { ByeCause } from './bye-reason.ts'
export { runChatServerCli } from './cli.ts'
export type { ChatServerCliOptions } from './cli.ts'

// msrp-bot extension: mute/unmute by MESSAGE to the room.
export { MODERATION_CONTENT_TYPE, parseModerationRequest, buildModerationRequest } from './moderation-request.ts'
export type { ModerationRequest } from './moderation-request.ts'

// Advanced: the pieces the server is made of.
export { CONFERENCE_INFO_CONTENT_TYPE, RoomFocus } from './focus.ts'
export { RegistrarService, type Location } from './registrar-service.ts'
export { PresenceService } from './presence-service.ts'
export { LocalProxy } from './proxy.ts'
export { Authenticator, aorOf, aorOfString } from './identity.ts'
export type { ListenAddress } from './sip-endpoint.ts'

// Room state backends: pass `store` to startChatServer (a broker-backed store implements RoomStore).
export { InMemoryRoomStore } from '../room-store.ts'
export type { RoomStore, RoomConfig } from '../room-store.ts'
