/**
 * Who sent a request: the From (or, for REGISTER, the To) address-of-record, checked with SIP
 * digest (RFC 3261 §22, realm = the served domain) when the server has a user list.
 *
 * Policy: with `users`, a request claiming a local identity (host = the domain) must prove it
 * (401 from the registrar and the focus as a UAS, 407 from the proxy, RFC 3261 §22.3); an
 * unknown local user gets 403. Identities of other domains cannot be checked here and are taken
 * as given (RFC 7701 §5.2 lets the focus rely on whatever assertion it has). Without `users`
 * every identity is taken as given.
 *
 * @module
 */

import type { IncomingRequest } from '../../sip/core/incoming-request.ts'
import { DigestServer } from '../../sip/digest-server.ts'
import { readNameAddrHeader } from '../../sip/headers/name-addr.ts'
import { ParseError } from '../../errors.ts'
import { addressOfRecordKey, type Uri } from '../../sip/uri.ts'

/**
 * The address-of-record key of a parsed URI (`sip:user@host`, no parameters or headers; the user
 * part escaped canonically): {@link addressOfRecordKey}, the one identity function.
 */
export function aorOf(uri: Uri): string {
  const result = addressOfRecordKey(uri)
  if (!result.ok) throw result.error
  return result.key
}

/** Parses a URI string and returns its AOR key, or undefined when it does not parse. */
export function aorOfString(value: string): string | undefined {
  const result = addressOfRecordKey(value)
  return result.ok ? result.key : undefined
}

/** Where the challenge goes: a UAS answers 401 WWW-Authenticate, a proxy 407 Proxy-Authenticate. */
export type ChallengeRole = 'uas' | 'proxy'

/** Digest checks for one domain. */
export class Authenticator {
  readonly #domain: string
  readonly #users: ReadonlyMap<string, string> | undefined
  readonly #digest: DigestServer | undefined

  constructor(domain: string, users?: Record<string, string>, now?: () => number) {
    this.#domain = domain.toLowerCase()
    this.#users = users === undefined ? undefined : new Map(Object.entries(users))
    this.#digest = users === undefined ? undefined : new DigestServer({ realm: domain, lookup: (user) => { const p = this.#users?.get(user); return p === undefined ? undefined : { password: p } }, ...(now === undefined ? {} : { now }) })
  }

  /** Whether digest authentication is on. */
  get enabled(): boolean {
    return this.#digest !== undefined
  }

  /** True when the parsed `uri` names the served domain (sip: or sips:, RFC 3261 §19.1.4: host case-insensitive). */
  isLocal(uri: Uri): boolean {
    return uri.kind === 'sip' && uri.host.toLowerCase() === this.#domain
  }

  /**
   * Identifies the sender of `incoming` (From; To for REGISTER). Resolves with the AOR, or with
   * undefined after answering the request (401/407 challenge, 403, 400).
   */
  async identify(incoming: IncomingRequest, role: ChallengeRole): Promise<string | undefined> {
    const request = incoming.message
    const header = request.method === 'REGISTER' ? 'To' : 'From'
    let nameAddr
    try {
      nameAddr = readNameAddrHeader(request.headers, header)
    } catch (error) {
      // An identity that does not parse is refused, never taken for some other (foreign) one.
      if (!(error instanceof ParseError)) throw error
      incoming.respond(400, { reason: `Unreadable ${header}` })
      return undefined
    }
    if (nameAddr === undefined) {
      incoming.respond(400, { reason: `Missing ${header}` })
      return undefined
    }
    const aor = aorOf(nameAddr.uri)
    const digest = this.#digest
    if (digest === undefined || !this.isLocal(nameAddr.uri)) return aor
    const user = nameAddr.uri.kind === 'sip' ? nameAddr.uri.user : undefined
    if (user === undefined || !this.#users!.has(user)) {
      incoming.respond(403, { reason: `Unknown user ${aor}` })
      return undefined
    }
    const credentials = role === 'proxy' ? request.headers.getAllLines('Proxy-Authorization') : request.headers.getAllLines('Authorization')
    const result = await digest.verify(credentials, { method: request.method, uri: request.uri, body: request.body })
    if (result.ok) {
      if (result.username !== user) {
        incoming.respond(403, { reason: `Credentials of ${result.username} do not cover ${aor}` })
        return undefined
      }
      return aor
    }
    if (result.reason === 'unknown-user') {
      incoming.respond(403, { reason: 'Unknown user' })
      return undefined
    }
    const headerName = role === 'proxy' ? 'Proxy-Authenticate' : 'WWW-Authenticate'
    const headers = digest.challenge({ stale: result.reason === 'stale' }).map((v) => [headerName, v] as const)
    incoming.respond(role === 'proxy' ? 407 : 401, { headers })
    return undefined
  }
}
