/** Typed readers and writers for the SIP header fields the stack interprets. */
export { type HeaderParams, readParams, paramValue, serializeParams } from './params.ts'
export {
  type NameAddr, readNameAddr, parseNameAddr, parseNameAddrList, serializeNameAddr, tagOf,
  readNameAddrHeader, readNameAddrList, requireNameAddrHeader,
} from './name-addr.ts'
export { type Via, BRANCH_COOKIE, readVia, parseVia, parseViaList, readVias, readTopVia, serializeVia, hasRfc3261Branch } from './via.ts'
export { type CSeq, MAX_CSEQ, parseCSeq, readCSeq, serializeCSeq } from './cseq.ts'
export {
  MAX_DELTA_SECONDS, parseMaxForwards, readMaxForwards, parseDeltaSeconds, readExpires, parseContentLength,
  parseCallId, parseSipDate, serializeSipDate, readTokenList,
} from './scalars.ts'
export { type ContactList, parseContactList, readContacts, contactExpires, contactQ, serializeContacts } from './contact.ts'
export {
  type MediaType, parseContentType, readContentType, parseAccept, mediaTypeName, mediaTypeMatches, serializeMediaType, charsetOf,
} from './media-type.ts'
export {
  type EventHeader, parseEvent, readEvent, serializeEvent,
  type SubscriptionState, parseSubscriptionState, readSubscriptionState, serializeSubscriptionState,
} from './event.ts'
export { type AuthValue, parseAuthValues, parseAuthValue, serializeAuthValue, UNQUOTED_AUTH_PARAMS } from './auth-params.ts'
