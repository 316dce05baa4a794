import { EventEmitter } from 'eventemitter3'
import type { IncomingRequest } from '../core/incoming-request.ts'
import type { Dialog } from '../dialog.ts'
import { readCSeq } from '../headers/cseq.ts'
import { readTokenList } from '../headers/scalars.ts'
import type { SipMessage, SipResponse } from '../message.ts'
import type { TimerHandle } from '../../clock.ts'
import { SipResponseError, SipStateError, SipTimeoutError } from './errors.ts'
import { StateCell } from './logger.ts'
import type { UaContext } from './options.ts'

/** Named states of an established call. */
export type SessionState = 'waiting-for-ack' | 'established' | 'terminating' | 'terminated'

/** Why a session ended. */
export type SessionEndReason = 'local-bye' | 'remote-bye' | 'ack-timeout' | 'session-timer' | 'dialog-lost' | 'stopped'

/** RFC 4028 session timer values in force. */
export interface SessionTimer {
  /** Session interval, seconds. */
  readonly interval: number
  /** Whether this side sends the refreshes. */
  readonly weRefresh: boolean
}

/** Events of {@link Session}. */
export interface SessionEvents {
  state: (state: SessionState) => void
  /** The session ended (BYE either way, ACK timeout, session-timer expiry). */
  terminated: (reason: SessionEndReason) => void
  /** A re-INVITE or UPDATE refreshed the session (sent or received). */
  refreshed: (direction: 'sent' | 'received') => void
  /**
   * Another in-dialog request (INFO, NOTIFY, REFER, MESSAGE ...): respond to it. With no
   * listener INFO/MESSAGE/NOTIFY get 200 and others 501.
   */
  request: (request: IncomingRequest) => void
}

/** Parses `Session-Expires: 1800;refresher=uac` (RFC 4028 §4). */
export function parseSessionExpires(message: SipMessage): { interval: number; refresher: 'uac' | 'uas' | undefined } | undefined {
  const value = message.headers.get('Session-Expires')
  if (value === undefined) return undefined
  const m = /^\s*(\d+)\s*(?:;(.*))?$/.exec(value)
  if (!m) return undefined
  const r = /refresher\s*=\s*(uac|uas)/i.exec(m[2] ?? '')
  return { interval: Number(m[1]), refresher: r ? (r[1]!.toLowerCase() as 'uac' | 'uas') : undefined }
}

/**
 * An INVITE dialog after the 2xx (SIP.js's `Session`): BYE both ways, re-INVITE / UPDATE
 * answered with the same SDP, RFC 4028 session timers (refresh when we are the refresher,
 * BYE when the peer's refreshes stop), other in-dialog requests surfaced as `request`.
 */
export class Session extends EventEmitter<SessionEvents> {
  /** The dialog (Call-ID, tags, route set). */
  readonly dialog: Dialog
  /** Which side sent the INVITE. */
  readonly role: 'uac' | 'uas'
  /** Our SDP (offer or answer). */
  localSdp: string
  /** The peer's SDP. */
  remoteSdp: string
  readonly #ua: UaContext
  readonly #state: StateCell<SessionState>
  #timer: SessionTimer | undefined
  #timerHandle: TimerHandle | undefined
  #ackWaiter: { resolve: () => void; reject: (e: Error) => void; timer: TimerHandle } | undefined
  #peerAllowsUpdate: boolean
  readonly #untrack: () => void

  /** @internal Built by Inviter / Invitation. */
  constructor(ua: UaContext, init: { dialog: Dialog; role: 'uac' | 'uas'; localSdp: string; remoteSdp: string; timer?: SessionTimer; peerAllow?: readonly string[]; waitForAck?: boolean }) {
    super()
    this.#ua = ua
    this.dialog = init.dialog
    this.role = init.role
    this.localSdp = init.localSdp
    this.remoteSdp = init.remoteSdp
    this.#peerAllowsUpdate = (init.peerAllow ?? []).some((m) => m.toUpperCase() === 'UPDATE')
    this.#state = new StateCell<SessionState>(init.waitForAck ? 'waiting-for-ack' : 'established', `Session ${this.dialog.id.callId}`, ua.log, (s) => this.emit('state', s))
    this.#untrack = ua.track(this)
    if (init.timer) this.#armTimer(init.timer)
  }

