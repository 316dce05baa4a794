/**
 * SIP digest authentication as a client (RFC 3261 §22, RFC 7616, RFC 8760): read challenges,
 * pick one, answer it, and remember it so later requests carry credentials up front.
 */
import { randomHex } from '../random.ts'
import { MsrpBotError } from '../errors.ts'
import { type DigestAlgorithm, type DigestChallenge, algorithmStrength, formatDigestCredentials, parseAuthHeader, parseDigestChallenges } from '../digest/index.ts'

// The shared Digest codec (src/digest), re-exported as part of the SIP client's API.
export {
  computeDigestResponse, digestHa1, digestHash, canonicalAlgorithm, DIGEST_ALGORITHMS, type DigestAlgorithm, type DigestResponseInput,
  parseAuthHeader, quoteAuthValue, formatAuthHeader, type AuthParams, type DigestChallenge, parseDigestChallenges,
} from '../digest/index.ts'

/** Digest authentication failed on the client side; `code` says how. */
export class DigestError extends MsrpBotError {
  declare readonly code:
    | 'SIP_DIGEST_NO_USABLE_CHALLENGE'
    | 'SIP_DIGEST_NO_CREDENTIALS'
    | 'SIP_DIGEST_REJECTED'
}

/** Which header carried the challenge, and so which header answers it (RFC 3261 §22.2, §22.3). */
export type ChallengeKind = 'www' | 'proxy'

/** Header name that answers a challenge kind. */
export function authorizationHeaderName(kind: ChallengeKind): 'Authorization' | 'Proxy-Authorization' {
  return kind === 'proxy' ? 'Proxy-Authorization' : 'Authorization'
}

/** Whether this stack can answer a challenge: known algorithm, and no qop or a qop it does. */
export function canAnswer(challenge: DigestChallenge): boolean {
  return challenge.supported && (challenge.qop.length === 0 || challenge.qop.includes('auth') || challenge.qop.includes('auth-int'))
}

/**
 * Chooses one challenge per realm. RFC 8760 §2.4: a server lists its challenges in order of
 * preference and the client uses the topmost one it supports; `strongest` instead picks the
 * strongest supported algorithm (SHA-512-256 > SHA-256 > MD5).
 */
export function selectChallenges(challenges: readonly DigestChallenge[], policy: 'server-order' | 'strongest' = 'server-order'): DigestChallenge[] {
  const byRealm = new Map<string, DigestChallenge>()
  for (const challenge of challenges) {
    if (!canAnswer(challenge)) continue
    const chosen = byRealm.get(challenge.realm)
    if (!chosen) byRealm.set(challenge.realm, challenge)
    else if (policy === 'strongest' && algorithmStrength(challenge.algorithm as DigestAlgorithm) > algorithmStrength(chosen.algorithm as DigestAlgorithm)) {
      byRealm.set(challenge.realm, challenge)
    }
  }
  return [...byRealm.values()]
}

/** A username and password, optionally bound to one realm. */
export interface DigestCredentials {
  readonly username: string
  readonly password: string
  /** Only answer challenges of this realm (default: any realm). */
  readonly realm?: string
}

/** Credentials for a realm, or undefined when there are none. */
export type DigestCredentialLookup = (realm: string) => DigestCredentials | undefined

/** The request being authorized: digest input comes from it (RFC 3261 §22.4). */
export interface DigestRequest {
  readonly method: string
  /** The Request-URI exactly as it will be sent. */
  readonly uri: string
  /** Body, for qop=auth-int. */
  readonly body?: Buffer | string
}

/** One header to add to the request. */
export interface DigestHeader {
  readonly name: 'Authorization' | 'Proxy-Authorization'
  readonly value: string
  readonly realm: string
}

/** What {@link DigestCredentialCache} keeps per realm. */
export interface CachedChallenge {
  readonly kind: ChallengeKind
  readonly challenge: DigestChallenge
  readonly credentials: DigestCredentials
  /** Nonce count already used with this nonce. */
  nonceCount: number
}

