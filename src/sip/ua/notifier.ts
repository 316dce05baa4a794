import { EventEmitter } from 'eventemitter3'
import type { IncomingRequest } from '../core/incoming-request.ts'
import type { Dialog } from '../dialog.ts'
import { readExpires } from '../headers/scalars.ts'
import type { SipResponse } from '../message.ts'
import type { TimerHandle } from '../../clock.ts'
import { SipResponseError, SipStateError } from './errors.ts'
import { StateCell } from './logger.ts'
import type { UaContext } from './options.ts'

/** Named states of the notifier side of a subscription (RFC 6665 §4.2). */
export type NotifierState = 'pending' | 'active' | 'terminated'

/** Events of {@link Notifier}. */
export interface NotifierEvents {
  state: (state: NotifierState) => void
  /** The subscriber refreshed; `expires` is the new duration in seconds. */
  refreshed: (expires: number) => void
  /** The subscription ended (`timeout` on expiry or unsubscribe, or the reason given to `terminate`). */
  terminated: (reason: string) => void
}

/** What a notification carries. */
export interface NotifyContent {
  readonly body?: string | Buffer
  readonly contentType?: string
}

/**
 * The notifier side of one subscription (RFC 6665 §4.2), used by the chat server for
 * `conference` and by presence agents: NOTIFYs with increasing CSeq and Subscription-State
 * (remaining `expires`), refreshes answered with the new Expires, expiry and unsubscribe
 * (Expires: 0) closed with `terminated;reason=timeout`, `terminate(reason)` on demand.
 * Created by {@link IncomingSubscription.accept}.
 */
export class Notifier extends EventEmitter<NotifierEvents> {
  readonly dialog: Dialog
  /** The Event header value of the subscription (package and parameters). */
  readonly event: string
  readonly #ua: UaContext
  readonly #state: StateCell<NotifierState>
  #expiresAt: number
  #expiryTimer: TimerHandle | undefined
  #last: NotifyContent = {}
  readonly #untrack: () => void

  /** @internal Built by IncomingSubscription.accept(). */
  constructor(ua: UaContext, init: { dialog: Dialog; event: string; expires: number; state: 'pending' | 'active' }) {
    super()
    this.#ua = ua
    this.dialog = init.dialog
    this.event = init.event
    this.#state = new StateCell<NotifierState>(init.state, `Notifier ${init.event} ${init.dialog.id.callId}`, ua.log, (s) => this.emit('state', s))
    this.#expiresAt = ua.clock.now() + init.expires * 1000
    this.#armExpiry()
    this.#untrack = ua.track(this)
  }

  /** Current state. */
  get state(): NotifierState {
    return this.#state.value
  }

  /** Seconds left before the subscription expires. */
  get remaining(): number {
    return Math.max(0, Math.round((this.#expiresAt - this.#ua.clock.now()) / 1000))
  }

  /** Authorizes a pending subscription; the next NOTIFY says `active`. */
  activate(): void {
    if (this.#state.value === 'pending') this.#state.set('active')
  }

  /**
   * Sends a NOTIFY with the current state (RFC 6665 §4.2.2); resolves with its 2xx. A 481 or
   * other failure ends the subscription and rejects with SipResponseError.
   */
  async notify(content: NotifyContent = {}): Promise<SipResponse> {
    if (this.#state.value === 'terminated') throw new SipStateError(`the ${this.event} subscription ${this.dialog.id.callId} is terminated; no more NOTIFYs`)
    this.#last = content
    return this.#send(`${this.#state.value};expires=${this.remaining}`, content)
  }

  /** Ends the subscription with a final NOTIFY `terminated;reason=<reason>` (default `noresource`). */
  async terminate(reason = 'noresource', content: NotifyContent = {}): Promise<SipResponse | undefined> {
    if (this.#state.value === 'terminated') return undefined
    this.#end(reason)
    return this.#send(`terminated;reason=${reason}`, content, true)
  }

  /** Ends it on `UserAgent.stop()`. */
  async dispose(): Promise<void> {
    await this.terminate('noresource').catch(() => undefined)
  }

  /** @internal In-dialog requests: refreshing / removing SUBSCRIBEs. */
  handle(incoming: IncomingRequest): void {
    if (incoming.method !== 'SUBSCRIBE') {
      incoming.respond(incoming.method === 'ACK' ? 200 : 405, { headers: [['Allow', 'SUBSCRIBE']] })
      return
    }
    const expires = readExpires(incoming.message.headers) ?? 3600
    incoming.respond(200, { headers: [['Expires', String(expires)], ['Contact', this.#ua.contact]] })
    if (expires === 0) {
      // RFC 6665 §4.2.1.4: an unsubscribe gets a final NOTIFY.
      void this.terminate('timeout', this.#last).catch((error: unknown) => this.#ua.log.warn(`final NOTIFY failed: ${String(error)}`))
      return
    }
    this.#expiresAt = this.#ua.clock.now() + expires * 1000
    this.#armExpiry()
    this.emit('refreshed', expires)
    // RFC 6665 §4.2.1.2: a refresh is answered with a NOTIFY too.
    void this.notify(this.#last).catch((error: unknown) => this.#ua.log.warn(`NOTIFY after refresh failed: ${String(error)}`))
  }

  async #send(subscriptionState: string, content: NotifyContent, final = false): Promise<SipResponse> {
    const body = content.body
    const request = this.dialog.createRequest('NOTIFY', {
      headers: [['Event', this.event], ['Subscription-State', subscriptionState]],
      ...(body !== undefined && body.length > 0 ? { body, contentType: content.contentType ?? 'application/octet-stream' } : {}),
    })
    // The final NOTIFY goes out after the dialog left the core; send it without dialog bookkeeping.
    const response = await this.#ua.sendRequest(request, final ? {} : { dialog: this.dialog })
    if (response.status >= 300) {
      if (!final) this.#end(response.status === 481 ? 'gone' : 'rejected')
      throw new SipResponseError('NOTIFY', `the ${this.event} subscriber`, response)
    }
    return response
  }

  #armExpiry(): void {
    if (this.#expiryTimer !== undefined) this.#ua.clock.clearTimeout(this.#expiryTimer)
    this.#expiryTimer = this.#ua.clock.setTimeout(() => {
      this.#expiryTimer = undefined
      void this.terminate('timeout').catch(() => undefined)
    }, Math.max(0, this.#expiresAt - this.#ua.clock.now()))
  }

  #end(reason: string): void {
    if (this.#expiryTimer !== undefined) this.#ua.clock.clearTimeout(this.#expiryTimer)
    this.#expiryTimer = undefined
    this.#untrack()
    try {
      this.#ua.core.removeDialog(this.dialog)
    } catch {
      // UA stopped.
    }
    this.#state.set('terminated')
    this.emit('terminated', reason)
  }
}