  /** Current state. */
  get state(): SessionState {
    return this.#state.value
  }

  /** The session timer in force, if any. */
  get sessionTimer(): SessionTimer | undefined {
    return this.#timer
  }

  /** Call-ID of the dialog. */
  get callId(): string {
    return this.dialog.id.callId
  }

  /** @internal Resolves when the ACK for our 2xx arrives; rejects after 64*T1 (§13.3.1.4) and hangs up. */
  waitForAck(): Promise<void> {
    if (this.#state.value !== 'waiting-for-ack') return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = this.#ua.clock.setTimeout(() => {
        this.#ackWaiter = undefined
        reject(new SipTimeoutError(`no ACK for our 2xx to the INVITE ${this.callId} within 64*T1 (RFC 3261 §13.3.1.4); the call was hung up`))
        void this.#sendBye('ack-timeout').catch(() => undefined)
      }, 64 * this.#ua.core.timers.t1)
      this.#ackWaiter = { resolve, reject, timer }
    })
  }

  /** Hangs up: BYE (RFC 3261 §15.1.1); resolves with its final response (any status ends the session). */
  async bye(): Promise<SipResponse> {
    if (this.#state.value === 'terminated' || this.#state.value === 'terminating') {
      throw new SipStateError(`the session ${this.callId} is already ${this.#state.value}`)
    }
    return this.#sendBye('local-bye')
  }

  async #sendBye(reason: SessionEndReason): Promise<SipResponse> {
    this.#state.set('terminating')
    this.#clearTimer()
    try {
      const bye = this.dialog.createRequest('BYE')
      return await this.#ua.sendRequest(bye, { dialog: this.dialog })
    } finally {
      this.#end(reason)
    }
  }

  /**
   * Refreshes the session now (RFC 4028 §7.4): UPDATE when the peer allows it, else re-INVITE
   * with the same SDP. Resolves with the 2xx; a failure rejects (481/408 end the session).
   */
  async refresh(): Promise<SipResponse> {
    if (this.#state.value !== 'established') throw new SipStateError(`cannot refresh the session ${this.callId} in state ${this.#state.value}`)
    const interval = this.#timer?.interval
    const headers: Array<[string, string]> = [['Supported', 'timer']]
    if (interval !== undefined) headers.push(['Session-Expires', `${interval};refresher=uac`])
    const method = this.#peerAllowsUpdate ? 'UPDATE' : 'INVITE'
    const request = this.dialog.createRequest(method, method === 'INVITE' ? { headers, body: this.localSdp, contentType: 'application/sdp' } : { headers })
    const response = await this.#ua.sendRequest(request, { dialog: this.dialog })
    if (method === 'INVITE' && response.status >= 200 && response.status < 300) {
      await this.#ua.core.sendAck(this.dialog.createAck(readCSeq(response.headers).seq))
    }
    if (response.status === 481 || response.status === 408) {
      this.#end('dialog-lost')
      throw new SipResponseError(method, `the session ${this.callId}`, response)
    }
    if (response.status >= 300) throw new SipResponseError(method, `the session ${this.callId}`, response)
    const se = parseSessionExpires(response)
    if (se) this.#armTimer({ interval: se.interval, weRefresh: se.refresher !== 'uas' })
    else if (this.#timer) this.#armTimer(this.#timer)
    this.emit('refreshed', 'sent')
    return response
  }

  /** @internal The dialog's request handler. */
  handle(incoming: IncomingRequest): void {
    const method = incoming.method
    switch (method) {
      case 'ACK':
        if (this.#ackWaiter) {
          const waiter = this.#ackWaiter
          this.#ackWaiter = undefined
          this.#ua.clock.clearTimeout(waiter.timer)
          this.#state.set('established')
          waiter.resolve()
        }
        return
      case 'BYE':
        incoming.respond(200)
        this.#end('remote-bye')
        return
      case 'INVITE':
      case 'UPDATE': {
        // RFC 4028 §9/§10: answer the refresh with the same session; echo the timer, our side refreshes when refresher=uas.
        const se = parseSessionExpires(incoming.message)
        const headers: Array<[string, string]> = [['Contact', this.#ua.contact], ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, UPDATE, INFO, REFER']]
        if (se) {
          const refresher = se.refresher ?? 'uac'
          headers.push(['Session-Expires', `${se.interval};refresher=${refresher}`])
          if (readTokenList(incoming.message.headers, 'Supported').includes('timer')) headers.push(['Require', 'timer'])
          this.#armTimer({ interval: se.interval, weRefresh: refresher === 'uas' })
        } else if (this.#timer) {
          this.#armTimer(this.#timer)
        }
        const withSdp = method === 'INVITE' || incoming.message.body.length > 0
        incoming.respond(200, { headers, ...(withSdp ? { body: Buffer.from(this.localSdp), contentType: 'application/sdp' } : {}) })
        if (incoming.message.body.length > 0) this.remoteSdp = incoming.message.body.toString('utf8')
        this.emit('refreshed', 'received')
        return
      }
      default:
        if (this.listenerCount('request') > 0) {
          this.emit('request', incoming)
          return
        }
        incoming.respond(['INFO', 'MESSAGE', 'NOTIFY'].includes(method) ? 200 : 501)
    }
  }

  /** Ends the session for `UserAgent.stop()`: BYE when established. */
  async dispose(): Promise<void> {
    if (this.#state.value === 'established' || this.#state.value === 'waiting-for-ack') {
      await this.#sendBye('stopped').catch(() => undefined)
    } else this.#end('stopped')
  }

  #armTimer(timer: SessionTimer): void {
    this.#clearTimer()
    this.#timer = timer
    const ms = timer.interval * 1000
    if (timer.weRefresh) {
      // RFC 4028 §10: the refresher sends its refresh at half the interval.
      this.#timerHandle = this.#ua.clock.setTimeout(() => {
        this.#timerHandle = undefined
        this.refresh().catch((error: unknown) => this.#ua.log.warn(`session ${this.callId} refresh failed: ${String(error)}`))
      }, ms / 2)
    } else {
      // RFC 4028 §10: without a refresh, send BYE before expiry: interval - min(32 s, interval/3).
      this.#timerHandle = this.#ua.clock.setTimeout(() => {
        this.#timerHandle = undefined
        this.#ua.log.warn(`session ${this.callId}: no refresh within the session interval; hanging up (RFC 4028 §10)`)
        void this.#sendBye('session-timer').catch(() => undefined)
      }, ms - Math.min(32_000, ms / 3))
    }
  }

  #clearTimer(): void {
    if (this.#timerHandle !== undefined) this.#ua.clock.clearTimeout(this.#timerHandle)
    this.#timerHandle = undefined
  }

  #end(reason: SessionEndReason): void {
    if (this.#state.value === 'terminated') return
    this.#clearTimer()
    if (this.#ackWaiter) {
      this.#ua.clock.clearTimeout(this.#ackWaiter.timer)
      this.#ackWaiter.reject(new SipStateError(`the session ${this.callId} ended (${reason}) before the ACK arrived`))
      this.#ackWaiter = undefined
    }
    this.dialog.terminate()
    try {
      this.#ua.core.removeDialog(this.dialog)
    } catch {
      // The UA is already stopped.
    }
    this.#untrack()
    this.#state.set('terminated')
    this.emit('terminated', reason)
  }
}
