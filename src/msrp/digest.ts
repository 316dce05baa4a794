/**
 * HTTP Digest as RFC 4976 §5 uses it to AUTH with an MSRP relay: the method is `AUTH` and the
 * digest-uri is the relay URI from To-Path, so HA2 = H("AUTH:" + uri).
 *
 * The auth-param grammar, challenge reading and hash arithmetic are the shared Digest codec's
 * (src/digest, RFC 7616); this file only adapts them to MSRP AUTH.
 */
import { randomHex } from '../random.ts'
import { ParseError } from '../errors.ts'
import { type DigestChallenge as AnyDigestChallenge, canonicalAlgorithm, formatDigestCredentials, parseDigestChallenges } from '../digest/index.ts'

/** The parameters of a `WWW-Authenticate: Digest …` challenge that relay AUTH uses. */
export type DigestChallenge = Pick<AnyDigestChallenge, 'realm' | 'nonce' | 'qop' | 'algorithm' | 'stale'> & {
  /** Echoed back when present. */
  readonly opaque?: string
}

function invalid(message: string, cause?: unknown): never {
  throw new ParseError('msrp', 'MSRP_AUTH_CHALLENGE_INVALID', message, cause === undefined ? undefined : { cause })
}

/**
 * Parses the Digest challenge of a relay's 401 (RFC 4976 §5): the first Digest challenge with a
 * realm and a nonce. Qop values are lower-cased and a supported algorithm canonically spelled
 * (absent means MD5).
 *
 * @throws ParseError (protocol `msrp`, code `MSRP_AUTH_CHALLENGE_INVALID`) when it is not one.
 */
export function parseDigestChallenge(header: string): DigestChallenge {
  const challenge = parseDigestChallenges(header, { protocol: 'msrp', code: 'MSRP_AUTH_CHALLENGE_INVALID' })[0]
  if (challenge === undefined) invalid(`expected a Digest challenge with realm and nonce, got "${header.slice(0, 60)}"`)
  const { realm, nonce, qop, algorithm, stale, opaque } = challenge
  return { realm, nonce, qop, algorithm, stale, ...(opaque === undefined ? {} : { opaque }) }
}

/** Credentials and context for {@link digestAuthorization}. */
export interface DigestInput {
  readonly challenge: DigestChallenge
  readonly username: string
  readonly password: string
  /** The digest-uri: for MSRP AUTH the relay URI exactly as in To-Path (RFC 4976 §5). */
  readonly uri: string
  /** Method name in HA2 (default `AUTH`). */
  readonly method?: string
  /** Client nonce for qop=auth (default random). */
  readonly cnonce?: string
  /** Nonce count for qop=auth (default 1). */
  readonly nc?: number
}

/**
 * Computes the `Authorization` value answering a Digest challenge: response =
 * H(HA1:nonce:HA2), or H(HA1:nonce:nc:cnonce:auth:HA2) when qop=auth is offered, with
 * HA1 = H(user:realm:password) and HA2 = H(method:uri). MD5 (what relays use) and the
 * RFC 7616 algorithms are supported.
 *
 * @throws RangeError for an algorithm this stack cannot compute.
 */
export function digestAuthorization(input: DigestInput): string {
  const { challenge, username, password, uri } = input
  const algorithm = canonicalAlgorithm(challenge.algorithm)
  if (algorithm === undefined) throw new RangeError(`Digest algorithm ${challenge.algorithm} is not supported; MSRP relays use MD5`)
  const qop = challenge.qop.includes('auth') ? 'auth' : undefined
  const cnonce = qop || algorithm.endsWith('-sess') ? (input.cnonce ?? randomHex(8)) : undefined
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0')
  return formatDigestCredentials({
    algorithm,
    username,
    password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    opaque: challenge.opaque,
    method: input.method ?? 'AUTH',
    uri,
    ...(qop ? { qop, nc } : {}),
    cnonce,
  })
}
