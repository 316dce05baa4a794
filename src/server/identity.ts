/**
 * Who sent a request: the From (or, for REGISTER, the To) address-of-record, checked with SIP
 * digest (RFC 3261 §22, realm = the served domain) when the server has a user list.
 *
 * Policy with `users`:
 * - A local identity (host = the domain) must prove it: 401 from the registrar and the focus as
 *   a UAS, 407 from the proxy (RFC 3261 §22.3). Known and unknown local users are challenged
 *   alike, and a wrong user name fails like a wrong password, so the answers never tell which
 *   user names exist.
 * - A foreign identity cannot be checked here: it is refused (403) unless a trusted proxy
 *   asserted it with P-Asserted-Identity (RFC 3325 §9.1) or guests are allowed (`allowGuests`).
 * - Failures are throttled per user name and per source IP ({@link AuthThrottle}) and each is
 *   logged as one `auth failure source=IP port=N user=NAME method=M reason=R` line (fail2ban).
 * - Challenges and refusals are sent statelessly: one datagram, no retransmission.
 *
 * Without `users` every identity is taken as given. An identity that does not parse is refused
 * (400) in every mode.
 *
 * @module
 */

import { identityKey } from '../rooms/identity.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import { DigestServer } from '../sip/digest-server.ts'
import { parseAuthHeader, type DigestAlgorithm } from '../digest/index.ts'
import { readNameAddrHeader, readNameAddrList } from '../sip/headers/name-addr.ts'
import { ParseError } from '../errors.ts'
import { hostForSocket, type Uri } from '../sip/uri.ts'
import { randomBytes } from 'node:crypto'
import { silentLogger } from '../logger.ts'
import { AuthThrottle, type AuthThrottleOptions } from './auth-throttle.ts'
import type { ChatServerLogger } from './options.ts'

/** Where the challenge goes: a UAS answers 401 WWW-Authenticate, a proxy 407 Proxy-Authenticate. */
export type ChallengeRole = 'uas' | 'proxy'

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** The served domain (digest realm). */
  readonly domain: string
  /** Local users and their passwords; undefined: open mode, every identity taken as given. */
  readonly users?: Readonly<Record<string, string>> | undefined
  /** Digest algorithms offered, in order of preference (RFC 8760; default SHA-256, MD5). */
  readonly algorithms?: readonly DigestAlgorithm[] | undefined
  /** Source addresses (IP or host, no port) whose P-Asserted-Identity is believed (RFC 3325). */
  readonly trustedProxies?: readonly string[] | undefined
  /** With `users`: let identities of other domains in without an assertion (default false). */
  readonly allowGuests?: boolean | undefined
  /** Brute-force limits. */
  readonly throttle?: Omit<AuthThrottleOptions, 'now'> | undefined
  readonly log?: ChatServerLogger | undefined
  /** Clock, ms (tests). */
  readonly now?: (() => number) | undefined
}

/** Digest checks for one domain. */
export class Authenticator {
  readonly #domain: string
  readonly #users: ReadonlyMap<string, string> | undefined
  readonly #digest: DigestServer | undefined
  readonly #trusted: ReadonlySet<string>
  readonly #allowGuests: boolean
  readonly #throttle: AuthThrottle
  readonly #log: ChatServerLogger
  /** The password an unknown user name is checked against: random, so it never matches. */
  readonly #decoy = randomBytes(18).toString('base64url')

  constructor(options: AuthenticatorOptions) {
    const { domain, users, now } = options
    this.#domain = domain.toLowerCase()
    this.#users = users === undefined ? undefined : new Map(Object.entries(users))
    // An unknown user name is looked up as a user with a password no one knows, so it costs the
    // same and fails the same way as a wrong password (no user enumeration).
    this.#digest = users === undefined ? undefined : new DigestServer({
      realm: domain,
      lookup: (user) => ({ password: this.#users?.get(user) ?? this.#decoy }),
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      ...(now === undefined ? {} : { now }),
    })
    this.#trusted = new Set((options.trustedProxies ?? []).map((a) => hostForSocket(a.trim()).toLowerCase()))
    this.#allowGuests = options.allowGuests ?? false
    this.#throttle = new AuthThrottle({ ...options.throttle, ...(now === undefined ? {} : { now }) })
    this.#log = options.log ?? silentLogger
  }

  /** Whether digest authentication is on. */
  get enabled(): boolean {
    return this.#digest !== undefined
  }

  /** True when the parsed `uri` names the served domain (sip: or sips:, RFC 3261 §19.1.4: host case-insensitive). */
  isLocal(uri: Uri): boolean {
    return uri.kind === 'sip' && uri.host.toLowerCase() === this.#domain
  }

  /** Whether a request came from a proxy whose P-Asserted-Identity is believed (RFC 3325 §5). */
  isTrustedSource(incoming: IncomingRequest): boolean {
    return this.#trusted.has(hostForSocket(incoming.source.host).toLowerCase())
  }

