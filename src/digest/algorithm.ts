/**
 * The HTTP Digest arithmetic (RFC 7616, RFC 8760) that SIP (RFC 3261 §22) and MSRP relay AUTH
 * (RFC 4976 §5) share: hash names, H(), HA1 and the request-digest.
 */
import { hashHex, type DigestHashName } from './hashes.ts'

/** Digest algorithms this stack computes (RFC 7616 §3.2, RFC 8760 §2.2). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess'

/** Every supported algorithm, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-512-256', 'SHA-512-256-sess', 'SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess']

/**
 * The canonical spelling of an algorithm name, which compares case-insensitively; absent means
 * MD5 (RFC 3261 §25.1, RFC 7616 §3.3). Undefined for algorithms this stack cannot compute.
 */
export function canonicalAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return 'MD5'
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === name.toLowerCase())
}

/** Strength rank: higher is stronger (RFC 8760 §2.4 deprecates MD5). */
export function algorithmStrength(algorithm: DigestAlgorithm): number {
  return DIGEST_ALGORITHMS.length - DIGEST_ALGORITHMS.indexOf(algorithm)
}

/** H(data) as lower-case hex for the algorithm's hash (RFC 7616 §3.4.1). */
export function digestHash(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  return hashHex(algorithm.replace(/-sess$/i, '').toLowerCase() as DigestHashName, data)
}

/** Everything the response computation reads (RFC 7616 §3.4.1..§3.4.3). */
export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm
  readonly username: string
  readonly realm: string
  /** The password; or give `ha1` instead (a stored H(username:realm:password)). */
  readonly password?: string
  /** H(username:realm:password) precomputed for this algorithm's hash. */
  readonly ha1?: string
  readonly nonce: string
  readonly method: string
  /** The digest-uri: the Request-URI as sent (RFC 3261 §22.4). */
  readonly uri: string
  /** `auth`, `auth-int`, or absent for the RFC 2069 form. */
  readonly qop?: 'auth' | 'auth-int'
  /** 8 hex digits, required with qop. */
  readonly nc?: string
  /** Required with qop and with `-sess` algorithms. */
  readonly cnonce?: string
  /** The message body, for `auth-int`. */
  readonly body?: Buffer | string
}

/** H(username:realm:password), the value a server may store instead of the password. */
export function digestHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`)
}

/**
 * Computes the request-digest (the `response` parameter).
 *
 * RFC 7616 §3.4.1: with qop, `KD(HA1, nonce:nc:cnonce:qop:HA2)`; without (RFC 2069),
 * `KD(HA1, nonce:HA2)`. `-sess` algorithms use `HA1 = H(H(user:realm:pass):nonce:cnonce)`
 * (§3.4.2); `auth-int` uses `HA2 = H(method:uri:H(body))` (§3.4.3).
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm } = input
  let ha1 = input.ha1 ?? digestHa1(algorithm, input.username, input.realm, input.password ?? '')
  if (algorithm.endsWith('-sess')) ha1 = digestHash(algorithm, `${ha1}:${input.nonce}:${input.cnonce ?? ''}`)
  const ha2 = input.qop === 'auth-int'
    ? digestHash(algorithm, `${input.method}:${input.uri}:${digestHash(algorithm, input.body ?? '')}`)
    : digestHash(algorithm, `${input.method}:${input.uri}`)
  const data = input.qop ? `${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}` : `${input.nonce}:${ha2}`
  return digestHash(algorithm, `${ha1}:${data}`)
}
