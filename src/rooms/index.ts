/**
 * The RFC 7701 chat-room contract that the room client (src/chat) and the server (src/server)
 * both speak: identities, content types, typed content, CPIM chat messages, is-composing,
 * moderation requests, BYE reasons, system notices and the token bucket both sides pace with.
 *
 * @module
 */

export {
  CPIM_TYPE,
  TEXT_PLAIN_TYPE,
  TEXT_PLAIN_UTF8_TYPE,
  IS_COMPOSING_TYPE,
  IMDN_TYPE,
  CONFERENCE_INFO_TYPE,
  PIDF_TYPE,
  MODERATION_TYPE,
  ACCEPT_WRAPPED_TYPES,
  mediaType,
  baseType,
  isAcceptedType,
  categorize,
} from './content-types.ts'
export type { ChatMessageCategory } from './content-types.ts'
export { contentOf } from './content.ts'
export type { MediaContent, MimeContent } from './content.ts'
export { identityKey, identityKeyOrText, sameIdentity, equalUris, parseIdentity, uriUser, uriHost } from './identity.ts'
export { buildChatCpim, buildComposingCpim, decodeChatMessage, newMessageId } from './chat-message.ts'
export type { ChatCpimInit, DecodedChat, InboundMsrp } from './chat-message.ts'
export { buildIsComposing, parseIsComposing } from './is-composing.ts'
export type { IsComposing } from './is-composing.ts'
export { noticeKind, SIP_SIMPLE_CPIM_NAMESPACE } from './system-notice.ts'
export type { NoticeKind } from './system-notice.ts'
export { parseModerationRequest, buildModerationRequest } from './moderation.ts'
export type { ModerationRequest } from './moderation.ts'
export { BYE_REASONS, byeMeaning, parseReasonHeader } from './bye-reason.ts'
export type { ByeCause, ByeMeaning, ReasonValue } from './bye-reason.ts'
export { TokenBucket } from './token-bucket.ts'
export {
  MSRP_BOT_CPIM_NAMESPACE,
  MSRP_BOT_CPIM_PREFIX,
  HISTORY_HEADER,
  HISTORY_REPLAY,
  isHistoryReplay,
  hasMsrpBotHeader,
  withCpimDateTime,
  markHistoryReplay,
} from './history.ts'
export { formatFileNotice, parseFileNotice } from './file-notice.ts'
export type { AnnouncedFile } from './file-notice.ts'
