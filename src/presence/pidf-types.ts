/** PIDF namespace (RFC 3863 §4.1). */
export const PIDF_NAMESPACE = 'urn:ietf:params:xml:ns:pidf'
/** Presence data model namespace, home of `<person>` (RFC 4479). */
export const PIDF_DATA_MODEL_NAMESPACE = 'urn:ietf:params:xml:ns:pidf:data-model'
/** RPID namespace, home of `<activities>` (RFC 4480). */
export const RPID_NAMESPACE = 'urn:ietf:params:xml:ns:pidf:rpid'

/** RPID activity values defined by RFC 4480. Other strings are allowed (extensions). */
export const RPID_ACTIVITIES = [
  'appointment', 'away', 'breakfast', 'busy', 'dinner', 'holiday', 'in-transit', 'looking-for-work',
  'meal', 'meeting', 'on-the-phone', 'performance', 'permanent-absence', 'playing', 'presentation',
  'shopping', 'sleeping', 'spectator', 'steering', 'travel', 'tv', 'unknown', 'vacation', 'working', 'worship',
] as const

/** An RFC 4480 activity name. */
export type RpidActivity = (typeof RPID_ACTIVITIES)[number]

/** A `<note>` with its optional `xml:lang` (RFC 3863 §4.1.6). */
export interface PresenceNote {
  text: string
  lang?: string
}

/** A `<tuple>` (RFC 3863 §4.1.2). */
export interface PresenceTuple {
  /** Unique within the document. */
  id: string
  /** `<status><basic>`: open = can receive messages. */
  basic?: 'open' | 'closed'
  /** `<contact>` URI and its priority (0..1, RFC 3863 §4.1.5). */
  contact?: { uri: string; priority?: number }
  notes: PresenceNote[]
  /** `<timestamp>`, as written. */
  timestamp?: string
}

/** A data-model `<person>` (RFC 4479) with RPID activities (RFC 4480). */
export interface PresencePerson {
  id: string
  /** Activity element names, e.g. `away`, `on-the-phone`; `other` texts go to otherActivities. */
  activities: string[]
  /** Texts of `<rpid:other>` activities. */
  otherActivities: string[]
  notes: PresenceNote[]
  timestamp?: string
}

/** A PIDF document (RFC 3863 §4). */
export interface PresenceDocument {
  /** Presentity URI (`pres:` or `sip:`). */
  entity: string
  tuples: PresenceTuple[]
  persons: PresencePerson[]
  /** Presence-level notes. */
  notes: PresenceNote[]
}
