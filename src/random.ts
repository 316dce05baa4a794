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

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** `length` random bytes as unpadded base64url (RFC 4648 §5), e.g. 12 bytes → 16 characters. */
export function randomBase64Url(length: number): string {
  const bytes = randomBytes(length)
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6))
    for (let c = 0; c < chars; c++) out += BASE64URL[(n >> (18 - 6 * c)) & 63]
  }
  return out
}

/** A random (version 4) UUID, RFC 9562 §5.4, in its lower-case 8-4-4-4-12 form. */
export function randomUuid(): string {
  const bytes = randomBytes(16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x40 // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // variant 10
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
