import type { SipResponse } from '../message.ts'
import { TransactionTimeoutError, TransactionTransportError } from './errors.ts'
import { Transaction } from './transaction.ts'

/** Least time between two "no answer yet" notices of one transaction. */
const NOTICE_INTERVAL_MS = 8000

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

  /** When the first unanswered retransmission was noted; undefined until then. */
  #silentSince: number | undefined
  #lastNotice = 0

  /**
   * Timer A / E fired with no response at all: over UDP nothing else tells the person waiting
   * that the peer is silent, for up to 64*T1 (32 s). Says so at the first retransmission, then
   * every 8 s or more, not per packet.
   */
  protected noteUnansweredRetransmission(): void {
    const now = this.ctx.clock.now()
    const first = this.#silentSince === undefined
    // The first retransmission comes T1 after the request was sent (§17.1.1.2, §17.1.2.2).
    this.#silentSince ??= now - this.ctx.timers.t1
    if (!first && now - this.#lastNotice < NOTICE_INTERVAL_MS) return
    this.#lastNotice = now
    const d = this.destination
    const waited = ((now - this.#silentSince) / 1000).toFixed(1)
    const to = `${this.method} to ${d.host}:${d.port} over ${d.transport}`
    this.ctx.logger?.warn?.(
      first
        ? `${to}: no answer after ${waited} s; retransmitting until ${(64 * this.ctx.timers.t1) / 1000} s (RFC 3261 §17.1). Check that a SIP server runs at that address and answers over ${d.transport}`
        : `${to}: still no answer after ${waited} s; retransmitting`,
    )
  }

  protected timeout(): void {
    this.transition('terminated')
    this.user.onFailure(new TransactionTimeoutError(this.method, 64 * this.ctx.timers.t1))
  }
}
