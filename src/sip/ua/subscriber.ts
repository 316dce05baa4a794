import { EventEmitter } from 'eventemitter3'
import type { IncomingRequest } from '../core/incoming-request.ts'
import { Dialog } from '../dialog.ts'
import { readCSeq } from '../headers/cseq.ts'
import { type SubscriptionState, readSubscriptionState } from '../headers/event.ts'
import { readExpires } from '../headers/scalars.ts'
import { newCallId, newTag } from '../ids.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import type { TimerHandle } from '../../clock.ts'
import { SipResponseError, SipStateError } from './errors.ts'
import { StateCell } from './logger.ts'
import { refreshDelayMs } from './timing.ts'
import type { UaContext } from './options.ts'

/** Named states of a subscription (RFC 6665 §4.1.2). */
export type SubscriberState = 'initial' | 'notify-wait' | 'pending' | 'active' | 'terminated'

/** Options of {@link Subscriber}. */
export interface SubscriberOptions {
  /** Requested duration, seconds (default 3600). */
  readonly expires?: number
  /** Accept values (default: none sent, the package default applies). */
  readonly accept?: readonly string[]
  /** Extra header fields on the SUBSCRIBE. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
}

/** One NOTIFY as the application sees it. */
export interface Notification {
  /** The NOTIFY (already answered 200). */
  readonly request: SipRequest
  /** Subscription-State (RFC 6665 §8.2.3). */
  readonly subscriptionState: SubscriptionState
  /** Content-Type without parameters, lower case; undefined without a body. */
  readonly contentType: string | undefined
  readonly body: Buffer
  /** The body as UTF-8 text. */
  readonly text: string
}

/** Events of {@link Subscriber}. */
export interface SubscriberEvents {
  state: (state: SubscriberState) => void
  notify: (notification: Notification) => void
  /** The subscription ended; `reason` from Subscription-State, or `refresh-failed` / `unsubscribed`. */
  terminated: (reason: string | undefined) => void
}

/** Reasons after which RFC 6665 §4.1.3 says to subscribe again at once. */
const RESUBSCRIBE_NOW = new Set(['deactivated', 'timeout'])
/** Reasons after which a new subscription may follow Retry-After. */
const RESUBSCRIBE_LATER = new Set(['probation', 'giveup'])

/**
 * A subscription to an event package (RFC 6665), like SIP.js's `Subscriber`: SUBSCRIBE with
 * Event and Accept, every NOTIFY answered 200 and handed to `notify` with its
 * Subscription-State, refresh before expiry, a new subscription after
 * `terminated;reason=deactivated|timeout` (§4.1.3), and `unsubscribe()` (Expires: 0).
 * A NOTIFY that beats the 2xx creates the dialog itself (§4.1.2.4).
 *
 * @example
 * const sub = new Subscriber(ua, 'sip:alice@example.test', 'presence', { accept: ['application/pidf+xml'] })
 * sub.on('notify', (n) => console.log(n.text))
 * await sub.subscribe()
 */
export class Subscriber extends EventEmitter<SubscriberEvents> {
  readonly target: string
  readonly event: string
  readonly #ua: UaContext
  readonly #options: SubscriberOptions
  readonly #state: StateCell<SubscriberState>
  #dialog: Dialog | undefined
  #callId = ''
  #fromTag = ''
  #subscribeSeq = 0
  #request: SipRequest | undefined
  #refreshTimer: TimerHandle | undefined
  #unsubscribing = false
  #stopWaiting: (() => void) | undefined
  readonly #untrack: () => void

  constructor(ua: UaContext, target: string, event: string, options: SubscriberOptions = {}) {
    super()
    this.#ua = ua
    this.target = target
    this.event = event
    this.#options = options
    this.#state = new StateCell<SubscriberState>('initial', `Subscriber ${event} ${target}`, ua.log, (s) => this.emit('state', s))
    this.#untrack = ua.track(this)
  }

  /** Current state. */
  get state(): SubscriberState {
    return this.#state.value
  }

  /** The subscription dialog, once formed. */
  get dialog(): Dialog | undefined {
    return this.#dialog
  }

