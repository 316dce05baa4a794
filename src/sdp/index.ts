/**
 * SDP for MSRP (RFC 4975 §8, RFC 6135, RFC 7701): parse MSRP media descriptions and run the
 * offer/answer exchange, on top of sdp-transform.
 */
export { parseMsrpSdp, MAX_SDP_LENGTH } from './parse.ts'
export { createOffer, createAnswer, answerSetup, SdpNegotiationError } from './offer-answer.ts'
export type { MsrpMediaOptions, MsrpOfferOptions, MsrpAnswerOptions, MsrpAnswerResult } from './offer-answer.ts'
export { intersectAcceptTypes, acceptsType } from './accept-types.ts'
export { parseChatroom, formatChatroom, msrpUriAuthority } from './attributes.ts'
export type { MsrpMedia, MsrpSdp, SdpDirection, SetupRole, ChatroomCapabilities } from './types.ts'
export { parseFileAttributes, formatFileAttributes, parseFileSelector, formatFileSelector, formatHashValue, isFileAttribute } from './file-attributes.ts'
export type { FileDescription, FileSelector, FileHash, FileDates, FileRange } from './file-attributes.ts'
