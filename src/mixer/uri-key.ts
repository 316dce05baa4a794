/**
 * Identity comparison for SIP/IM URIs, as the mixer needs it: "is this CPIM From the participant's
 * own URI?", "which participant does this To name?", "which address-of-record is this?".
 *
 * This is deliberately smaller than full RFC 3261 §19.1.4 equality: it keeps scheme, user, host and
 * port, and ignores display names, URI parameters and headers (a `;transport=tcp` or `;gr` on a
 * participant's URI must not make it a different person). Scheme and host compare case-insensitively,
 * the user part case-sensitively (RFC 3261 §19.1.4), with %-escapes of unreserved characters decoded.
 * `im:` and `pres:` URIs (RFC 3860, RFC 3859) use the same shape.
 *
 * @module
 */

import { parseUri, uriEquals } from '../sip/uri.ts'

/**
 * Reduces a URI, or a name-addr such as `"Alice" <sip:alice@example.test;gr>`, to a comparison key
 * like `sip:alice@example.test`. Returns `undefined` when no `scheme:` can be found.
 *
 * @example
 * ```ts
 * uriKey('<SIP:alice@Example.TEST:5060;transport=tcp>') // 'sip:alice@example.test:5060'
 * ```
 */
export function uriKey(input: string): string | undefined {
  let text = input.trim()
  const open = text.indexOf('<')
  if (open >= 0) {
    const close = text.indexOf('>', open + 1)
    text = text.slice(open + 1, close < 0 ? undefined : close).trim()
  }
  const colon = text.indexOf(':')
  if (colon <= 0) return undefined
  const scheme = text.slice(0, colon).toLowerCase()
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return undefined
  let rest = text.slice(colon + 1)
  // Headers (?...) and parameters (;...) never identify the resource for our purposes.
  const q = rest.indexOf('?')
  if (q >= 0) rest = rest.slice(0, q)
  const at = rest.lastIndexOf('@')
  let user = ''
  let hostport = rest
  if (at >= 0) {
    user = rest.slice(0, at)
    hostport = rest.slice(at + 1)
    // A user part may itself carry user-parameters after ';' (RFC 3261 §19.1.1, tel-style);
    // keep it: it is part of the user.
  }
  const semi = hostport.indexOf(';')
  if (semi >= 0) hostport = hostport.slice(0, semi)
  hostport = hostport.toLowerCase()
  if (hostport === '') return undefined
  user = decodeUnreserved(user)
  return user === '' ? `${scheme}:${hostport}` : `${scheme}:${user}@${hostport}`
}

/** True when both inputs name the same resource by {@link uriKey}; false if either is unparseable. */
export function sameUri(a: string, b: string): boolean {
  const ka = uriKey(a)
  return ka !== undefined && ka === uriKey(b)
}

/** Decodes %XX escapes of unreserved characters only (RFC 3986 §2.3), so `%61lice` equals `alice`. */
function decodeUnreserved(user: string): string {
  return user.replace(/%([0-9A-Fa-f]{2})/g, (whole, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16))
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : whole.toUpperCase()
  })
}

/**
 * Full RFC 3261 §19.1.4 URI equality of two URI texts (a `<...>` name-addr is unwrapped): port
 * and `transport`/`user`/`maddr`/`ttl`/`method` parameters count. False if either does not parse.
 */
export function equalUris(a: string, b: string): boolean {
  try {
    return uriEquals(parseUri(unwrap(a)), parseUri(unwrap(b)))
  } catch {
    return false
  }
}

function unwrap(text: string): string {
  const t = text.trim()
  const open = t.indexOf('<')
  if (open < 0) return t
  const close = t.indexOf('>', open + 1)
  return t.slice(open + 1, close < 0 ? undefined : close).trim()
}
