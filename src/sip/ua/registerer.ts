import { EventEmitter } from 'eventemitter3'
import { MsrpBotError } from '../../errors.ts'
import { type NameAddr } from '../headers/name-addr.ts'
import { contactExpires, readContacts } from '../headers/contact.ts'
import { readCSeq } from '../headers/cseq.ts'
import { readExpires } from '../headers/scalars.ts'
import { newCallId, newTag } from '../ids.ts'
import type { SipResponse } from '../message.ts'
import type { TimerHandle } from '../../clock.ts'
import type { Destination } from '../transaction/transport-port.ts'
import { parseUri, uriEquals } from '../uri.ts'
import { SipResponseError, SipStateError } from './errors.ts'
import { StateCell } from './logger.ts'
import { backoffMs, refreshDelayMs } from './timing.ts'
import type { UaContext } from './options.ts'

/** Named states of a registration. */
export type RegistererState = 'unregistered' | 'registering' | 'registered' | 'terminated'

/** Options of {@link Registerer}. */
export interface RegistererOptions {
  /** Requested lifetime, seconds (default 600; the registrar may shorten it). */
  readonly expires?: number
  /** Registrar Request-URI (default: the UA's). */
  readonly registrar?: string
  /** Extra header fields on every REGISTER. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
  /** First back-off step after a failed refresh or a lost connection, ms (default 30 s, RFC 5626 §4.5). */
  readonly retryBaseMs?: number
  /** Longest back-off, ms (default 1800 s, RFC 5626 §4.5). */
  readonly retryMaxMs?: number
  /** Randomness for the back-off (tests pass `() => 1`). */
  readonly random?: () => number
}

/** Events of {@link Registerer}. */
export interface RegistererEvents {
  state: (state: RegistererState) => void
  /** A REGISTER (initial or refresh) got its 2xx. */
  registered: (response: SipResponse) => void
  /** A refresh or re-registration failed; the registerer retries with back-off unless the failure is final. */
  failed: (error: Error) => void
}

/**
 * Keeps one binding of the UA's Contact at the registrar (RFC 3261 §10), like SIP.js's
 * `Registerer`: REGISTER with digest, refresh before expiry using the expiry the registrar
 * granted (our Contact's `expires` in the 2xx, else its Expires header), 423 retried with
 * Min-Expires, re-registration after the connection it registered over closes (RFC 5626 §4.4)
 * with back-off, and unregister on `unregister()` / `UserAgent.stop()`.
 *
 * @example
 * const registerer = new Registerer(ua, { expires: 300 })
 * await registerer.register()   // rejects with SipAuthError, SipResponseError, a timeout ...
 */
export class Registerer extends EventEmitter<RegistererEvents> {
  readonly #ua: UaContext
  readonly #options: RegistererOptions
  readonly #state: StateCell<RegistererState>
  readonly #callId = newCallId()
  readonly #fromTag = newTag()
  #cseq = 0
  #requested: number
  #granted: number | undefined
  #contacts: NameAddr[] = []
  #timer: TimerHandle | undefined
  #flow: string | undefined
  #failures = 0
  readonly #untrack: () => void
  readonly #onClosed = (connectionId: string): void => this.#connectionClosed(connectionId)

