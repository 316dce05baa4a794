import type { IncomingRequest } from '../core/incoming-request.ts'
import { type NameAddr, readNameAddrHeader } from '../headers/name-addr.ts'
import { type EventHeader, readEvent } from '../headers/event.ts'
import { readExpires } from '../headers/scalars.ts'
import { SipStateError } from './errors.ts'
import { Notifier, type NotifyContent } from './notifier.ts'
import type { UaContext } from './options.ts'

/** Options of {@link IncomingSubscription.accept}. */
export interface AcceptSubscriptionOptions extends NotifyContent {
  /** Granted duration, seconds (default: requested, capped at 3600). */
  readonly expires?: number
  /** `active` (default) or `pending` (awaiting authorization). */
  readonly state?: 'active' | 'pending'
}

/**
 * A new SUBSCRIBE (RFC 6665 §4.2.1): `accept()` answers 200 and sends the immediate NOTIFY
 * (§4.2.1.2) carrying `body`, returning the {@link Notifier}; `reject(status)` refuses
 * (489 Bad Event, 403 ...).
 */
export class IncomingSubscription {
  readonly request: IncomingRequest
  readonly #ua: UaContext

  /** @internal Built by the UserAgent. */
  constructor(ua: UaContext, request: IncomingRequest) {
    this.#ua = ua
    this.request = request
  }

  /** The Event header (package `presence`, `conference` ...). */
  get event(): EventHeader | undefined {
    try {
      return readEvent(this.request.message.headers)
    } catch {
      return undefined
    }
  }

  /** Requested duration, seconds (Expires; undefined when absent). */
  get requestedExpires(): number | undefined {
    return readExpires(this.request.message.headers)
  }

  /** The watcher (From). */
  get from(): NameAddr {
    return readNameAddrHeader(this.request.message.headers, 'From')!
  }

  /** The resource (To). */
  get to(): NameAddr {
    return readNameAddrHeader(this.request.message.headers, 'To')!
  }

  /** Accepts: 200 with Expires, then the first NOTIFY. */
  accept(options: AcceptSubscriptionOptions = {}): Notifier {
    if (this.request.answered) throw new SipStateError('this SUBSCRIBE was already answered')
    const eventValue = this.request.message.headers.get('Event')
    if (eventValue === undefined) throw new SipStateError('the SUBSCRIBE has no Event header; reject it with 400')
    const expires = options.expires ?? Math.min(this.requestedExpires ?? 3600, 3600)
    let notifier: Notifier | undefined
    const dialog = this.#ua.core.createUasDialog(this.request, this.#ua.contact, (incoming) => notifier?.handle(incoming))
    this.request.respond(200, { headers: [['Expires', String(expires)], ['Contact', this.#ua.contact]] })
    notifier = new Notifier(this.#ua, { dialog, event: eventValue, expires, state: options.state ?? 'active' })
    const content: NotifyContent = { ...(options.body === undefined ? {} : { body: options.body }), ...(options.contentType === undefined ? {} : { contentType: options.contentType }) }
    if (expires === 0) void notifier.terminate('timeout', content).catch(() => undefined)
    else void notifier.notify(content).catch((error: unknown) => this.#ua.log.warn(`first NOTIFY failed: ${String(error)}`))
    return notifier
  }

  /** Refuses the subscription. */
  reject(status = 403, reason?: string): void {
    if (status < 300) throw new SipStateError(`reject() needs a status of 300 or more, not ${status}`)
    this.request.respond(status, reason === undefined ? {} : { reason })
  }
}
