/**
 * Presence codecs: PIDF (RFC 3863) with the data model's `<person>` (RFC 4479) and RPID
 * activities (RFC 4480).
 *
 * The presence publisher and watcher (SIP PUBLISH / SUBSCRIBE) live in this folder too and
 * are exported below the codec section.
 */
// Codec.
export { parsePidf, buildPidf } from './pidf.ts'
export type { PresenceDocumentInit } from './pidf.ts'
export { summarizePresence, buildSimplePresence } from './summary.ts'
export type { PresenceSummary, SimplePresence } from './summary.ts'
export { PIDF_NAMESPACE, PIDF_DATA_MODEL_NAMESPACE, RPID_NAMESPACE, RPID_ACTIVITIES } from './pidf-types.ts'
export type { PresenceDocument, PresenceTuple, PresencePerson, PresenceNote, RpidActivity } from './pidf-types.ts'

// Publisher / watcher: added by the presence protocol work.
export { PresencePublisher, type PresencePublisherOptions, type PresencePublisherEvents, type PresenceStatus } from './publisher.ts'
export { PresenceWatcher, type PresenceWatcherOptions, type PresenceWatcherEvents, type PresenceUpdate } from './watcher.ts'
