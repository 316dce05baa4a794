/**
 * The chat layer: the client side of RFC 7701 chat rooms over SIP and MSRP, behind the
 * {@link ChatBackend} contract the bot layer uses.
 *
 * @module
 */

// --- Common: the backend and its contract ------------------------------------------------
export { SipChatBackend, debugChatLogger } from './sip-chat-backend.ts'
export { createNodeChatBackend, nodeChatPlatform, socketDialer } from './node-platform.ts'
export type { SipChatBackendOptions, SipChatBackendState, ChatMemoryNetworks } from './sip-chat-backend.ts'
export { BackendErrorCode } from './backend.ts'
// Every type of the bot↔chat contract (ChatBackend, RoomHandle, BackendEvent and its events ...).
export type * from './backend.ts'

// --- Errors ------------------------------------------------------------------------------
export { NicknameError, SendError, ParticipantNotFoundError, ModerationError, errorCode } from './backend-errors.ts'
export type { SendFailureReason, ModerationFailureReason } from './backend-errors.ts'
export { JoinError } from './room-client.ts'

// --- Advanced: the pieces ----------------------------------------------------------------
export { RoomClient, MODERATION_CONTENT_TYPE } from './room-client.ts'
export type { RoomClientState, RoomHost, ChatLogger } from './room-client.ts'
export { RoomMedia } from './room-media.ts'
export type { RoomMediaOptions, RoomMediaEvents } from './room-media.ts'
export { RoomRoster } from './room-roster.ts'
export type { RosterChange, RosterUpdate } from './room-roster.ts'
export { memoryDialer, missingDialer } from './msrp-dialer.ts'
export type { ChatPlatform, MsrpDialer } from './msrp-dialer.ts'
export { Backoff } from './backoff.ts'
export type { BackoffOptions } from './backoff.ts'
export { buildChatCpim, buildComposingCpim, decodeChatMessage, contentOf, newMessageId, ACCEPT_WRAPPED_TYPES, IMDN_TYPE } from './chat-message.ts'
export type { ChatCpimInit, DecodedChat, InboundMsrp } from './chat-message.ts'
export { noticeKind, SIP_SIMPLE_CPIM_NAMESPACE } from './system-notice.ts'
export type { NoticeKind } from './system-notice.ts'
export { buildIsComposing, parseIsComposing, IS_COMPOSING_TYPE } from './is-composing.ts'
export type { IsComposing } from './is-composing.ts'
export { toSendError, toNicknameError, toModerationError, isDisconnect } from './error-mapping.ts'
export { uriKey, sameUri, uriUser, uriHost } from './address.ts'
export { byeMeaning, parseReasonHeader } from './bye-reason.ts'
export type { ByeMeaning, ReasonValue } from './bye-reason.ts'
