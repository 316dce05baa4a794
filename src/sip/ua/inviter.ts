import { EventEmitter } from 'eventemitter3'
import { readCSeq } from '../headers/cseq.ts'
import { readTokenList } from '../headers/scalars.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import { SipResponseError, SipStateError } from './errors.ts'
import { StateCell } from './logger.ts'
import { Session, parseSessionExpires } from './session.ts'
import type { UaContext } from './options.ts'

/** Named states of an outgoing INVITE. */
export type InviterState = 'initial' | 'calling' | 'ringing' | 'answered' | 'cancelled' | 'failed'

/** Options of {@link Inviter}. */
export interface InviterOptions {
  /** The SDP offer (e.g. from `createOffer` in src/sdp). */
  readonly sdp: string
  /** Ask for a session timer (RFC 4028), seconds (>= 90); we offer to be the refresher. */
  readonly sessionExpires?: number
  /** Extra header fields. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
}

/** Events of {@link Inviter}. */
export interface InviterEvents {
  state: (state: InviterState) => void
  /** A provisional response (180 Ringing, 183 ...). */
  progress: (response: SipResponse) => void
}

/**
 * An outgoing call (UAC INVITE with an SDP offer, RFC 3261 §13.2), like SIP.js's `Inviter`.
 * `invite()` resolves with the established {@link Session} once the 2xx is ACKed, or rejects
 * with SipResponseError (status, e.g. 486 or 487 after `cancel()`), SipAuthError, or a
 * transaction timeout / transport error. A challenge (401/407) is answered once; the ACK for
 * the 407 is the transaction layer's.
 *
 * @example
 * const session = await new Inviter(ua, 'sip:bob@example.test', { sdp: offer }).invite()
 * await session.bye()
 */
export class Inviter extends EventEmitter<InviterEvents> {
  readonly target: string
  readonly #ua: UaContext
  readonly #options: InviterOptions
  readonly #state: StateCell<InviterState>
  #current: SipRequest | undefined
  #cancelRequested: string | undefined | null = null
  #lastProvisional: SipResponse | undefined

  constructor(ua: UaContext, target: string, options: InviterOptions) {
    super()
    this.#ua = ua
    this.target = target
    this.#options = options
    this.#state = new StateCell<InviterState>('initial', `Inviter ${target}`, ua.log, (s) => this.emit('state', s))
  }

  /** Current state. */
  get state(): InviterState {
    return this.#state.value
  }

  /** The INVITE as last sent (after an authentication retry, the retry). */
  get request(): SipRequest | undefined {
    return this.#current
  }

  /** Sends the INVITE; resolves with the session after the 2xx was ACKed. */
  async invite(): Promise<Session> {
    if (this.#state.value === 'cancelled') throw new SipStateError('the call was cancelled before the INVITE was sent')
    if (this.#state.value !== 'initial') throw new SipStateError(`invite() was already called (state ${this.#state.value}); create a new Inviter per call`)
    const headers: Array<readonly [string, string]> = [['Supported', 'timer'], ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, UPDATE, INFO, REFER']]
    if (this.#options.sessionExpires !== undefined) headers.push(['Session-Expires', String(this.#options.sessionExpires)])
    headers.push(...(this.#options.headers ?? []))
    const request = this.#ua.createRequest('INVITE', this.target, { headers, body: this.#options.sdp, contentType: 'application/sdp' })
    this.#state.set('calling')
    let response: SipResponse
    try {
      response = await this.#ua.sendRequest(request, {
        onAttempt: (r) => {
          this.#current = r
          // A cancel asked for while a 407 was being answered applies to the retry, once its transaction exists.
          if (this.#cancelRequested !== null) queueMicrotask(() => this.#ua.core.cancel(r, this.#cancelRequested ?? undefined))
        },
        onProvisional: (r) => {
          this.#lastProvisional = r
          if (r.status > 100) this.#state.set('ringing')
          this.emit('progress', r)
        },
      })
    } catch (error) {
      this.#state.set('failed')
      throw error
    }
    const sent = this.#current ?? request
    if (response.status >= 300) {
      this.#state.set(response.status === 487 && this.#cancelRequested !== null ? 'cancelled' : 'failed')
      throw new SipResponseError('INVITE', this.target, response)
    }
    // RFC 3261 §13.2.2.4: the 2xx creates the dialog; ACK it (the core re-sends the ACK for 2xx retransmissions).
    let session: Session | undefined
    const dialog = this.#ua.core.createUacDialog(sent, response, (incoming) => session?.handle(incoming))
    await this.#ua.core.sendAck(dialog.createAck(readCSeq(response.headers).seq))
    if (this.#cancelRequested !== null) {
      // §9.1: the 2xx crossed our CANCEL; the call exists, so end it with BYE.
      await this.#ua.sendRequest(dialog.createRequest('BYE'), { dialog }).catch(() => undefined)
      this.#ua.core.removeDialog(dialog)
      this.#state.set('cancelled')
      throw new SipStateError(`the call to ${this.target} was answered before the CANCEL took effect; it was hung up with BYE`)
    }
    const se = parseSessionExpires(response)
    session = new Session(this.#ua, {
      dialog,
      role: 'uac',
      localSdp: this.#options.sdp,
      remoteSdp: response.body.toString('utf8'),
      ...(se ? { timer: { interval: se.interval, weRefresh: se.refresher !== 'uas' } } : {}),
      peerAllow: readTokenList(response.headers, 'Allow'),
    })
    this.#state.set('answered')
    return session
  }

  /**
   * Cancels the call before it is answered (RFC 3261 §9.1): the CANCEL goes out once a
   * provisional response arrived; `invite()` then rejects with a 487 SipResponseError (or,
   * when a 2xx crossed the CANCEL, hangs up with BYE and rejects with SipStateError).
   * Before `invite()` it just marks the call cancelled. Returns false when it is too late.
   */
  cancel(reason?: string): boolean {
    const state = this.#state.value
    if (state !== 'initial' && state !== 'calling' && state !== 'ringing') return false
    this.#cancelRequested = reason
    if (state === 'initial') {
      this.#state.set('cancelled')
      return true
    }
    if (this.#current) this.#ua.core.cancel(this.#current, reason)
    return true
  }

  /** The last provisional response seen. */
  get lastProvisional(): SipResponse | undefined {
    return this.#lastProvisional
  }
}
