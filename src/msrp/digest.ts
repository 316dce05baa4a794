/**
 * HTTP Digest as RFC 4976 §5 uses it to AUTH with an MSRP relay: the method is `AUTH` and the
 * digest-uri is the relay URI from To-Path, so HA2 = H("AUTH:" + uri).
 *
 * The auth-param grammar and the hash arithmetic are the SIP layer's (RFC 7616 / RFC 3261
 * §22.4, in src/sip/digest-*.ts); this file only adapts them to MSRP AUTH.
 */
import { randomBytes } from 'node:crypto'
import { ParseError } from '../errors.ts'
import { canonicalAlgorithm, computeDigestResponse } from '../sip/digest-algorithm.ts'
import { formatAuthHeader, parseAuthHeader } from '../sip/digest-challenge.ts'

/** The parameters of a `WWW-Authenticate: Digest …` challenge. */
export interface DigestChallenge {
  readonly realm: string
  readonly nonce: string
  /** Offered qop values, e.g. `['auth']`; empty when the challenge has none (RFC 2069 form). */
  readonly qop: readonly string[]
  readonly opaque?: string
  /** Algorithm as given (default MD5). */
  readonly algorithm: string
  readonly stale: boolean
}

function invalid(message: string, cause?: unknown): never {
  throw new ParseError('msrp', 'MSRP_AUTH_CHALLENGE_INVALID', message, cause === undefined ? undefined : { cause })
}

/**
 * Parses the Digest challenge of a relay's 401 (RFC 4976 §5).
 *
 * @throws ParseError (protocol `msrp`, code `MSRP_AUTH_CHALLENGE_INVALID`) when it is not one.
 */
export function parseDigestChallenge(header: string): DigestChallenge {
  let challenges
  try {
    challenges = parseAuthHeader(header)
  } catch (error) {
    invalid(`malformed WWW-Authenticate "${header.slice(0, 60)}": ${(error as Error).message}`, error)
  }
  const digest = challenges.find((c) => c.scheme.toLowerCase() === 'digest')
  if (digest === undefined) invalid(`expected a Digest challenge, got "${header.slice(0, 60)}"`)
  const p = digest.params
  const realm = p.get('realm')
  const nonce = p.get('nonce')
  if (realm === undefined || nonce === undefined) invalid('a Digest challenge needs realm and nonce')
  const challenge: { -readonly [K in keyof DigestChallenge]: DigestChallenge[K] } = {
    realm,
    nonce,
    qop: (p.get('qop') ?? '').split(',').map((q) => q.trim()).filter((q) => q !== ''),
    algorithm: p.get('algorithm') ?? 'MD5',
    stale: (p.get('stale') ?? '').toLowerCase() === 'true',
  }
  const opaque = p.get('opaque')
  if (opaque !== undefined) challenge.opaque = opaque
  return challenge
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
  const cnonce = qop || algorithm.endsWith('-sess') ? (input.cnonce ?? randomBytes(8).toString('hex')) : undefined
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0')
  const response = computeDigestResponse({
    algorithm,
    username,
    realm: challenge.realm,
    password,
    nonce: challenge.nonce,
    method: input.method ?? 'AUTH',
    uri,
    ...(qop ? { qop, nc } : {}),
    ...(cnonce !== undefined ? { cnonce } : {}),
  })
  const params: Array<readonly [string, string, 'quoted' | 'token']> = [
    ['username', username, 'quoted'],
    ['realm', challenge.realm, 'quoted'],
    ['nonce', challenge.nonce, 'quoted'],
    ['uri', uri, 'quoted'],
  ]
  if (qop) params.push(['qop', qop, 'token'], ['nc', nc, 'token'], ['cnonce', cnonce as string, 'quoted'])
  params.push(['response', response, 'quoted'])
  if (challenge.opaque !== undefined) params.push(['opaque', challenge.opaque, 'quoted'])
  params.push(['algorithm', algorithm, 'token'])
  return formatAuthHeader('Digest', params)
}
