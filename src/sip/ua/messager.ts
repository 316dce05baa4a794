import type { SipResponse } from '../message.ts'
import { SipResponseError } from './errors.ts'
import type { UaContext } from './options.ts'

/** Options of {@link Messager}. */
export interface MessagerOptions {
  /** Extra header fields. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
}

/**
 * Sends one pager-mode MESSAGE (RFC 3428) and reports its outcome, like SIP.js's `Messager`.
 *
 * @example
 * const res = await new Messager(ua, 'sip:alice@example.test', 'hi', 'text/plain').message()
 */
export class Messager {
  readonly #ua: UaContext
  readonly #target: string
  readonly #body: string | Buffer
  readonly #contentType: string
  readonly #options: MessagerOptions

  constructor(ua: UaContext, target: string, body: string | Buffer, contentType = 'text/plain', options: MessagerOptions = {}) {
    this.#ua = ua
    this.#target = target
    this.#body = body
    this.#contentType = contentType
    this.#options = options
  }

  /**
   * Sends the MESSAGE; resolves with the 2xx (200, or 202 from a store-and-forward server).
   * Rejects with SipResponseError (status + reason), SipAuthError, TransactionTimeoutError or
   * TransactionTransportError.
   */
  async message(): Promise<SipResponse> {
    const request = this.#ua.createRequest('MESSAGE', this.#target, {
      body: this.#body,
      contentType: this.#contentType,
      ...(this.#options.headers ? { headers: this.#options.headers } : {}),
    })
    const response = await this.#ua.sendRequest(request)
    this.#ua.log.debug(`MESSAGE to ${this.#target}: ${response.status} ${response.reason}`)
    if (response.status >= 300) throw new SipResponseError('MESSAGE', this.#target, response)
    return response
  }
}