  /**
   * Sends the initial SUBSCRIBE; resolves with its 2xx (202/200). Rejects with
   * SipResponseError (e.g. 489 Bad Event, 404), SipAuthError or a timeout.
   */
  async subscribe(): Promise<SipResponse> {
    const s = this.#state.value
    if (s !== 'initial' && s !== 'terminated') throw new SipStateError(`subscribe() needs a new or terminated subscription, not ${s}`)
    this.#unsubscribing = false
    this.#dialog = undefined
    this.#callId = newCallId()
    this.#fromTag = newTag()
    const request = this.#ua.createRequest('SUBSCRIBE', this.target, { headers: this.#headers(this.#options.expires ?? 3600) })
    request.headers.set('From', `${this.#ua.fromHeader};tag=${this.#fromTag}`)
    request.headers.set('Call-ID', this.#callId)
    this.#stopWaiting?.()
    this.#stopWaiting = this.#ua.expectNotify(this.#callId, this.#fromTag, (incoming) => this.#earlyNotify(incoming))
    this.#state.set('notify-wait')
    let response: SipResponse
    try {
      response = await this.#ua.sendRequest(request, { onAttempt: (r) => { this.#request = r } })
    } catch (error) {
      this.#terminate('failed')
      throw error
    }
    this.#subscribeSeq = readCSeq(response.headers).seq
    const early = this.#dialog as Dialog | undefined
    if (early) early.localSeq = Math.max(early.localSeq ?? 0, this.#subscribeSeq)
    if (response.status >= 300) {
      this.#terminate('rejected')
      throw new SipResponseError('SUBSCRIBE', this.target, response)
    }
    if (!this.#dialog && this.#state.value !== 'terminated') {
      this.#dialog = this.#ua.core.createUacDialog(this.#request ?? request, response, (incoming) => this.#inDialog(incoming))
    }
    const expires = readExpires(response.headers) ?? this.#options.expires ?? 3600
    if (this.#state.value !== 'terminated') this.#armRefresh(expires)
    return response
  }

  /** Refreshes now with an in-dialog SUBSCRIBE (what the timer does); resolves with the 2xx. */
  async refresh(): Promise<SipResponse> {
    const dialog = this.#dialog
    if (!dialog || this.#state.value === 'terminated') throw new SipStateError(`cannot refresh a subscription in state ${this.#state.value}`)
    const request = dialog.createRequest('SUBSCRIBE', { headers: this.#headers(this.#options.expires ?? 3600).filter(([n]) => n !== 'Contact') })
    const response = await this.#ua.sendRequest(request, { dialog })
    if (response.status >= 300) {
      // RFC 6665 §4.1.2.2: a failed refresh ends the subscription.
      this.#terminate('refresh-failed')
      throw new SipResponseError('SUBSCRIBE', this.target, response)
    }
    this.#armRefresh(readExpires(response.headers) ?? this.#options.expires ?? 3600)
    return response
  }

  /**
   * Ends the subscription (SUBSCRIBE with Expires: 0, RFC 6665 §4.1.2.3); resolves with its 2xx.
   * The final NOTIFY is still answered; the state turns `terminated` when it arrives (or 64*T1 later).
   */
  async unsubscribe(): Promise<SipResponse | undefined> {
    this.#clearRefresh()
    const dialog = this.#dialog
    if (!dialog || this.#state.value === 'terminated') {
      this.#terminate('unsubscribed')
      return undefined
    }
    this.#unsubscribing = true
    const request = dialog.createRequest('SUBSCRIBE', { headers: this.#headers(0).filter(([n]) => n !== 'Contact') })
    try {
      const response = await this.#ua.sendRequest(request, { dialog })
      if (response.status >= 300) this.#terminate('unsubscribed')
      else {
        this.#refreshTimer = this.#ua.clock.setTimeout(() => this.#terminate('unsubscribed'), 64 * this.#ua.core.timers.t1)
      }
      return response
    } catch (error) {
      this.#terminate('unsubscribed')
      throw error
    }
  }

  /** Unsubscribes (used by `UserAgent.stop()`). */
  async dispose(): Promise<void> {
    this.#untrack()
    if (this.#state.value !== 'terminated' && this.#state.value !== 'initial') await this.unsubscribe().catch(() => undefined)
    this.#terminate('unsubscribed')
  }

  #headers(expires: number): Array<readonly [string, string]> {
    const headers: Array<readonly [string, string]> = [['Event', this.event], ['Expires', String(expires)], ['Contact', this.#ua.contact]]
    if (this.#options.accept?.length) headers.push(['Accept', this.#options.accept.join(', ')])
    headers.push(...(this.#options.headers ?? []))
    return headers
  }

  /** A NOTIFY before the 2xx (RFC 6665 §4.1.2.4): it creates the dialog. */
  #earlyNotify(incoming: IncomingRequest): void {
    if (!this.#dialog) {
      const dialog = Dialog.forUas(incoming.message, this.#fromTag, this.#ua.contact)
      dialog.localSeq = Math.max(this.#subscribeSeq, readCSeq((this.#request ?? incoming.message).headers).seq)
      this.#dialog = dialog
      this.#ua.core.addDialog(dialog, (r) => this.#inDialog(r))
    }
    this.#notify(incoming)
  }

  #inDialog(incoming: IncomingRequest): void {
    if (incoming.method !== 'NOTIFY') {
      incoming.respond(incoming.method === 'ACK' ? 200 : 405, { headers: [['Allow', 'NOTIFY']] })
      return
    }
    this.#notify(incoming)
  }

  #notify(incoming: IncomingRequest): void {
    const message = incoming.message
    let state: SubscriptionState | undefined
    try {
      state = readSubscriptionState(message.headers)
    } catch {
      state = undefined
    }
    if (!state) {
      incoming.respond(400, { reason: 'Missing or bad Subscription-State' })
      return
    }
    incoming.respond(200)
    const type = message.headers.get('Content-Type')
    const notification: Notification = {
      request: message,
      subscriptionState: state,
      contentType: type === undefined ? undefined : type.split(';')[0]!.trim().toLowerCase(),
      body: message.body,
      text: message.body.toString('utf8'),
    }
    if (state.state === 'active') this.#state.set('active')
    else if (state.state === 'pending') this.#state.set('pending')
    if (state.state !== 'terminated' && state.expires !== undefined && !this.#unsubscribing) this.#armRefresh(state.expires)
    this.emit('notify', notification)
    if (state.state === 'terminated') this.#terminated(state)
  }

  #terminated(state: SubscriptionState): void {
    const reason = state.reason
    const again = !this.#unsubscribing && reason !== undefined
    this.#terminate(reason)
    if (!again) return
    if (RESUBSCRIBE_NOW.has(reason)) {
      this.#ua.log.debug(`Subscriber ${this.event} ${this.target}: terminated (${reason}); subscribing again (RFC 6665 §4.1.3)`)
      this.subscribe().catch((error: unknown) => this.#ua.log.warn(`re-subscription to ${this.target} failed: ${String(error)}`))
    } else if (RESUBSCRIBE_LATER.has(reason) && state.retryAfter !== undefined) {
      this.#refreshTimer = this.#ua.clock.setTimeout(() => {
        this.subscribe().catch((error: unknown) => this.#ua.log.warn(`re-subscription to ${this.target} failed: ${String(error)}`))
      }, state.retryAfter * 1000)
    }
  }

  #armRefresh(expires: number): void {
    this.#clearRefresh()
    if (expires <= 0) return
    this.#refreshTimer = this.#ua.clock.setTimeout(() => {
      this.#refreshTimer = undefined
      this.refresh().catch((error: unknown) => this.#ua.log.warn(`refresh of the ${this.event} subscription to ${this.target} failed: ${String(error)}`))
    }, refreshDelayMs(expires))
  }

  #clearRefresh(): void {
    if (this.#refreshTimer !== undefined) this.#ua.clock.clearTimeout(this.#refreshTimer)
    this.#refreshTimer = undefined
  }

  #terminate(reason: string | undefined): void {
    this.#clearRefresh()
    this.#stopWaiting?.()
    this.#stopWaiting = undefined
    if (this.#dialog) {
      this.#dialog.terminate()
      try {
        this.#ua.core.removeDialog(this.#dialog)
      } catch {
        // UA stopped.
      }
    }
    if (this.#state.value === 'terminated') return
    this.#state.set('terminated')
    this.emit('terminated', reason)
  }
}
