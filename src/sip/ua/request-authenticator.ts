import type { SendRequestOptions, UserAgentCore } from '../core/user-agent-core.ts'
import { DigestClient, DigestError, authorizationHeaderName } from '../digest.ts'
import { readCSeq } from '../headers/cseq.ts'
import { readNameAddrHeader, tagOf } from '../headers/name-addr.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import { SipAuthError } from './errors.ts'
import type { UaLogger } from './logger.ts'

/** Options of {@link UserAgent.sendRequest}. */
export interface UaSendOptions extends SendRequestOptions {
  /** Called with each request actually sent (the first, then any authenticated retry). */
  readonly onAttempt?: (request: SipRequest) => void
}

/**
 * Sends requests through the UA core and answers digest challenges (RFC 3261 §22): a 401/407
 * is answered once (new CSeq, same Call-ID; `stale=true` retries silently), a second challenge
 * for the same realm rejects with {@link SipAuthError} `SIP_AUTH_FAILED`, and the credentials
 * go with later out-of-dialog requests up front. Challenges from registrars (401) and proxies
 * (407) are cached apart, so each request gets the header its server asks for.
 */
export class RequestAuthenticator {
  readonly #username: string
  readonly #wwwDigest: DigestClient | undefined
  readonly #proxyDigest: DigestClient | undefined
  readonly #log: UaLogger

  constructor(init: { username: string; password: string | undefined; realm?: string; log: UaLogger }) {
    this.#username = init.username
    this.#log = init.log
    if (init.password !== undefined) {
      // With `realm`, challenges of other realms are not answered (SIP_AUTH_NO_CREDENTIALS).
      const credentials = { username: init.username, password: init.password, ...(init.realm === undefined ? {} : { realm: init.realm }) }
      this.#wwwDigest = new DigestClient({ credentials })
      this.#proxyDigest = new DigestClient({ credentials })
    }
  }

  /** Sends `request` with `core`; resolves with the final response that is not a challenge answered here. */
  async send(core: UserAgentCore, request: SipRequest, options: UaSendOptions = {}): Promise<SipResponse> {
    let attempt = request
    this.#addPreemptive(attempt)
    // Challenge kinds answered in this exchange: only those credentials count as refused on a new challenge.
    const answered = new Set<'www' | 'proxy'>()
    for (let round = 0; ; round++) {
      options.onAttempt?.(attempt)
      const response = await core.sendRequest(attempt, options)
      if (response.status !== 401 && response.status !== 407) return response
      const kind = response.status === 401 ? 'www' : 'proxy'
      const digest = kind === 'www' ? this.#wwwDigest : this.#proxyDigest
      const challengeName = kind === 'www' ? 'WWW-Authenticate' : 'Proxy-Authenticate'
      const sentName = authorizationHeaderName(kind)
      const realm = firstRealm(response.headers.getAllLines(challengeName))
      if (!digest) {
        throw new SipAuthError('SIP_AUTH_NO_CREDENTIALS', `${request.method} was challenged (${response.status}) for realm "${realm ?? '?'}" but the UserAgent has no password; pass { password } (and authorizationUser if it differs from the URI user)`, response, realm)
      }
      if (round >= 4) {
        throw new SipAuthError('SIP_AUTH_FAILED', `${request.method} was challenged ${round + 1} times for realm "${realm ?? '?'}"; the server keeps refusing the password for user "${this.#username}"`, response, realm)
      }
      let headers
      try {
        // Only credentials computed for a challenge in this exchange count as refused; stale pre-emptive ones do not.
        headers = digest.answer(kind, response.headers.getAllLines(challengeName), { method: attempt.method, uri: attempt.uri, body: attempt.body }, answered.has(kind) ? attempt.headers.getAllLines(sentName) : [])
      } catch (error) {
        if (!(error instanceof DigestError)) throw error
        const code = error.code === 'SIP_DIGEST_REJECTED' ? 'SIP_AUTH_FAILED' : error.code === 'SIP_DIGEST_NO_CREDENTIALS' ? 'SIP_AUTH_NO_CREDENTIALS' : 'SIP_AUTH_UNSUPPORTED'
        const message = code === 'SIP_AUTH_FAILED'
          ? `the password (or user name "${this.#username}") for realm "${realm ?? '?'}" was refused: ${request.method} got ${response.status} ${response.reason} again after answering its challenge; check the credentials`
          : error.message
        throw new SipAuthError(code, message, response, realm, { cause: error })
      }
      answered.add(kind)
      attempt = this.#retryOf(attempt, sentName, headers, options.dialog)
      this.#log.debug(`${request.method} challenged with ${response.status}; retrying with credentials (CSeq ${readCSeq(attempt.headers).seq})`)
    }
  }


  /**
   * RFC 3261 §22.3: credentials of a realm may go with later requests up front. Only
   * out-of-dialog requests get them (they are what the registrar and proxy challenge);
   * REGISTER gets the registrar's (Authorization), the rest the proxy's (Proxy-Authorization).
   */
  #addPreemptive(request: SipRequest): void {
    if (request.method === 'ACK' || request.method === 'CANCEL' || hasToTag(request)) return
    const digest = request.method === 'REGISTER' ? this.#wwwDigest : this.#proxyDigest
    if (!digest) return
    for (const header of digest.preemptive({ method: request.method, uri: request.uri, body: request.body })) {
      if (!request.headers.has(header.name)) request.headers.append(header.name, header.value)
    }
  }

  #retryOf(attempt: SipRequest, sentName: string, credentials: ReadonlyArray<{ name: string; value: string }>, dialog: SendRequestOptions['dialog']): SipRequest {
    const headers = attempt.headers.clone()
    headers.delete(sentName)
    for (const c of credentials) headers.append(c.name, c.value)
    const seq = readCSeq(headers).seq
    // RFC 3261 §22.2: the retry is a new request: same Call-ID, next CSeq (the dialog's, when in one).
    const next = dialog ? Math.max(dialog.localSeq ?? seq, seq) + 1 : seq + 1
    if (dialog) dialog.localSeq = next
    headers.set('CSeq', `${next} ${attempt.method}`)
    return { ...attempt, headers }
  }
}

function hasToTag(request: SipRequest): boolean {
  const to = readNameAddrHeader(request.headers, 'To')
  return to !== undefined && tagOf(to) !== undefined
}

function firstRealm(values: readonly string[]): string | undefined {
  for (const v of values) {
    const m = /realm\s*=\s*"([^"]*)"/i.exec(v)
    if (m) return m[1]
  }
  return undefined
}
