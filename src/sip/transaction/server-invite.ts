import type { SipRequest, SipResponse } from '../message.ts'
import { createResponse } from '../response.ts'
import { MsrpBotError } from '../../errors.ts'
import { ServerTransaction, type ServerTransactionUser } from './server-transaction.ts'
import type { TransactionContext } from './transaction.ts'
import type { Destination } from './transport-port.ts'

/** Options of an INVITE server transaction. */
export interface InviteServerOptions {
  /**
   * When to send 100 Trying if the TU has not answered (§17.2.1): after this many ms
   * (default 200), 0 for at once.
   */
  readonly tryingDelayMs?: number
}

/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with RFC 6026's `accepted` state):
 * proceeding → completed (3xx-6xx; Timer G retransmits on unreliable transports, T1 doubling up
 * to T2; Timer H 64*T1 waits for the ACK) → confirmed (ACK; Timer I = T4, 0 reliable) →
 * terminated. A 2xx moves to `accepted` (Timer L = 64*T1) where retransmitted INVITEs are
 * absorbed and the TU's 2xx retransmissions pass through (§13.3.1.4).
 */
export class InviteServerTransaction extends ServerTransaction {
  #interval: number
  /** Called when the ACK for a non-2xx final response arrives (useful for tests and logs). */
  onAck: ((ack: SipRequest) => void) | undefined

  constructor(request: SipRequest, key: string, destination: Destination, ctx: TransactionContext, user: ServerTransactionUser = {}, options: InviteServerOptions = {}) {
    super(request, key, destination, 'proceeding', ctx, user)
    this.#interval = ctx.timers.t1
    const delay = options.tryingDelayMs ?? 200
    if (delay <= 0) this.#sendTrying()
    else this.startTimer('Trying', delay, () => this.#sendTrying())
  }

  #sendTrying(): void {
    if (this.state === 'proceeding' && !this.lastResponse) this.respond(createResponse(this.request, 100))
  }

  respond(response: SipResponse): void {
    const { status } = response
    if (this.state === 'accepted' && status >= 200 && status < 300) {
      this.transmit(response) // the TU's 2xx retransmission (RFC 6026 §7.1)
      return
    }
    if (this.state !== 'proceeding') return
    this.stopTimer('Trying')
    this.lastResponse = response
    this.transmit(response)
    if (status < 200) return
    if (status < 300) {
      this.transition('accepted')
      this.startTimer('L', 64 * this.ctx.timers.t1, () => this.transition('terminated'))
      return
    }
    this.transition('completed')
    if (!this.reliable) this.startTimer('G', this.#interval, () => this.#timerG())
    this.startTimer('H', 64 * this.ctx.timers.t1, () => {
      this.transition('terminated')
      this.user.onFailure?.(new MsrpBotError('SIP_ACK_TIMEOUT', `no ACK came for the ${status} response to INVITE within ${64 * this.ctx.timers.t1} ms (RFC 3261 Timer H)`))
    })
  }

  #timerG(): void {
    if (this.state !== 'completed' || !this.lastResponse) return
    this.transmit(this.lastResponse)
    this.#interval = Math.min(2 * this.#interval, this.ctx.timers.t2)
    this.startTimer('G', this.#interval, () => this.#timerG())
  }

  receiveRequest(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.state !== 'completed') return // confirmed: absorbed; accepted: 2xx ACKs are not ours
      this.stopTimer('G')
      this.stopTimer('H')
      this.transition('confirmed')
      this.onAck?.(request)
      if (this.reliable) this.transition('terminated')
      else this.startTimer('I', this.ctx.timers.t4, () => this.transition('terminated'))
      return
    }
    // A retransmitted INVITE: resend the last provisional (proceeding) or final (completed) response.
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) this.transmit(this.lastResponse)
  }
}
