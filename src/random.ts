/**
 * Random bytes for identifiers (tags, Call-IDs, transaction ids, nonces) from the Web Crypto
 * API (`globalThis.crypto.getRandomValues`), which Node 20 and every browser provide, so the
 * protocol layers need no `node:crypto`.
 *
 * @module
 */

/** What `getRandomValues` accepts at most in one call (Web Crypto API, QuotaExceededError above). */
const MAX_PER_CALL = 65_536

/** `length` cryptographically strong random bytes. */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += MAX_PER_CALL) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_PER_CALL)))
  }
  return out
}

/** `length` random bytes as lower-case hex (`2 * length` characters). */
export function randomHex(length: number): string {
  let hex = ''
  for (const byte of randomBytes(length)) hex += byte.toString(16).padStart(2, '0')
  return hex
}
