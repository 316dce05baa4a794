/**
 * The chat layer: the client side of RFC 7701 chat rooms over SIP and MSRP, behind the
 * {@link ChatBackend} contract the bot layer uses.
 *
 * @module
 */

// --- Common: the backend and its contract ------------------------------------------------
export { SipChatBackend, debugChatLogger } from './sip-chat-backend.ts'
export { createNodeChatBackend, nodeChatPlatform, socketDialer, socketAcceptor } from './node-platform.ts'
export type { SipChatBackendOptions, SipChatBackendState, ChatMemoryNetworks } from './sip-chat-backend.ts'
export { BackendErrorCode } from './backend.ts'
// Every type of the bot↔chat contract (ChatBackend, RoomHandle, BackendEvent and its events ...).
export type * from './backend.ts'

// --- Errors ------------------------------------------------------------------------------
export { NicknameError, SendError, ParticipantNotFoundError, ModerationError, InvitationError, errorCode } from './backend-errors.ts'
export type { SendFailureReason, ModerationFailureReason } from './backend-errors.ts'
export { JoinError } from './room-client.ts'

// --- Advanced: the pieces ----------------------------------------------------------------
export { RoomClient } from './room-client.ts'
export type { RoomClientState, RoomHost, ChatLogger } from './room-client.ts'
export { RoomMedia } from './room-media.ts'
export type { RoomMediaOptions, RoomMediaEvents } from './room-media.ts'
export { RoomRoster } from './room-roster.ts'
export type { RosterChange, RosterUpdate } from './room-roster.ts'
export { memoryDialer, missingDialer } from './msrp-dialer.ts'
export type { ChatPlatform, MsrpDialer } from './msrp-dialer.ts'
export { DirectChats, DEFAULT_MAX_DIRECT_SESSIONS, DEFAULT_MAX_DIRECT_MESSAGE_BYTES, UDP_MESSAGE_LIMIT } from './direct-chats.ts'
export { DirectSession } from './direct-session.ts'
export { decodeDirect, encodeDirect, DIRECT_ACCEPT_TYPES } from './direct-content.ts'
export { memoryAcceptor } from './msrp-acceptor.ts'
export { isRoomInvitation } from './room-invitation.ts'
export type { RoomInvitation } from './room-invitation.ts'
export type { MsrpAcceptor, MsrpAcceptorFactory, AcceptedSession } from './msrp-acceptor.ts'
export { Backoff } from './backoff.ts'
export type { BackoffOptions } from './backoff.ts'
export { toSendError, toNicknameError, toModerationError, isDisconnect } from './error-mapping.ts'

// The wire contract (CPIM chat messages, is-composing, identities, BYE reasons) is src/rooms.
export type * from './file-contract.ts'
export { outgoingFile, guessFileType, DiskFileSink } from './node-files.ts'
export type { FileInput, FileMeta } from './node-files.ts'
export { DirectFileOffer, pushFile, pullFile, DEFAULT_MAX_FILE_BYTES } from './direct-file.ts'
