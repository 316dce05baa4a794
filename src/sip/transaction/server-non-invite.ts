import type { SipRequest, SipResponse } from '../message.ts'
import { ServerTransaction, type ServerTransactionUser } from './server-transaction.ts'
import type { TransactionContext } from './transaction.ts'
import type { Destination } from './transport-port.ts'

/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8): trying → proceeding → completed
 * → terminated. Retransmitted requests get the last response again; Timer J (64*T1, 0 when
 * reliable) keeps the final response around for them.
 */
export class NonInviteServerTransaction extends ServerTransaction {
  constructor(request: SipRequest, key: string, destination: Destination, ctx: TransactionContext, user: ServerTransactionUser = {}) {
    super(request, key, destination, 'trying', ctx, user)
  }

  respond(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    this.lastResponse = response
    this.transmit(response)
    if (response.status < 200) {
      this.transition('proceeding')
      return
    }
    this.transition('completed')
    if (this.reliable) this.transition('terminated')
    else this.startTimer('J', 64 * this.ctx.timers.t1, () => this.transition('terminated'))
  }

  receiveRequest(_request: SipRequest): void {
    // Trying: nothing to resend yet (§17.2.2). Proceeding / completed: resend the last response.
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) this.transmit(this.lastResponse)
  }
}
