/**
 * The Authorization / Proxy-Authorization value that answers a Digest challenge (RFC 7616
 * §3.4), written the same way for SIP requests (RFC 3261 §22.4) and MSRP AUTH (RFC 4976 §5).
 */
import { type DigestAlgorithm, computeDigestResponse, digestHash } from './algorithm.ts'
import { type AuthParamKind, formatAuthHeader } from './auth-params.ts'

/** Everything one answer needs; the caller has chosen qop, nonce count and cnonce. */
export interface DigestCredentialsInput {
  readonly algorithm: DigestAlgorithm
  readonly username: string
  readonly password: string
  readonly realm: string
  readonly nonce: string
  /** Echoed back unchanged when the challenge had one (RFC 7616 §3.4). */
  readonly opaque?: string | undefined
  /** The request method (`AUTH` for MSRP relays). */
  readonly method: string
  /** The digest-uri: the Request-URI as sent (SIP) or the relay URI from To-Path (MSRP). */
  readonly uri: string
  /** `auth`, `auth-int`, or absent for the RFC 2069 form. */
  readonly qop?: 'auth' | 'auth-int' | undefined
  /** 8 hex digits, required with qop. */
  readonly nc?: string | undefined
  /** Required with qop and with `-sess` algorithms. */
  readonly cnonce?: string | undefined
  /** The message body, for `auth-int`. */
  readonly body?: Buffer | string | undefined
  /** RFC 7616 §3.4.4: send `username` as H(username:realm). */
  readonly userhash?: boolean | undefined
}

/**
 * Computes the request-digest and writes the credentials:
 * `Digest username=…, realm=…, nonce=…, uri=…, response=…, algorithm=…[, opaque=…][, qop=…, nc=…][, cnonce=…][, userhash=true]`.
 */
export function formatDigestCredentials(input: DigestCredentialsInput): string {
  const { algorithm, realm, qop, nc, cnonce } = input
  const response = computeDigestResponse({
    algorithm,
    username: input.username,
    password: input.password,
    realm,
    nonce: input.nonce,
    method: input.method,
    uri: input.uri,
    ...(qop !== undefined ? { qop } : {}),
    ...(nc !== undefined ? { nc } : {}),
    ...(cnonce !== undefined ? { cnonce } : {}),
    ...(input.body !== undefined ? { body: input.body } : {}),
  })
  const username = input.userhash ? digestHash(algorithm, `${input.username}:${realm}`) : input.username
  const params: Array<readonly [string, string, AuthParamKind]> = [
    ['username', username, 'quoted'],
    ['realm', realm, 'quoted'],
    ['nonce', input.nonce, 'quoted'],
    ['uri', input.uri, 'quoted'],
    ['response', response, 'quoted'],
    ['algorithm', algorithm, 'token'],
  ]
  if (input.opaque !== undefined) params.push(['opaque', input.opaque, 'quoted'])
  if (qop !== undefined && nc !== undefined) params.push(['qop', qop, 'token'], ['nc', nc, 'token'])
  if (cnonce !== undefined) params.push(['cnonce', cnonce, 'quoted'])
  if (input.userhash) params.push(['userhash', 'true', 'token'])
  return formatAuthHeader('Digest', params)
}
