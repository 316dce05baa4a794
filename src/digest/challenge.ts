/**
 * Digest challenges (RFC 7616 §3.3) as SIP (RFC 3261 §22) and MSRP relays (RFC 4976 §5) send
 * them in WWW-Authenticate / Proxy-Authenticate.
 */
import { canonicalAlgorithm } from './algorithm.ts'
import { type AuthParams, type AuthParseErrorSpec, parseAuthHeader } from './auth-params.ts'

/** A Digest challenge from WWW-Authenticate or Proxy-Authenticate (RFC 7616 §3.3). */
export interface DigestChallenge {
  readonly realm: string
  readonly nonce: string
  readonly opaque: string | undefined
  /** Canonical name when supported, else the name as received (absent means MD5). */
  readonly algorithm: string
  /** Whether this stack can compute `algorithm`. */
  readonly supported: boolean
  /** Offered qop values, lower case; empty for the RFC 2069 form. */
  readonly qop: readonly string[]
  /** RFC 7616 §3.3: the previous nonce was only too old; retry with the same credentials. */
  readonly stale: boolean
  /** RFC 7616 §3.4.4: send `username` as H(username:realm). */
  readonly userhash: boolean
  readonly domain: string | undefined
}

/**
 * Reads one parsed challenge as a Digest challenge; undefined for another scheme or a Digest
 * challenge without realm or nonce.
 */
export function readDigestChallenge(c: AuthParams): DigestChallenge | undefined {
  if (c.scheme.toLowerCase() !== 'digest') return undefined
  const realm = c.params.get('realm')
  const nonce = c.params.get('nonce')
  if (realm === undefined || nonce === undefined) return undefined
  const raw = c.params.get('algorithm')
  const algorithm = canonicalAlgorithm(raw)
  return {
    realm,
    nonce,
    opaque: c.params.get('opaque'),
    algorithm: algorithm ?? raw ?? 'MD5',
    supported: algorithm !== undefined,
    qop: (c.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0),
    stale: c.params.get('stale')?.toLowerCase() === 'true',
    userhash: c.params.get('userhash')?.toLowerCase() === 'true',
    domain: c.params.get('domain'),
  }
}

/**
 * Reads every Digest challenge from header values (one header line each, or several challenges
 * in one value). Other schemes are skipped; challenges without realm or nonce are skipped.
 *
 * @throws ParseError (default code `SIP_BAD_AUTH_HEADER`) when a value is not valid auth-param syntax.
 */
export function parseDigestChallenges(values: string | readonly string[], error?: AuthParseErrorSpec): DigestChallenge[] {
  const list = typeof values === 'string' ? [values] : values
  return list.flatMap((value) => parseAuthHeader(value, error)).flatMap((c) => {
    const challenge = readDigestChallenge(c)
    return challenge ? [challenge] : []
  })
}
