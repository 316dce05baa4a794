/**
 * SIP digest authentication as a server (RFC 3261 §22, RFC 7616, RFC 8760): issue challenges
 * with self-validating nonces that expire, and verify Authorization / Proxy-Authorization.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { canonicalAlgorithm, computeDigestResponse, digestHa1, digestHash, formatAuthHeader, parseAuthHeader, type AuthParamKind, type DigestAlgorithm } from '../digest/index.ts'

/** What a password lookup returns: the password, or H(username:realm:password) per algorithm hash. */
export type DigestSecret = { readonly password: string } | { readonly ha1: Partial<Record<'MD5' | 'SHA-256' | 'SHA-512-256', string>> }

/** Finds the secret of a user in a realm; undefined for an unknown user. */
export type DigestPasswordLookup = (username: string, realm: string) => DigestSecret | undefined | Promise<DigestSecret | undefined>

/** Options of {@link DigestServer}. */
export interface DigestServerOptions {
  /** The protection realm, e.g. the SIP domain (RFC 3261 §22.1). */
  readonly realm: string
  readonly lookup: DigestPasswordLookup
  /** Algorithms offered, in order of preference: one challenge each (RFC 8760 §2.3). Default SHA-256, MD5. */
  readonly algorithms?: readonly DigestAlgorithm[]
  /** Offer qop="auth" (default true); false sends the RFC 2069 form. */
  readonly qop?: boolean
  /** How long a nonce is valid (default 5 min); older ones get a stale challenge. */
  readonly nonceTtlMs?: number
  /** Key that signs nonces (default random per instance); share it across nodes of one realm. */
  readonly secret?: Buffer
  /** Clock (ms since epoch), for tests. */
  readonly now?: () => number
  /**
   * Most nonces whose counts are tracked at once (replay protection), default 50 000. A nonce is
   * tracked until it expires (`nonceTtlMs`), then forgotten: it is refused as stale from then on
   * anyway. When the cap is reached with nonces still valid, a new nonce is refused as stale
   * rather than an old one forgotten (forgetting would let its Authorization be replayed).
   */
  readonly maxTrackedNonces?: number
}

/** The request being checked. */
export interface DigestVerifyRequest {
  readonly method: string
  /** The Request-URI; when given, the digest-uri must equal it (RFC 7616 §3.4.6). */
  readonly uri?: string
  /** The body, for qop=auth-int. */
  readonly body?: Buffer | string
}

/** Why verification failed. */
export type DigestFailure =
  /** No credentials for this realm: send a challenge. */
  | 'missing'
  /** Credentials that cannot be parsed or lack a field. */
  | 'malformed'
  /** A nonce this server did not issue. */
  | 'bad-nonce'
  /** A nonce this server issued that has expired: challenge with stale=true (RFC 7616 §3.3). */
  | 'stale'
  /** A nonce count not above the last one seen for this nonce (RFC 7616 §3.4). */
  | 'replay'
  | 'unknown-user'
  | 'wrong-uri'
  | 'unsupported-algorithm'
  /** Wrong password. */
  | 'bad-response'

/** Result of {@link DigestServer.verify}. */
export type DigestVerifyResult =
  | { readonly ok: true; readonly username: string; readonly algorithm: DigestAlgorithm }
  | { readonly ok: false; readonly reason: DigestFailure; readonly username?: string }

const NONCE_RANDOM = 9

/**
 * Challenges and verifies digest credentials for one realm.
 *
 * Nonces are `base64url(time ‖ random ‖ HMAC(secret, realm ‖ time ‖ random))`, so the server
 * needs no state to recognise its own nonces or their age; nonce counts are tracked until the
 * nonce expires, in a map with a hard cap, to refuse replays (RFC 7616 §3.4.5).
 *
 * @example
 * const auth = new DigestServer({ realm: 'example.test', lookup: (user) => ({ password: 'secret' }) })
 * const result = await auth.verify(request.headers.getAllLines('Authorization'), { method: 'REGISTER', uri: request.uri })
 * if (!result.ok) for (const v of auth.challenge({ stale: result.reason === 'stale' })) response.headers.append('WWW-Authenticate', v)
 */
