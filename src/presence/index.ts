/**
 * Presence codecs: PIDF (RFC 3863) with the data model's `<person>` (RFC 4479) and RPID
 * activities (RFC 4480).
 *
 * The presence publisher and watcher (SIP PUBLISH / SUBSCRIBE) are part of the SIP user-agent
 * API: `PresencePublisher` and `PresenceWatcher` from `msrp-bot/sip`.
 */
// Codec.
export { parsePidf, buildPidf } from './pidf.ts'
export type { PresenceDocumentInit } from './pidf.ts'
export { summarizePresence, buildSimplePresence } from './summary.ts'
export type { PresenceSummary, SimplePresence } from './summary.ts'
export { PIDF_NAMESPACE, PIDF_DATA_MODEL_NAMESPACE, RPID_NAMESPACE, RPID_ACTIVITIES } from './pidf-types.ts'
export type { PresenceDocument, PresenceTuple, PresencePerson, PresenceNote, RpidActivity } from './pidf-types.ts'
