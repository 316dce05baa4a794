import type { SipResponse } from '../message.ts'
import { TransactionTimeoutError, TransactionTransportError } from './errors.ts'
import { Transaction } from './transaction.ts'

/** What a client transaction reports to its transaction user (the UA core). */
export interface ClientTransactionUser {
  /** A provisional or final response to pass up (retransmissions absorbed by the transaction are not). */
  onResponse(response: SipResponse): void
  /** No final response in time (Timer B / F), or the transport failed: act as 408 / 503. */
  onFailure(error: TransactionTimeoutError | TransactionTransportError): void
}

/** The parts of both client transactions the transaction layer drives. */
export abstract class ClientTransaction extends Transaction {
  protected abstract readonly user: ClientTransactionUser

  /** Starts the transaction: sends the request and arms the timers. */
  abstract start(): void

  /** A response matched this transaction (§17.1.3). */
  abstract receiveResponse(response: SipResponse): void

  protected override onTransportFailure(error: unknown): void {
    this.transition('terminated')
    this.user.onFailure(new TransactionTransportError(this.method, error))
  }

  protected timeout(): void {
    this.transition('terminated')
    this.user.onFailure(new TransactionTimeoutError(this.method, 64 * this.ctx.timers.t1))
  }
}
