/**
 * SIP URI identity for the chat layer ("is this sender me?", "is this my room?"). These are the
 * only copy of the rules: the bot layer re-exports them under its own names (`src/bot/address.ts`),
 * as layers only call downward.
 *
 * @module
 */

/**
 * Reduces a SIP URI to what identifies an address of record: brackets, parameters and headers
 * removed, scheme and host lower-cased, user part kept (RFC 3261 §19.1.4), `sips:` folded into
 * `sip:`.
 */
export function uriKey(uri: string): string {
  let s = uri.trim()
  const lt = s.indexOf('<')
  if (lt >= 0) {
    const gt = s.indexOf('>', lt)
    s = s.slice(lt + 1, gt >= 0 ? gt : undefined)
  }
  s = s.split(/[;?]/, 1)[0] ?? s
  const colon = s.indexOf(':')
  if (colon < 0) return s.toLowerCase()
  const lower = s.slice(0, colon).toLowerCase()
  const scheme = lower === 'sips' ? 'sip' : lower
  const rest = s.slice(colon + 1)
  const at = rest.lastIndexOf('@')
  if (at < 0) return `${scheme}:${rest.toLowerCase()}`
  return `${scheme}:${rest.slice(0, at)}@${rest.slice(at + 1).toLowerCase()}`
}

/** True when two SIP URIs name the same address of record. */
export function sameUri(a: string, b: string): boolean {
  return uriKey(a) === uriKey(b)
}

/** The user part (`echo` in `sip:echo@example.test`), or undefined. */
export function uriUser(uri: string): string | undefined {
  const key = uriKey(uri)
  const colon = key.indexOf(':')
  const at = key.lastIndexOf('@')
  return at > colon ? key.slice(colon + 1, at) : undefined
}

/** The host part (`example.test` in `sip:echo@example.test:5060`), without port. */
export function uriHost(uri: string): string {
  const key = uriKey(uri)
  const afterScheme = key.slice(key.indexOf(':') + 1)
  const hostPort = afterScheme.slice(afterScheme.lastIndexOf('@') + 1)
  if (hostPort.startsWith('[')) return hostPort.slice(0, hostPort.indexOf(']') + 1)
  return hostPort.split(':', 1)[0] ?? hostPort
}
