/** The CPIM core header namespace (RFC 3862): headers with no prefix live here. */
export const CPIM_CORE_NAMESPACE = 'urn:ietf:params:cpim-headers:'

/** The IMDN header namespace (RFC 5438). */
export const IMDN_NAMESPACE = 'urn:ietf:params:imdn'

/** A From/To/cc address: optional display name and a URI (RFC 3862). */
export interface CpimAddress {
  /** Display name ("Formal-name"), without quotes. */
  displayName?: string
  /** The URI inside the angle brackets, e.g. `im:alice@example.com` or `sip:bob@example.com`. */
  uri: string
}

/** One Subject header, with its optional language (RFC 3862). */
export interface CpimSubject {
  value: string
  /** The `;lang=` parameter. */
  lang?: string
}

/** A message header other than the core ones, resolved to its namespace URI (RFC 3862). */
export interface CpimExtensionHeader {
  /** Namespace URI; {@link CPIM_CORE_NAMESPACE} for an unprefixed unknown header. */
  namespace: string
  /** Header name without prefix, case preserved (CPIM names are case-sensitive, RFC 3862). */
  name: string
  /** Unescaped value. */
  value: string
  /** Header parameters (`Name:;p=v value`), if any. */
  params?: Record<string, string>
}

/** A MIME header of the encapsulated object (Content-Type, Content-ID, ...). */
export interface CpimContentHeader {
  name: string
  value: string
}

/** A parsed message/cpim object (RFC 3862). */
export interface CpimMessage {
  from: CpimAddress
  to: CpimAddress[]
  cc: CpimAddress[]
  /** DateTime header (RFC 3862), as an instant. */
  dateTime?: Date
  /** The DateTime header exactly as received, keeping its offset and precision. */
  dateTimeText?: string
  subject: CpimSubject[]
  /** Header names listed in Require headers (RFC 3862), as written (prefixed). */
  require: string[]
  /** Prefixes declared with NS headers, prefix → namespace URI ('' for a default-namespace NS). */
  namespaces: Record<string, string>
  /** Every other message header, in wire order. */
  headers: CpimExtensionHeader[]
  /** Encapsulated MIME headers, in wire order. */
  contentHeaders: CpimContentHeader[]
  /** Value of the encapsulated Content-Type, when present. */
  contentType?: string
  /** The encapsulated body, byte-exact. */
  body: Uint8Array
}

/** Input to {@link buildCpim}: what a sender supplies; everything but `from` and `body` may be left out. */
export interface CpimMessageInit {
  from: CpimAddress
  to?: CpimAddress[]
  cc?: CpimAddress[]
  dateTime?: Date
  subject?: CpimSubject[]
  require?: string[]
  /** Prefixes to declare (prefix → URI). Prefixes for extension headers are invented if missing. */
  namespaces?: Record<string, string>
  headers?: CpimExtensionHeader[]
  /** Shortcut for a Content-Type content header (added first if not already in contentHeaders). */
  contentType?: string
  contentHeaders?: CpimContentHeader[]
  body: Uint8Array | string
}
