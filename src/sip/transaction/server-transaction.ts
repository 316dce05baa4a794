import type { SipRequest, SipResponse } from '../message.ts'
import { TransactionTransportError } from './errors.ts'
import { toTagMatches2543 } from './keys.ts'
import { Transaction, type TransactionContext, type TransactionState } from './transaction.ts'
import type { Destination } from './transport-port.ts'
import { MsrpBotError } from '../../errors.ts'

/** What a server transaction reports to its transaction user. */
export interface ServerTransactionUser {
  /** Timer H fired (the ACK never came, §17.2.1) or a response could not be sent (§17.2.4). */
  onFailure?(error: MsrpBotError): void
}

/** The parts of both server transactions the transaction layer and the UA core drive. */
export abstract class ServerTransaction extends Transaction {
  protected readonly user: ServerTransactionUser
  /** The last response sent, resent when the request is retransmitted. */
  lastResponse: SipResponse | undefined

  constructor(request: SipRequest, key: string, destination: Destination, initial: TransactionState, ctx: TransactionContext, user: ServerTransactionUser) {
    super(request, key, destination, initial, ctx)
    this.user = user
  }

  /** Sends a response from the transaction user (TU). Responses after a final one are ignored. */
  abstract respond(response: SipResponse): void

  /** A retransmission of the request (or, for INVITE, the ACK) matched this transaction (§17.2.3). */
  abstract receiveRequest(request: SipRequest): void

  /**
   * Sends a final response once and terminates: no retransmission and no state kept (RFC 3261
   * §8.2.7 stateless UAS). A retransmitted request then starts a new transaction and gets a new
   * answer; the ACK of a non-2xx answered this way is absorbed by the UA core as a stray ACK.
   */
  respondStateless(response: SipResponse): void {
    if (this.finalSent || this.state === 'terminated') return
    this.lastResponse = response
    this.transmit(response)
    this.terminate()
  }

  /** Whether a final response has been sent. */
  get finalSent(): boolean {
    return this.lastResponse !== undefined && this.lastResponse.status >= 200
  }

  /**
   * For a transaction keyed the RFC 2543 way: whether `incoming` (same key) belongs to it by
   * its To tag (§17.2.3).
   */
  matchesRfc2543(incoming: SipRequest): boolean {
    return toTagMatches2543(incoming, this.request, this.lastResponse)
  }

  protected override onTransportFailure(error: unknown): void {
    this.transition('terminated')
    this.user.onFailure?.(new TransactionTransportError(`response to ${this.method}`, error))
  }
}
