/** The conference-info namespace (RFC 4575). */
export const CONFERENCE_INFO_NAMESPACE = 'urn:ietf:params:xml:ns:conference-info'
/**
 * msrp-bot's conference-info extension namespace (RFC 4575 §5 lets `<user>` carry elements of
 * other namespaces). `<automaton>true|false</automaton>` in a `<user>` says whether the user
 * is a bot: RFC 4575 has no such element, so the focus conveys the RFC 3840 `automaton` feature
 * tag of the participant's Contact here. `<files>` in `<conference-description>` lists the files
 * the room stores (RFC 5547 transfers; docs/protocol-notes.md).
 */
export const MSRP_BOT_CONFERENCE_NAMESPACE = 'urn:x-msrp-bot:params:xml:ns:conference-info'

/** The `state` attribute on conference-info elements (RFC 4575): how to apply the element. */
export type ElementState = 'full' | 'partial' | 'deleted'

/** Endpoint status values (RFC 4575). */
export type EndpointStatus =
  | 'pending'
  | 'dialing-out'
  | 'dialing-in'
  | 'alerting'
  | 'on-hold'
  | 'connected'
  | 'muted-via-focus'
  | 'disconnecting'
  | 'disconnected'

/** joining-info / disconnection-info (RFC 4575, §5.7.6). */
export interface ExecutionInfo {
  /** Timestamp, as written (xs:dateTime). */
  when?: string
  reason?: string
  /** URI of the party that caused it. */
  by?: string
}

/** A `<media>` stream of an endpoint (RFC 4575). */
export interface ConferenceMedia {
  id: string
  displayText?: string
  /** e.g. `audio`, `video`, `message` (chat). */
  type?: string
  label?: string
  srcId?: string
  /** sendrecv, sendonly, recvonly, inactive. */
  status?: string
}

/** An `<endpoint>` of a user (RFC 4575). */
export interface ConferenceEndpoint {
  entity: string
  state?: ElementState
  displayText?: string
  status?: EndpointStatus | string
  joiningMethod?: string
  joiningInfo?: ExecutionInfo
  disconnectionMethod?: string
  disconnectionInfo?: ExecutionInfo
  media: ConferenceMedia[]
  /** SIP dialog identifiers from `<call-info><sip>` (RFC 4575). */
  callInfo?: { displayText?: string; callId?: string; fromTag?: string; toTag?: string }
}

/** A `<user>` of the conference (RFC 4575). */
export interface ConferenceUser {
  entity: string
  state?: ElementState
  /**
   * `<display-text>`. Chat rooms (e.g. SylkServer) put the participant's RFC 7701 nickname here,
   * since RFC 4575 has no nickname element.
   */
  displayText?: string
  associatedAors?: string[]
  /** `<roles><entry>` values (RFC 4575). */
  roles?: string[]
  /** `<languages>`, space-separated language tags. */
  languages?: string[]
  endpoints: ConferenceEndpoint[]
  /** msrp-bot extension `<automaton>`: true for a bot, false for a person, absent when unknown. */
  automaton?: boolean

}

/** One `<entry>` of conf-uris / service-uris (RFC 4575). */
export interface ConferenceUri {
  uri: string
  displayText?: string
  purpose?: string
}

/**
 * A file the room stores: one `<file>` of msrp-bot's `<files>` extension. Pull it with an
 * RFC 5547 `a=recvonly` offer naming `sha1`.
 */
export interface ConferenceFile {
  /** The name the sender gave (for display only). */
  name: string
  /** MIME type, e.g. `image/png`. */
  type?: string
  /** Size in bytes. */
  size?: number
  /** SHA-1 of the content, lowercase hex (what a pull names). */
  sha1: string
  /** URI of the participant who shared it. */
  sender?: string
  /** When the room stored it (xs:dateTime, as written). */
  date?: string
}

/** `<conference-description>` (RFC 4575). */
export interface ConferenceDescription {
  state?: ElementState
  displayText?: string
  subject?: string
  freeText?: string
  keywords?: string[]
  confUris?: ConferenceUri[]
  serviceUris?: ConferenceUri[]
  maximumUserCount?: number
  /** `<available-media><entry label=...>`. */
  availableMedia?: { label: string; displayText?: string; type?: string; status?: string }[]
  /**
   * msrp-bot extension `<files>`: the room's stored files, oldest first. Always the whole list,
   * so a partial `<conference-description>` carrying it replaces the list.
   */
  files?: ConferenceFile[]
}

/** `<conference-state>` (RFC 4575). */
export interface ConferenceState {
  state?: ElementState
  userCount?: number
  active?: boolean
  locked?: boolean
}

/** A conference-info document (RFC 4575). */
export interface ConferenceInfo {
  /** Conference URI. */
  entity: string
  /** full, partial or deleted (defaults to full when absent, RFC 4575). */
  state: ElementState
  /** Monotonic document version (RFC 4575 §4.6); absent only from non-conforming notifiers. */
  version?: number
  description?: ConferenceDescription
  conferenceState?: ConferenceState
  /** Present when the document has a `<users>` element. */
  users?: { state?: ElementState; list: ConferenceUser[] }
}