export class DigestServer {
  readonly realm: string
  readonly #lookup: DigestPasswordLookup
  readonly #algorithms: readonly DigestAlgorithm[]
  readonly #qop: boolean
  readonly #ttl: number
  readonly #secret: Buffer
  readonly #now: () => number
  readonly #maxTracked: number
  /** Nonce → last nonce count seen and when the nonce expires (ms). */
  readonly #counts = new Map<string, { nc: number; expiresAt: number }>()
  /** Earliest `expiresAt` in {@link #counts} as of the last sweep: no sweep is useful before it. */
  #nextExpiry = 0

  constructor(options: DigestServerOptions) {
    this.realm = options.realm
    this.#lookup = options.lookup
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5']
    this.#qop = options.qop ?? true
    this.#ttl = options.nonceTtlMs ?? 5 * 60 * 1000
    this.#secret = options.secret ?? randomBytes(32)
    this.#now = options.now ?? Date.now
    this.#maxTracked = options.maxTrackedNonces ?? 50_000
  }

  /** A fresh nonce. */
  createNonce(): string {
    const head = Buffer.alloc(8 + NONCE_RANDOM)
    head.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#now()))))
    randomBytes(NONCE_RANDOM).copy(head, 8)
    return Buffer.concat([head, this.#sign(head)]).toString('base64url')
  }

  /** Challenge values (one per algorithm, preferred first) for WWW-Authenticate or Proxy-Authenticate. */
  challenge(options: { stale?: boolean } = {}): string[] {
    const nonce = this.createNonce()
    return this.#algorithms.map((algorithm) => {
      const params: Array<readonly [string, string, AuthParamKind]> = [['realm', this.realm, 'quoted'], ['nonce', nonce, 'quoted']]
      if (this.#qop) params.push(['qop', 'auth', 'quoted'])
      params.push(['algorithm', algorithm, 'token'])
      if (options.stale) params.push(['stale', 'true', 'token'])
      return formatAuthHeader('Digest', params)
    })
  }

  /**
   * Checks the credentials for this realm among Authorization (or Proxy-Authorization) values.
   * On `stale`, answer with `challenge({ stale: true })` so the client retries silently.
   */
  async verify(values: string | readonly string[] | undefined, request: DigestVerifyRequest): Promise<DigestVerifyResult> {
    const list = values === undefined ? [] : typeof values === 'string' ? [values] : values
    let params: ReadonlyMap<string, string> | undefined
    for (const value of list) {
      let parsed
      try {
        parsed = parseAuthHeader(value)
      } catch {
        return { ok: false, reason: 'malformed' }
      }
      params = parsed.find((c) => c.scheme.toLowerCase() === 'digest' && c.params.get('realm') === this.realm)?.params
      if (params) break
    }
    if (!params) return { ok: false, reason: 'missing' }
    const username = params.get('username')
    const nonce = params.get('nonce')
    const uri = params.get('uri')
    const response = params.get('response')
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) return { ok: false, reason: 'malformed' }
    const algorithm = canonicalAlgorithm(params.get('algorithm'))
    if (!algorithm || !this.#algorithms.includes(algorithm)) return { ok: false, reason: 'unsupported-algorithm', username }
    const rawQop = params.get('qop')?.toLowerCase()
    const qop = rawQop === 'auth' || rawQop === 'auth-int' ? rawQop : undefined
    if (rawQop !== undefined && qop === undefined) return { ok: false, reason: 'malformed', username }
    if (this.#qop && qop === undefined) return { ok: false, reason: 'malformed', username }
    const nc = params.get('nc')
    const cnonce = params.get('cnonce')
    if (qop && (nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc) || cnonce === undefined)) return { ok: false, reason: 'malformed', username }
    if (request.uri !== undefined && uri !== request.uri) return { ok: false, reason: 'wrong-uri', username }
    const age = this.#nonceAge(nonce)
    if (age === undefined) return { ok: false, reason: 'bad-nonce', username }

    // The user name may be hashed (RFC 7616 §3.4.4); the lookup needs the real one.
    const realName = params.get('userhash')?.toLowerCase() === 'true' ? undefined : username
    if (realName === undefined) return { ok: false, reason: 'unknown-user', username }
    const secret = await this.#lookup(realName, this.realm)
    if (!secret) return { ok: false, reason: 'unknown-user', username }
    const ha1 = 'password' in secret ? digestHa1(algorithm, realName, this.realm, secret.password) : secret.ha1[algorithm.replace(/-sess$/, '') as 'MD5']
    if (ha1 === undefined) return { ok: false, reason: 'unsupported-algorithm', username }
    const expected = computeDigestResponse({
      algorithm, username: realName, realm: this.realm, ha1, nonce, method: request.method, uri,
      ...(qop ? { qop, nc: nc!, cnonce: cnonce! } : {}),
      ...(cnonce !== undefined ? { cnonce } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
    })
    if (!safeEqual(expected, response.toLowerCase())) return { ok: false, reason: 'bad-response', username }
    // Only a correct response can be stale: RFC 7616 §3.3 lets the client retry without asking the user.
    if (age > this.#ttl) return { ok: false, reason: 'stale', username }
    if (qop) {
      const counted = this.#countUp(nonce, parseInt(nc!, 16), age)
      if (counted === 'replay') return { ok: false, reason: 'replay', username }
      // Too many live nonces to track: a fresh one is refused (stale) instead of an old one forgotten.
      if (counted === 'full') return { ok: false, reason: 'stale', username }
    }
    return { ok: true, username: realName, algorithm }
  }

  #sign(head: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(this.realm).update(head).digest().subarray(0, 16)
  }

  /** Age in ms of a nonce this server issued, or undefined when it did not issue it. */
  #nonceAge(nonce: string): number | undefined {
    const bytes = Buffer.from(nonce, 'base64url')
    if (bytes.length !== 8 + NONCE_RANDOM + 16 || bytes.toString('base64url') !== nonce) return undefined
    const head = bytes.subarray(0, 8 + NONCE_RANDOM)
    if (!timingSafeEqual(this.#sign(head), bytes.subarray(8 + NONCE_RANDOM))) return undefined
    return this.#now() - Number(head.readBigUInt64BE(0))
  }

  #countUp(nonce: string, nc: number, age: number): 'ok' | 'replay' | 'full' {
    const entry = this.#counts.get(nonce)
    if (entry !== undefined) {
      if (nc <= entry.nc) return 'replay'
      entry.nc = nc
      return 'ok'
    }
    const now = this.#now()
    if (this.#counts.size >= this.#maxTracked && now >= this.#nextExpiry) this.#sweep(now)
    if (this.#counts.size >= this.#maxTracked) return 'full'
    const expiresAt = now - age + this.#ttl
    this.#counts.set(nonce, { nc, expiresAt })
    if (this.#counts.size === 1 || expiresAt < this.#nextExpiry) this.#nextExpiry = expiresAt
    return 'ok'
  }

  /** Forgets the nonces that expired (they are refused as stale before their count is looked at). */
  #sweep(now: number): void {
    let next = Number.POSITIVE_INFINITY
    for (const [nonce, entry] of this.#counts) {
      if (entry.expiresAt <= now) this.#counts.delete(nonce)
      else if (entry.expiresAt < next) next = entry.expiresAt
    }
    this.#nextExpiry = next
  }

  /** Number of nonces whose counts are tracked (for tests of the bound). */
  get trackedNonces(): number {
    return this.#counts.size
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Re-exported for servers that store H(A1) instead of passwords. */
export { digestHa1, digestHash }
