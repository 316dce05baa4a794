/**
 * The chat server as it runs: registrar, presence agent, local proxy and RFC 7701 chat rooms
 * over SIP and MSRP, in process or on sockets.
 */

// Common: start, stop, options.
export { startChatServer, createChatNetwork, ChatServer } from './chat-server.ts'
export type { ChatServerAddresses, TransportStats } from './chat-server.ts'
export { DEFAULT_SERVER_LIMITS } from './limits.ts'
export type { ChatServerLimits } from './limits.ts'
export type { MsrpDialPolicy } from './dial-policy.ts'
export type { ChatServerOptions, ChatServerTransport, ChatServerTls, ChatNetwork, ChatRoomSettings, ChatServerLogger, RoomsOnDemandPolicy, CallOutCredentials } from './options.ts'
export type { DeliveryMode } from './participant-link.ts'
// RFC 3326 Reason values on the focus's BYEs (kicked / room closed / shutdown / MSRP failed).
export { BYE_REASONS } from '../rooms/bye-reason.ts'
export type { ByeCause } from '../rooms/bye-reason.ts'
export { chatServerOptionsFromCli, runChatServerCli } from './cli.ts'
export type { ChatServerCliOptions } from './cli.ts'

// msrp-bot extension: mute/unmute by MESSAGE to the room.
export { parseModerationRequest, buildModerationRequest } from '../rooms/moderation.ts'
export { MODERATION_TYPE as MODERATION_CONTENT_TYPE } from '../rooms/content-types.ts'
export type { ModerationRequest } from '../rooms/moderation.ts'

// Advanced: the pieces the server is made of.
export { RoomFocus } from './focus.ts'
export { CONFERENCE_INFO_TYPE as CONFERENCE_INFO_CONTENT_TYPE } from '../rooms/content-types.ts'
export { RegistrarService, type Location } from './registrar-service.ts'
export { PresenceService } from './presence-service.ts'
export { LocalProxy } from './proxy.ts'
export { Authenticator } from './identity.ts'
export type { ListenAddress } from './sip-endpoint.ts'
export { CallOutAuthError } from './call-out-auth.ts'

// Room state backends: pass `store` to startChatServer (a broker-backed store implements RoomStore).
export { InMemoryRoomStore } from './core/room-store.ts'
export type { RoomStore, RoomConfig } from './core/room-store.ts'
export { sanitizeFileName } from './room-files.ts'
export type { RoomFileOptions, StoredFile } from './room-files.ts'
