/**
 * RFC 3261 §7.3.3 compact header forms (plus those of later RFCs), mapped to their full names.
 */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = {
  a: 'Accept-Contact', // RFC 3841
  b: 'Referred-By', // RFC 3892
  c: 'Content-Type',
  d: 'Request-Disposition', // RFC 3841
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact', // RFC 3841
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  o: 'Event', // RFC 6665
  r: 'Refer-To', // RFC 3515
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events', // RFC 6665
  v: 'Via',
  x: 'Session-Expires', // RFC 4028
  y: 'Identity', // RFC 8224
}

/** Canonical spellings for well-known headers, keyed by lower-case name. */
const CANONICAL: Record<string, string> = Object.fromEntries(
  [
    'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
    'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
    'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date',
    'Error-Info', 'Event', 'Expires', 'From', 'In-Reply-To', 'Max-Forwards', 'Min-Expires',
    'MIME-Version', 'Organization', 'Priority', 'Proxy-Authenticate', 'Proxy-Authorization',
    'Proxy-Require', 'Record-Route', 'Refer-To', 'Referred-By', 'Reply-To', 'Require', 'Retry-After',
    'Route', 'Server', 'Session-Expires', 'Min-SE', 'SIP-ETag', 'SIP-If-Match', 'Subject',
    'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via',
    'Warning', 'WWW-Authenticate', 'Path', 'Service-Route', 'RSeq', 'RAck', 'Flow-Timer',
    'Accept-Contact', 'Reject-Contact', 'Request-Disposition', 'Identity',
  ].map((name) => [name.toLowerCase(), name]),
)

/**
 * The canonical name of a header: compact forms expanded, well-known names spelled as the
 * RFCs spell them, and unknown names kept as given. Header names compare case-insensitively
 * (RFC 3261 §7.3.1), so every lookup goes through this.
 */
export function canonicalHeaderName(name: string): string {
  const cached = CACHE.get(name)
  if (cached !== undefined) return cached
  const canonical = computeCanonical(name)
  // Bounded: a peer sending endless distinct names cannot grow it past CACHE_LIMIT.
  if (CACHE.size < CACHE_LIMIT) CACHE.set(name, canonical)
  return canonical
}

const CACHE = new Map<string, string>()
const CACHE_LIMIT = 2048

function computeCanonical(name: string): string {
  const lower = name.toLowerCase()
  if (lower.length === 1) {
    const full = COMPACT_HEADER_NAMES[lower]
    if (full) return full
  }
  return CANONICAL[lower] ?? name
}
