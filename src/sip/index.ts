/**
 * The SIP stack (RFC 3261): message codec, URIs, typed header readers and writers.
 *
 * Common: parseSipMessage / serializeSipMessage, the SipRequest/SipResponse model, URIs.
 * Then: typed header readers (Via, name-addr, CSeq, Contact ...), validation helpers.
 */
export type { SipMessage, SipRequest, SipResponse, SipMethod, KnownSipMethod } from './message.ts'
export { isRequest, isResponse } from './message.ts'
export { SipHeaders, splitHeaderList, type SipHeaderField } from './header-list.ts'
export { canonicalHeaderName, COMPACT_HEADER_NAMES } from './header-names.ts'
export { SipStreamFramer, contentLength, type SipFrame, type SipFramerLimits } from './framing.ts'
export { parseSipMessage, type SipParseOptions } from './parser.ts'
export { serializeSipMessage } from './serializer.ts'
export {
  parseUri, parseSipUri, serializeUri, uriEquals, sipUri, hostForSocket, unescapeComponent,
  type Uri, type SipUri, type TelUri, type AbsoluteUri, type UriParseOptions,
} from './uri.ts'
export * from './headers/index.ts'
export * from './validate.ts'

// Protocol layers: timers, transactions (§17), dialogs (§12), the UA core (§8).
export { type Clock, type TimerHandle, FakeClock, unrefClock as realClock } from '../clock.ts'
export { type SipTimerSettings, DEFAULT_SIP_TIMERS, sipTimers } from './timers.ts'
export { newBranch, newTag, newCallId, randomToken } from './ids.ts'
export { createResponse, REASON_PHRASES, type ResponseOptions } from './response.ts'
export * from './transaction/index.ts'
export { Dialog, DialogError, dialogKey, type DialogId, type DialogState, type DialogRequestOptions, type DialogRejection } from './dialog.ts'
export * from './core/index.ts'
// The user-agent API (SIP.js api/ style): UserAgent, Registerer, Messager, Inviter, Invitation, Session, Subscriber, Notifier, Publisher.
export * from './ua/index.ts'