  /**
   * Identifies the sender of `incoming` (From; To for REGISTER). Resolves with the AOR key, or
   * with undefined after answering the request (401/407 challenge, 403, 400).
   */
  async identify(incoming: IncomingRequest, role: ChallengeRole): Promise<string | undefined> {
    const request = incoming.message
    const header = request.method === 'REGISTER' ? 'To' : 'From'
    const claimed = this.#readIdentity(incoming, header)
    if (claimed === undefined) return undefined
    if (this.isTrustedSource(incoming)) {
      const asserted = this.#readAssertion(incoming)
      if (asserted === null) return undefined
      // RFC 3325 §9.1: the asserted identity is the sender; a REGISTER's To must be that user.
      if (asserted !== undefined) {
        if (request.method === 'REGISTER' && identityKey(asserted) !== identityKey(claimed)) {
          this.#refuse(incoming, 403, `${identityKey(asserted)} may not register ${identityKey(claimed)}`)
          return undefined
        }
        return identityKey(asserted)
      }
    }
    const aor = identityKey(claimed)
    const digest = this.#digest
    if (digest === undefined) return aor
    if (!this.isLocal(claimed)) {
      if (this.#allowGuests) return aor
      this.#refuse(incoming, 403, `Identities of other domains need a trusted proxy's assertion here`)
      return undefined
    }
    const user = claimed.kind === 'sip' ? claimed.user : undefined
    if (user === undefined) {
      this.#refuse(incoming, 403, `${aor} names no user`)
      return undefined
    }
    const credentials = role === 'proxy' ? request.headers.getAllLines('Proxy-Authorization') : request.headers.getAllLines('Authorization')
    const sourceIp = hostForSocket(incoming.source.host)
    const attempted = credentials.length > 0 ? claimedUserName(credentials, digest.realm) ?? user : undefined
    const wait = this.#throttle.retryAfter(sourceIp, attempted)
    if (wait > 0) {
      this.#logFailure(incoming, attempted ?? user, 'throttled')
      this.#refuse(incoming, 403, 'Too many failed attempts', [['Retry-After', String(wait)]])
      return undefined
    }
    const result = await digest.verify(credentials, { method: request.method, uri: request.uri, body: request.body })
    if (result.ok) {
      if (result.username !== user) {
        this.#refuse(incoming, 403, `Credentials of ${result.username} do not cover ${aor}`)
        return undefined
      }
      return aor
    }
    if (result.reason !== 'missing' && result.reason !== 'stale') {
      this.#throttle.fail(sourceIp, result.username)
      this.#logFailure(incoming, result.username ?? user, result.reason)
    }
    const headerName = role === 'proxy' ? 'Proxy-Authenticate' : 'WWW-Authenticate'
    const headers = digest.challenge({ stale: result.reason === 'stale' }).map((v) => [headerName, v] as [string, string])
    this.#refuse(incoming, role === 'proxy' ? 407 : 401, undefined, headers)
    return undefined
  }

  /**
   * The identity a trusted proxy asserted: the SIP URI among the P-Asserted-Identity values (RFC
   * 3325 §9.1 allows one SIP and one tel URI); undefined when there is none, null after answering
   * 400 to one that does not parse.
   */
  #readAssertion(incoming: IncomingRequest): Uri | undefined | null {
    let values
    try {
      values = readNameAddrList(incoming.message.headers, 'P-Asserted-Identity')
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
      this.#refuse(incoming, 400, 'Unreadable P-Asserted-Identity')
      return null
    }
    return values.find((v) => v.uri.kind === 'sip')?.uri ?? values[0]?.uri
  }

  /** Reads a name-addr header; answers 400 when it is missing or unreadable. */
  #readIdentity(incoming: IncomingRequest, header: string): Uri | undefined {
    let nameAddr
    try {
      nameAddr = readNameAddrHeader(incoming.message.headers, header)
    } catch (error) {
      // An identity that does not parse is refused, never taken for some other (foreign) one.
      if (!(error instanceof ParseError)) throw error
      this.#refuse(incoming, 400, `Unreadable ${header}`)
      return undefined
    }
    if (nameAddr === undefined) {
      this.#refuse(incoming, 400, `Missing ${header}`)
      return undefined
    }
    return nameAddr.uri
  }

  /**
   * Answers without keeping the transaction: one datagram, no Timer G retransmissions of a 401
   * to an address that may be spoofed (RFC 3261 §8.2.7 stateless UAS, §18.1.1; issue 16 item 5).
   */
  #refuse(incoming: IncomingRequest, status: number, reason: string | undefined, headers: Array<[string, string]> = []): void {
    incoming.respond(status, { ...(reason === undefined ? {} : { reason }), headers, stateless: true })
  }

  /** One line per failure, for fail2ban: `auth failure source=IP port=N user=NAME method=M reason=R`. */
  #logFailure(incoming: IncomingRequest, user: string, reason: string): void {
    const source = incoming.source
    this.#log.warn(`auth failure source=${hostForSocket(source.host)} port=${source.port} user=${logSafe(user)} method=${logSafe(incoming.method)} reason=${reason}`)
  }
}

/** The `username` of the Digest credentials for `realm`, for throttling before they are checked. */
function claimedUserName(values: readonly string[], realm: string): string | undefined {
  for (const value of values) {
    try {
      const digest = parseAuthHeader(value).find((c) => c.scheme.toLowerCase() === 'digest' && c.params.get('realm') === realm)
      const name = digest?.params.get('username')
      if (name !== undefined) return name
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
    }
  }
  return undefined
}

/** Escapes what an attacker could use to forge or split a log line (space, quotes, controls, %). */
function logSafe(text: string): string {
  const clipped = text.length > 64 ? `${text.slice(0, 64)}...` : text
  return clipped.replace(/[^A-Za-z0-9._~+@:\-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) || '-'
}
