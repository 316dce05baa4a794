/**
 * The server's account at its call-out proxy: when the proxy answers a call-out INVITE (or a
 * request in the dialog it formed) with 401/407, the request is sent again with digest
 * credentials (RFC 3261 §22.2: same Call-ID, next CSeq), once per challenge. A new challenge
 * without `stale=true` after that means the credentials were refused: the call-out fails with
 * {@link CallOutAuthError}. CANCEL never carries credentials (RFC 3261 §22.1).
 *
 * Credentials go to the proxy's host only. Anyone else who challenges the server's INVITE (a
 * registered contact, a participant's device) gets nothing: a digest response is a hash an
 * attacker could attack offline, so the server does not hand it to whoever asks.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import type { SendRequestOptions, UserAgentCore } from '../sip/core/user-agent-core.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { SipAuthError } from '../sip/ua/errors.ts'
import { RequestAuthenticator } from '../sip/ua/request-authenticator.ts'
import type { DialogSender } from './in-dialog.ts'
import type { CallOutCredentials, ChatServerLogger } from './options.ts'

/** How a challenged call-out ended: the status line for the inviter, the rest for the operator. */
export class CallOutAuthError extends MsrpBotError {
  declare readonly code: 'SERVER_CALL_OUT_AUTH'
  /** The final status (the last 401 or 407). */
  readonly status: number
  /** The reason phrase told to the inviter (names no account and no configuration). */
  readonly reason: string

  constructor(message: string, status: number, reason: string, options?: { cause?: unknown }) {
    super('SERVER_CALL_OUT_AUTH', message, options)
    this.status = status
    this.reason = reason
  }
}

/** Options of {@link CallOutAuth}. */
export interface CallOutAuthInit {
  /** The call-out proxy (option `callOutProxy`): the only host credentials are sent to. */
  readonly proxy: Destination | undefined
  readonly credentials: CallOutCredentials | undefined
  readonly log: ChatServerLogger
}

/** Sends the server's call-out requests, answering its proxy's digest challenges. */
export class CallOutAuth {
  readonly #proxy: Destination | undefined
  readonly #credentials: CallOutCredentials | undefined
  readonly #authenticator: RequestAuthenticator | undefined
  readonly #log: ChatServerLogger

  constructor(init: CallOutAuthInit) {
    this.#proxy = init.proxy
    this.#credentials = init.credentials
    this.#log = init.log
    const c = init.credentials
    // One authenticator for the server: challenges it answered are reused up front (RFC 3261 §22.3).
    if (init.proxy !== undefined && c !== undefined) {
      this.#authenticator = new RequestAuthenticator({ username: c.username, password: c.password, ...(c.realm === undefined ? {} : { realm: c.realm }), log: init.log })
    }
  }

  /** Whether credentials may go to `destination`: the call-out proxy's host, nothing else. */
  trusts(destination: Destination): boolean {
    return this.#proxy !== undefined && sameHost(destination.host, this.#proxy.host)
  }

  /**
   * Sends `request` to `destination` and resolves with its final response. A challenge from the
   * proxy is answered with the credentials; one that cannot be met (no credentials, refused, a
   * challenger other than the proxy) rejects with {@link CallOutAuthError}. `onAttempt` sees each
   * request actually sent (a CANCEL must name the latest).
   */
  async send(core: UserAgentCore, request: SipRequest, destination: Destination, options: SendRequestOptions & { onAttempt?: (request: SipRequest) => void } = {}): Promise<SipResponse> {
    const sendOptions = { ...options, destination }
    if (this.#authenticator === undefined || !this.trusts(destination)) {
      options.onAttempt?.(request)
      const response = await core.sendRequest(request, sendOptions)
      if (response.status === 401 || response.status === 407) throw this.#unanswered(request, destination, response)
      return response
    }
    try {
      return await this.#authenticator.send(core, request, sendOptions)
    } catch (error) {
      if (!(error instanceof SipAuthError)) throw error
      const target = targetOf(request)
      const realm = error.realm === undefined ? '' : ` for realm "${error.realm}"`
      const message =
        error.code === 'SIP_AUTH_FAILED'
          ? `the call-out proxy refused the server's callOutCredentials (user "${this.#credentials!.username}")${realm}: ${request.method} to ${target} got ${error.status} again after answering the challenge; check the user name and password`
          : error.code === 'SIP_AUTH_NO_CREDENTIALS'
            ? `the call-out proxy challenged ${request.method} to ${target}${realm}, but callOutCredentials are for realm "${this.#credentials!.realm ?? '?'}"; set callOutCredentials.realm to the proxy's realm (or leave it out)`
            : `the call-out proxy's challenge to ${request.method} to ${target} cannot be answered: ${error.message}`
      this.#log.warn(message)
      const reason = error.code === 'SIP_AUTH_FAILED' ? 'the proxy refused the room server\'s credentials' : 'the room server cannot answer the proxy\'s challenge'
      throw new CallOutAuthError(message, error.status, `${error.response.reason} - ${reason}`, { cause: error })
    }
  }

  /**
   * The sender for a dialog formed with `destination` (see {@link DialogSender}): undefined
   * when requests there go straight through the core (not the proxy, or no credentials).
   */
  dialogSender(core: UserAgentCore, destination: Destination): DialogSender | undefined {
    if (this.#authenticator === undefined || !this.trusts(destination)) return undefined
    return (request, options) => this.send(core, request, destination, options)
  }

  /** A challenge that is not answered: no credentials, or a challenger other than the proxy. */
  #unanswered(request: SipRequest, destination: Destination, response: SipResponse): CallOutAuthError {
    const target = targetOf(request)
    if (this.trusts(destination)) {
      const message = `the call-out proxy challenged ${request.method} to ${target} (${response.status} ${response.reason}) and the server has no callOutCredentials; give them (msrp-bot server --call-out-user with the password in an environment variable or file)`
      this.#log.warn(message)
      return new CallOutAuthError(message, response.status, `${response.reason} - the room server has no credentials at the proxy`)
    }
    const message = `${destination.host} challenged ${request.method} to ${target} (${response.status}); the server answers challenges only from its call-out proxy${this.#proxy === undefined ? ' (none is set: callOutProxy)' : ` (${this.#proxy.host})`}, so no credentials were sent`
    this.#log.info(message)
    return new CallOutAuthError(message, response.status, `${response.reason} - challenged by a host other than the room server's proxy`)
  }
}

function targetOf(request: SipRequest): string {
  return request.headers.get('To') ?? request.uri
}

function sameHost(a: string, b: string): boolean {
  return a.replace(/^\[|\]$/g, '').toLowerCase() === b.replace(/^\[|\]$/g, '').toLowerCase()
}
