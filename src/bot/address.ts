/**
 * Comparing SIP URIs the way the bot needs to (is this sender me?).
 *
 * @module
 */

/**
 * Reduces a SIP URI to what identifies an address of record: angle brackets, URI parameters and
 * headers removed, scheme and host lower-cased, user part kept as is (RFC 3261 §19.1.4: the user
 * part is case-sensitive, the host is not). `sips:` is folded into `sip:`: RFC 3261 §19.1.4 says
 * the two URIs are not equivalent for routing, but for "is this sender me?" and "is this the
 * room I joined?" they name the same address of record.
 */
export function addressKey(uri: string): string {
  let s = uri.trim()
  const lt = s.indexOf('<')
  if (lt >= 0) s = s.slice(lt + 1, s.indexOf('>', lt) >= 0 ? s.indexOf('>', lt) : undefined)
  s = s.split(/[;?]/, 1)[0] ?? s
  const colon = s.indexOf(':')
  if (colon < 0) return s.toLowerCase()
  const scheme = s.slice(0, colon).toLowerCase() === 'sips' ? 'sip' : s.slice(0, colon).toLowerCase()
  const rest = s.slice(colon + 1)
  const at = rest.lastIndexOf('@')
  if (at < 0) return `${scheme}:${rest.toLowerCase()}`
  return `${scheme}:${rest.slice(0, at)}@${rest.slice(at + 1).toLowerCase()}`
}

/** True when two SIP URIs name the same address of record (see {@link addressKey}). */
export function sameAddress(a: string, b: string): boolean {
  return addressKey(a) === addressKey(b)
}

/** The user part of a SIP URI (`echo` for `sip:echo@example.test`), or undefined. */
export function userPart(uri: string): string | undefined {
  const key = addressKey(uri)
  const colon = key.indexOf(':')
  const at = key.lastIndexOf('@')
  return at > colon ? key.slice(colon + 1, at) : undefined
}

/** True when `s` looks like a SIP or SIPS URI rather than a nickname. */
export function isSipUri(s: string): boolean {
  return /^sips?:/i.test(s.trim())
}
