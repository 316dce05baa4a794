import type { IncomingRequest } from '../core/incoming-request.ts'
import { type NameAddr, readNameAddrHeader } from '../headers/name-addr.ts'
import { SipStateError } from './errors.ts'
import type { UaContext } from './options.ts'

/**
 * A pager-mode MESSAGE received outside a dialog (RFC 3428).
 *
 * Default answer (decided so nothing is lost silently): with no `message` listener the UA
 * answers 480 Temporarily Unavailable (nobody took it, so the sender must not believe it was
 * delivered); when listeners ran and none called {@link accept}, {@link reject} or
 * {@link defer}, it answers 200 OK — handing the message to the application is delivery
 * (RFC 3428 §7). Call `defer()` to decide later (within Timer F, 32 s).
 */
export class IncomingMessage {
  /** The request, with its server transaction. */
  readonly request: IncomingRequest
  readonly #ua: UaContext
  #deferred = false

  /** @internal Built by the UserAgent. */
  constructor(ua: UaContext, request: IncomingRequest) {
    this.#ua = ua
    this.request = request
  }

  /** Sender (From). */
  get from(): NameAddr {
    return readNameAddrHeader(this.request.message.headers, 'From')!
  }

  /** Recipient (To). */
  get to(): NameAddr {
    return readNameAddrHeader(this.request.message.headers, 'To')!
  }

  /** Content-Type as sent (default `text/plain`, RFC 3428 §9: a body without type is unusual). */
  get contentType(): string {
    return (this.request.message.headers.get('Content-Type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase()
  }

  /** The body bytes (a message/cpim body is the whole CPIM wrapper; parse it with src/cpim). */
  get body(): Buffer {
    return this.request.message.body
  }

  /** The body as UTF-8 text. */
  get text(): string {
    return this.request.message.body.toString('utf8')
  }

  /** Whether a final response went out. */
  get answered(): boolean {
    return this.request.answered
  }

  /** Answers 200 OK. */
  accept(): void {
    this.#answer(200)
  }

  /** Answers with a failure (e.g. 415 with Accept, 486, 603). */
  reject(status = 480, reason?: string, headers: ReadonlyArray<readonly [string, string]> = []): void {
    if (status < 300) throw new SipStateError(`reject() needs a status of 300 or more, not ${status}; use accept()`)
    this.#answer(status, reason, headers)
  }

  /** Keeps the request open for an answer later (accept/reject). */
  defer(): void {
    this.#deferred = true
  }

  /**
   * @internal Offers the message to the listeners (`emit`, undefined when there are none) and
   * applies the default answer.
   */
  deliver(emit: ((message: IncomingMessage) => void) | undefined): void {
    if (emit === undefined) {
      this.#answer(480, 'Temporarily Unavailable - no message handler')
      return
    }
    emit(this)
    if (!this.answered && !this.#deferred) this.#answer(200)
  }

  #answer(status: number, reason?: string, headers: ReadonlyArray<readonly [string, string]> = []): void {
    if (this.answered) return
    this.request.respond(status, { ...(reason === undefined ? {} : { reason }), headers })
    this.#ua.log.debug(`MESSAGE from ${this.request.message.headers.get('From') ?? '?'} answered ${status}`)
  }
}
