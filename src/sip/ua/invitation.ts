import { EventEmitter } from 'eventemitter3'
import type { IncomingRequest } from '../core/incoming-request.ts'
import { type NameAddr, readNameAddrHeader } from '../headers/name-addr.ts'
import { readTokenList } from '../headers/scalars.ts'
import { SipStateError } from './errors.ts'
import { StateCell } from './logger.ts'
import { Session, parseSessionExpires } from './session.ts'
import type { UaContext } from './options.ts'

/** Named states of an incoming INVITE. */
export type InvitationState = 'received' | 'ringing' | 'accepting' | 'accepted' | 'rejected' | 'cancelled' | 'failed'

/** Events of {@link Invitation}. */
export interface InvitationEvents {
  state: (state: InvitationState) => void
  /** The caller sent CANCEL; the UA core has answered 487. */
  cancelled: () => void
}

/**
 * An incoming call (UAS INVITE, RFC 3261 §13.3), like SIP.js's `Invitation`: `progress()`
 * sends 180 (or 183), `accept(sdp)` sends the 2xx — retransmitted on UDP until the ACK
 * arrives (§13.3.1.4) — and resolves with the {@link Session} once ACKed; `reject(status)`
 * refuses. A session timer in the INVITE (RFC 4028) is echoed in the 2xx.
 */
export class Invitation extends EventEmitter<InvitationEvents> {
  /** The INVITE, with its server transaction. */
  readonly request: IncomingRequest
  readonly #ua: UaContext
  readonly #state: StateCell<InvitationState>

  /** @internal Built by the UserAgent. */
  constructor(ua: UaContext, request: IncomingRequest) {
    super()
    this.#ua = ua
    this.request = request
    this.#state = new StateCell<InvitationState>('received', `Invitation ${request.message.headers.get('Call-ID') ?? ''}`, ua.log, (s) => this.emit('state', s))
    request.onCancel(() => {
      this.#state.set('cancelled')
      this.emit('cancelled')
    })
  }

  /** Current state. */
  get state(): InvitationState {
    return this.#state.value
  }

  /** The caller (From). */
  get from(): NameAddr {
    return readNameAddrHeader(this.request.message.headers, 'From')!
  }

  /** The callee as addressed (To). */
  get to(): NameAddr {
    return readNameAddrHeader(this.request.message.headers, 'To')!
  }

  /** The SDP offer (empty when the INVITE had no body). */
  get remoteSdp(): string {
    return this.request.message.body.toString('utf8')
  }

  /** Sends a provisional response (default 180 Ringing; 183 with an early SDP). */
  progress(status = 180, options: { sdp?: string } = {}): void {
    this.#assertOpen('progress()')
    if (status <= 100 || status >= 200) throw new SipStateError(`progress() takes a 101..199 status, not ${status}`)
    this.request.respond(status, {
      headers: [['Contact', this.#ua.contact]],
      ...(options.sdp === undefined ? {} : { body: Buffer.from(options.sdp), contentType: 'application/sdp' }),
    })
    this.#state.set('ringing')
  }

  /**
   * Answers 200 OK with `answerSdp` and resolves with the session once the ACK arrives.
   * Rejects with SipTimeoutError when no ACK comes within 64*T1 (the call is then hung up).
   */
  async accept(answerSdp: string, options: { headers?: ReadonlyArray<readonly [string, string]> } = {}): Promise<Session> {
    this.#assertOpen('accept()')
    const message = this.request.message
    const headers: Array<readonly [string, string]> = [
      ['Contact', this.#ua.contact],
      ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, UPDATE, INFO, REFER'],
      ['Supported', 'timer'],
    ]
    const se = parseSessionExpires(message)
    let timer: { interval: number; weRefresh: boolean } | undefined
    if (se) {
      // RFC 4028 §9: with no refresher chosen by the UAC, the UAS picks; we let the caller refresh.
      const refresher = se.refresher ?? 'uac'
      headers.push(['Session-Expires', `${se.interval};refresher=${refresher}`])
      if (readTokenList(message.headers, 'Supported').includes('timer')) headers.push(['Require', 'timer'])
      timer = { interval: se.interval, weRefresh: refresher === 'uas' }
    }
    headers.push(...(options.headers ?? []))
    let session: Session | undefined
    const dialog = this.#ua.core.createUasDialog(this.request, this.#ua.contact, (incoming) => session?.handle(incoming))
    session = new Session(this.#ua, {
      dialog,
      role: 'uas',
      localSdp: answerSdp,
      remoteSdp: this.remoteSdp,
      ...(timer ? { timer } : {}),
      peerAllow: readTokenList(message.headers, 'Allow'),
      waitForAck: true,
    })
    const acked = session.waitForAck()
    this.request.respond(200, { headers, body: Buffer.from(answerSdp), contentType: 'application/sdp' })
    this.#state.set('accepting')
    try {
      await acked
    } catch (error) {
      this.#state.set('failed')
      throw error
    }
    this.#state.set('accepted')
    return session
  }

  /** Refuses the call (default 486 Busy Here; 603 Decline, 488 for an unusable offer ...). */
  reject(status = 486, reason?: string): void {
    this.#assertOpen('reject()')
    if (status < 300) throw new SipStateError(`reject() needs a status of 300 or more, not ${status}`)
    this.request.respond(status, reason === undefined ? {} : { reason })
    this.#state.set('rejected')
  }

  #assertOpen(what: string): void {
    const s = this.#state.value
    if (s !== 'received' && s !== 'ringing') throw new SipStateError(`${what} is not possible: the invitation is ${s}`)
  }
}
