/**
 * The I/O-free core of msrp-bot's chat server — an RFC 7701 chat-room focus, a registrar and
 * location service (RFC 3261 §10), and a presence agent (RFC 3903, RFC 3856/6665). Protocol-
 * independent decisions over small interfaces; the wiring connects SIP dialogs and MSRP sessions.
 */

// Chat rooms: state, focus logic, nicknames, moderation.
export { InMemoryRoomStore, RoomStoreError, DEFAULT_ROOM_CONFIG } from './room-store.ts'
export type {
  RoomStore,
  ServerRoomState,
  RoomConfig,
  RateLimitConfig,
  ServerParticipant,
  ParticipantRole,
  ParticipantPatch,
  LeaveReason,
  RosterChange,
  RosterChangeKind,
  RoomStoreEvent,
} from './room-store.ts'
export { ServerRoom } from './room.ts'
export { RoomHistory, MAX_HISTORY_MARKS } from './room-history.ts'
export type { HistoryEntry, HistoryInput, HistoryLimits } from './room-history.ts'
export { MAX_RETAINED_HISTORIES } from './room-store.ts'
export { RoomDirectory } from './room-directory.ts'
export type { RoomDirectoryOptions } from './room-directory.ts'
export { roomParticipants, fullRosterInput, partialRosterInput } from './roster.ts'
export { roomMediaPolicy } from './media-policy.ts'
export { ConferenceNotifier, CONFERENCE_EVENT } from './conference-notifier.ts'
export type {
  ConferenceNotifierOptions,
  ConferenceSubscribeRequest,
  ConferenceSubscribeDecision,
  ConferenceNotify,
  ConferenceDocument,
} from './conference-notifier.ts'
export type { RoomMediaPolicy } from './media-policy.ts'
export type { ServerRoomOptions, JoinRequest, JoinDecision, NicknameDecision } from './room.ts'
export { aggregateDelivery } from './chat-message.ts'
export type {
  ChatCpim,
  ChatCpimAddress,
  InboundChatMessage,
  MessageDecision,
  MessageDelivery,
  MessageRejection,
  DeliveryOutcome,
  DeliveryReport,
} from './chat-message.ts'
export { prepareNickname, nicknameKey, sameNickname, reserveNickname, DEFAULT_MAX_NICKNAME_LENGTH } from './nickname.ts'
export type { PreparedNickname, NicknameError, NicknameOptions, NicknameRoomView } from './nickname.ts'
export { decideRefer, applyKick, setMuted, mayModerate, parseReferTo } from './moderation.ts'
export type { ReferDecision, KickAction, ReferTarget, MuteDecision } from './moderation.ts'

// Registrar / location service.
export { Registrar, formatContact } from './registrar.ts'
export type {
  RegisterRequest,
  RegisterDecision,
  RegistrarOptions,
  ContactInput,
  Binding,
  BindingView,
  ResponseHeaders,
} from './registrar.ts'

// Presence agent.
export { PresenceAgent, composeLatest, PRESENCE_EVENT, PIDF_CONTENT_TYPE } from './presence-agent.ts'
export type {
  PresenceAgentOptions,
  PublishRequest,
  PublishDecision,
  SubscribeRequest,
  SubscribeDecision,
  NotifyInstruction,
  Publication,
  PresenceAuthorization,
  PresenceHeaders,
} from './presence-agent.ts'

// Building blocks.
export type { TimeSource } from '../../clock.ts'