/**
 * The last challenge per realm and the nonce count used with its nonce, so later requests can
 * carry credentials pre-emptively (RFC 3261 §22.3 allows reusing credentials for a realm) with
 * nc incremented on each reuse (RFC 7616 §3.4).
 */
export class DigestCredentialCache {
  readonly #entries = new Map<string, CachedChallenge>()

  /** Stores a new challenge for its realm; a new nonce restarts the count at zero. */
  remember(kind: ChallengeKind, challenge: DigestChallenge, credentials: DigestCredentials): CachedChallenge {
    const previous = this.#entries.get(challenge.realm)
    const entry: CachedChallenge = { kind, challenge, credentials, nonceCount: previous?.challenge.nonce === challenge.nonce ? previous.nonceCount : 0 }
    this.#entries.set(challenge.realm, entry)
    return entry
  }

  /** The cached challenge of a realm. */
  get(realm: string): CachedChallenge | undefined {
    return this.#entries.get(realm)
  }

  /** Increments and returns the nonce count of a realm as 8 hex digits (`00000001` first). */
  nextNonceCount(realm: string): string {
    const entry = this.#entries.get(realm)
    if (!entry) throw new MsrpBotError('SIP_DIGEST_NO_CREDENTIALS', `no challenge is cached for realm "${realm}"`)
    entry.nonceCount = (entry.nonceCount + 1) >>> 0
    return entry.nonceCount.toString(16).padStart(8, '0')
  }

  /** Drops a realm (after a 401/403 that says the credentials are wrong). */
  forget(realm: string): void {
    this.#entries.delete(realm)
  }

  /** Realms with a cached challenge. */
  realms(): string[] {
    return [...this.#entries.keys()]
  }
}

/** Options of {@link DigestClient}. */
export interface DigestClientOptions {
  /** One account, or a lookup by realm. */
  readonly credentials: DigestCredentials | DigestCredentialLookup
  /** Client nonce generator (default 16 random bytes, hex); inject for test vectors. */
  readonly cnonce?: () => string
  /** Challenge choice among several for one realm (default `server-order`, RFC 8760 §2.4). */
  readonly policy?: 'server-order' | 'strongest'
  /** Shared cache (default: a new one). */
  readonly cache?: DigestCredentialCache
}

/**
 * Answers 401/407 challenges and adds cached credentials to new requests.
 *
 * @example
 * const digest = new DigestClient({ credentials: { username: 'alice', password: 'secret' } })
 * // on a 401 to REGISTER:
 * for (const h of digest.answer('www', response.headers.getAllLines('WWW-Authenticate'), { method: 'REGISTER', uri: 'sip:example.test' }, sent)) {
 *   retry.headers.append(h.name, h.value)
 * }
 */
export class DigestClient {
  /** The per-realm challenge cache. */
  readonly cache: DigestCredentialCache
  readonly #lookup: DigestCredentialLookup
  readonly #cnonce: () => string
  readonly #policy: 'server-order' | 'strongest'

  constructor(options: DigestClientOptions) {
    const credentials = options.credentials
    this.#lookup = typeof credentials === 'function'
      ? credentials
      : (realm) => (credentials.realm === undefined || credentials.realm === realm ? credentials : undefined)
    this.#cnonce = options.cnonce ?? (() => randomHex(16))
    this.#policy = options.policy ?? 'server-order'
    this.cache = options.cache ?? new DigestCredentialCache()
  }

