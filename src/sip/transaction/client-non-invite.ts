import type { SipRequest, SipResponse } from '../message.ts'
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts'
import type { TransactionContext } from './transaction.ts'
import type { Destination } from './transport-port.ts'

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): trying → proceeding → completed
 * → terminated. Timer E retransmits on unreliable transports (T1 doubling up to T2; T2 once
 * proceeding), Timer F (64*T1) times out, Timer K (T4, 0 if reliable) absorbs retransmissions.
 */
export class NonInviteClientTransaction extends ClientTransaction {
  protected readonly user: ClientTransactionUser
  #interval: number

  constructor(request: SipRequest, key: string, destination: Destination, user: ClientTransactionUser, ctx: TransactionContext) {
    super(request, key, destination, 'trying', ctx)
    this.user = user
    this.#interval = ctx.timers.t1
  }

  start(): void {
    this.transmit(this.request)
    if (!this.reliable) this.startTimer('E', this.#interval, () => this.#timerE())
    this.startTimer('F', 64 * this.ctx.timers.t1, () => this.timeout())
  }

  #timerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    if (this.state === 'trying') this.noteUnansweredRetransmission()
    this.transmit(this.request)
    // §17.1.2.2: doubling up to T2 while trying; every T2 once a provisional arrived.
    this.#interval = this.state === 'trying' ? Math.min(2 * this.#interval, this.ctx.timers.t2) : this.ctx.timers.t2
    this.startTimer('E', this.#interval, () => this.#timerE())
  }

  receiveResponse(response: SipResponse): void {
    const state = this.state
    if (state !== 'trying' && state !== 'proceeding') return // completed: retransmission absorbed
    if (response.status < 200) {
      this.transition('proceeding')
      this.user.onResponse(response)
      return
    }
    this.stopTimer('E')
    this.stopTimer('F')
    this.transition('completed')
    this.user.onResponse(response)
    if (this.reliable) this.transition('terminated')
    else this.startTimer('K', this.ctx.timers.t4, () => this.transition('terminated'))
  }
}