  constructor(ua: UaContext, options: RegistererOptions = {}) {
    super()
    this.#ua = ua
    this.#options = options
    this.#requested = options.expires ?? 600
    this.#state = new StateCell<RegistererState>('unregistered', `Registerer ${ua.options.uri}`, ua.log, (s) => this.emit('state', s))
    this.#untrack = ua.track(this)
    ua.on('connection-closed', this.#onClosed)
  }

  /** Current state. */
  get state(): RegistererState {
    return this.#state.value
  }

  /** Lifetime the registrar granted to our Contact, seconds. */
  get expires(): number | undefined {
    return this.#granted
  }

  /** Every binding of the AOR the last 2xx listed (other devices included). */
  get contacts(): readonly NameAddr[] {
    return this.#contacts
  }

  /** The connection the registration runs over (connection transports only). */
  get flow(): string | undefined {
    return this.#flow
  }

  /**
   * Registers (or refreshes now). Resolves with the 2xx; rejects with SipAuthError,
   * SipResponseError (e.g. 403), TransactionTimeoutError or TransactionTransportError.
   */
  async register(): Promise<SipResponse> {
    if (this.#state.value === 'terminated') throw new SipStateError('this Registerer is terminated; create a new one')
    this.#clearTimer()
    if (this.#state.value !== 'registered') this.#state.set('registering')
    try {
      const response = await this.#send(this.#requested, true)
      this.#failures = 0
      return response
    } catch (error) {
      if ((this.#state.value as RegistererState) !== 'terminated') this.#state.set('unregistered')
      throw error
    }
  }

  /** Refreshes the registration now (what the timer does before expiry). */
  refresh(): Promise<SipResponse> {
    return this.register()
  }

  /** Removes our binding (Expires 0) and stops refreshing; resolves with the 2xx. */
  async unregister(): Promise<SipResponse> {
    this.#clearTimer()
    try {
      return await this.#send(0, false)
    } finally {
      if ((this.#state.value as RegistererState) !== 'terminated') this.#state.set('unregistered')
    }
  }

  /** Unregisters when registered and ends this registerer (called by `UserAgent.stop()`). */
  async dispose(): Promise<void> {
    this.#clearTimer()
    this.#ua.off('connection-closed', this.#onClosed)
    this.#untrack()
    try {
      if (this.#state.value === 'registered') await this.unregister()
    } finally {
      this.#state.set('terminated')
    }
  }

  async #send(expires: number, binding: boolean): Promise<SipResponse> {
    let wanted = expires
    for (let attempt = 0; ; attempt++) {
      const request = this.#ua.createRequest('REGISTER', this.#options.registrar ?? this.#ua.registrarUri, {
        to: this.#ua.fromHeader,
        headers: [
          ['Contact', `${this.#ua.contact};expires=${wanted}`],
          ['Expires', String(wanted)],
          ...(this.#ua.options.keepalive ? [['Supported', 'outbound, path'] as const] : []),
          ...(this.#options.headers ?? []),
        ],
      })
      // RFC 3261 §10.2: one Call-ID per registration, CSeq increasing.
      request.headers.set('From', `${this.#ua.fromHeader};tag=${this.#fromTag}`)
      request.headers.set('Call-ID', this.#callId)
      request.headers.set('CSeq', `${++this.#cseq} REGISTER`)
      const destination = this.#ua.nextHopOf(request)
      const response = await this.#ua.sendRequest(request)
      this.#cseq = Math.max(this.#cseq, readCSeq(response.headers).seq)
      if (response.status === 423 && attempt === 0 && binding) {
        // RFC 3261 §10.2.8: ask again with at least Min-Expires.
        const min = Number(response.headers.get('Min-Expires'))
        if (Number.isInteger(min) && min > wanted) {
          this.#ua.log.debug(`REGISTER: 423 Interval Too Brief, retrying with Min-Expires ${min}`)
          wanted = min
          this.#requested = min
          continue
        }
      }
      if (response.status >= 300) throw new SipResponseError('REGISTER', request.uri, response)
      if (binding) this.#bound(response, wanted, destination)
      else {
        this.#granted = undefined
        this.#flow = undefined
        const contacts = readContacts(response.headers)
        this.#contacts = contacts === '*' ? [] : contacts
      }
      return response
    }
  }

  #bound(response: SipResponse, wanted: number, destination: Destination): void {
    const contacts = readContacts(response.headers)
    this.#contacts = contacts === '*' ? [] : contacts
    // RFC 3261 §10.2.4: the registrar's choice is our Contact's expires, else the Expires header.
    const ours = parseUri(this.#ua.contactUri)
    const mine = this.#contacts.find((c) => uriEquals(c.uri, ours))
    const granted = (mine && contactExpires(mine)) ?? readExpires(response.headers) ?? wanted
    this.#granted = granted
    this.#flow = this.#ua.flowTo(destination)
    this.#state.set('registered')
    this.emit('registered', response)
    if (granted > 0) this.#schedule(refreshDelayMs(granted), 'refresh')
  }

  #schedule(ms: number, why: string): void {
    this.#clearTimer()
    this.#ua.log.debug(`Registerer ${this.#ua.options.uri}: ${why} in ${ms} ms`)
    this.#timer = this.#ua.clock.setTimeout(() => {
      this.#timer = undefined
      this.register().catch((error: unknown) => this.#retryAfterFailure(error))
    }, ms)
  }

  #retryAfterFailure(error: unknown): void {
    const err = error instanceof Error ? error : new MsrpBotError('SIP_REGISTER_FAILED', String(error))
    this.emit('failed', err)
    if (this.#state.value === 'terminated') return
    // Only transient failures are retried: timeouts, transport loss, 5xx, 408/480.
    const status = (err as { status?: number }).status
    const transient = status === undefined || status === 408 || status === 480 || status >= 500
    if (!transient || (err as MsrpBotError).code === 'SIP_AUTH_FAILED') {
      this.#ua.log.warn(`registration of ${this.#ua.options.uri} failed for good: ${err.message}`)
      return
    }
    const wait = backoffMs(this.#failures++, this.#options.retryBaseMs ?? 30_000, this.#options.retryMaxMs ?? 1_800_000, this.#options.random)
    this.#schedule(wait, `retry after failure (${err.message})`)
  }

  #connectionClosed(connectionId: string): void {
    if (this.#flow === undefined || connectionId !== this.#flow) return
    if (this.#state.value !== 'registered') return
    // RFC 5626 §4.4.1: the flow died; register again over a new connection at once, then back off.
    this.#flow = undefined
    this.#ua.log.debug(`Registerer ${this.#ua.options.uri}: registration flow ${connectionId} closed; re-registering`)
    this.#state.set('registering')
    this.#schedule(0, 're-register after connection loss')
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#ua.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