  /**
   * Builds the header(s) for retrying a challenged request, one per challenged realm.
   *
   * @param kind `www` for a 401's WWW-Authenticate, `proxy` for a 407's Proxy-Authenticate.
   * @param challengeValues Every value of that header in the response.
   * @param sentCredentials Authorization / Proxy-Authorization values the challenged request
   *   carried: if it already answered a realm and the new challenge is not `stale`, the
   *   credentials were refused and retrying would loop (RFC 3261 §22.2).
   * @throws DigestError `SIP_DIGEST_NO_USABLE_CHALLENGE`, `SIP_DIGEST_NO_CREDENTIALS` or `SIP_DIGEST_REJECTED`;
   *   ParseError when a challenge is malformed.
   */
  answer(kind: ChallengeKind, challengeValues: readonly string[], request: DigestRequest, sentCredentials: readonly string[] = []): DigestHeader[] {
    const all = parseDigestChallenges(challengeValues)
    const chosen = selectChallenges(all, this.#policy)
    if (chosen.length === 0) {
      const offered = all.map((c) => `${c.algorithm}${c.qop.length ? ` qop=${c.qop.join('/')}` : ''}`).join(', ') || 'no Digest challenge'
      throw new DigestError('SIP_DIGEST_NO_USABLE_CHALLENGE', `cannot answer the ${kind === 'proxy' ? 'Proxy-Authenticate' : 'WWW-Authenticate'} challenge (offered: ${offered}); this stack does MD5, SHA-256, SHA-512-256 (+ -sess) with qop auth/auth-int or none`)
    }
    const answeredRealms = new Set(sentCredentials.flatMap(realmsOf))
    const headers: DigestHeader[] = []
    for (const challenge of chosen) {
      const credentials = this.#lookup(challenge.realm)
      if (!credentials) {
        throw new DigestError('SIP_DIGEST_NO_CREDENTIALS', `no credentials for realm "${challenge.realm}"; pass a username and password for it`)
      }
      if (answeredRealms.has(challenge.realm) && !challenge.stale) {
        this.cache.forget(challenge.realm)
        throw new DigestError('SIP_DIGEST_REJECTED', `realm "${challenge.realm}" refused the credentials of "${credentials.username}" (a new challenge without stale=true); check the username and password`)
      }
      this.cache.remember(kind, challenge, credentials)
      headers.push(this.#header(challenge.realm, request))
    }
    return headers
  }

  /**
   * Headers for a new request from cached challenges (nc incremented), so it need not be
   * challenged first. Pass `realm` to limit them to one realm.
   */
  preemptive(request: DigestRequest, realm?: string): DigestHeader[] {
    const realms = realm === undefined ? this.cache.realms() : this.cache.get(realm) ? [realm] : []
    return realms.map((r) => this.#header(r, request))
  }

  #header(realm: string, request: DigestRequest): DigestHeader {
    const entry = this.cache.get(realm)!
    const { challenge, credentials } = entry
    const algorithm = challenge.algorithm as DigestAlgorithm
    // Prefer auth: auth-int hashes the body and few servers ask for it alone (RFC 7616 §3.3).
    const qop = challenge.qop.includes('auth') ? 'auth' : challenge.qop.includes('auth-int') ? 'auth-int' : undefined
    const needsCnonce = qop !== undefined || algorithm.endsWith('-sess')
    const cnonce = needsCnonce ? this.#cnonce() : undefined
    const nc = qop !== undefined ? this.cache.nextNonceCount(realm) : undefined
    if (qop === undefined) entry.nonceCount += 1
    const value = formatDigestCredentials({
      algorithm,
      username: credentials.username,
      password: credentials.password,
      realm,
      nonce: challenge.nonce,
      opaque: challenge.opaque,
      method: request.method,
      uri: request.uri,
      qop,
      nc,
      cnonce,
      body: request.body,
      userhash: challenge.userhash,
    })
    return { name: authorizationHeaderName(entry.kind), value, realm }
  }
}

function realmsOf(credentialsValue: string): string[] {
  try {
    return parseAuthHeader(credentialsValue).flatMap((c) => (c.scheme.toLowerCase() === 'digest' && c.params.has('realm') ? [c.params.get('realm')!] : []))
  } catch {
    return []
  }
}
