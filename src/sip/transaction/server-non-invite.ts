import type { SipRequest, SipResponse } from '../message.ts'
import { serializeSipMessage } from '../serializer.ts'
import { type ExpiryQueue, expiryQueueFor } from './expiry-queue.ts'
import { isRfc2543Key, toTagOf } from './keys.ts'
import { ServerTransaction, type ServerTransactionUser } from './server-transaction.ts'
import type { TransactionContext } from './transaction.ts'
import type { Destination } from './transport-port.ts'

/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8): trying → proceeding → completed
 * → terminated. Retransmitted requests get the last response again; Timer J (64*T1, 0 when
 * reliable) keeps the final response around for them.
 *
 * Completed on UDP lasts 32 s, so it holds only what answering retransmissions needs: the key,
 * the destination and the final response's bytes (when the port has `sendBytes`; else the
 * response). The request and the parsed response are released, and Timer J is an entry in a
 * shared {@link ExpiryQueue} rather than a timer of its own (so it is not in `runningTimers`):
 * a few hundred bytes per transaction instead of several KB (docs/performance.md).
 */
export class NonInviteServerTransaction extends ServerTransaction {
  /**
   * The final response's bytes as sent, one character per byte (latin1): resent to
   * retransmissions in Completed. A string is stored in the heap at one byte per byte, where a
   * small Buffer would pin a shared 8 KB pool slab.
   */
  #finalBytes: string | undefined
  /** RFC 2543 keys only: the request's To tag, compared with retransmissions' (§17.2.3). */
  #toTag2543: string | undefined

  constructor(request: SipRequest, key: string, destination: Destination, ctx: TransactionContext, user: ServerTransactionUser = {}) {
    super(request, key, destination, 'trying', ctx, user)
  }

  override get finalSent(): boolean {
    return this.#finalBytes !== undefined || super.finalSent
  }

  respond(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    if (response.status < 200) {
      this.lastResponse = response
      this.transmit(response)
      this.transition('proceeding')
      return
    }
    if (this.reliable) {
      this.lastResponse = response
      this.transmit(response)
      this.transition('completed')
      this.transition('terminated')
      return
    }
    if (isRfc2543Key(this.key)) this.#toTag2543 = toTagOf(this.request)
    if (this.ctx.port.sendBytes !== undefined) {
      // Serialized once: the first send and every resend are the same bytes.
      const bytes = serializeSipMessage(response)
      this.#finalBytes = bytes.toString('latin1')
      this.lastResponse = undefined
      this.transmitBytes(bytes)
    } else {
      this.lastResponse = response
      this.transmit(response)
    }
    this.transition('completed')
    this.releaseRequest()
    // Timer J: one shared FIFO per clock instead of a timer per transaction (expiry-queue.ts).
    expiryQueueFor(this.ctx.clock, 64 * this.ctx.timers.t1).add(this)
  }

  receiveRequest(_request: SipRequest): void {
    // Trying: nothing to resend yet (§17.2.2). Proceeding / completed: resend the last response.
    if (this.state !== 'proceeding' && this.state !== 'completed') return
    if (this.#finalBytes !== undefined) this.transmitBytes(Buffer.from(this.#finalBytes, 'latin1'))
    else if (this.lastResponse) this.transmit(this.lastResponse)
  }

  override matchesRfc2543(incoming: SipRequest): boolean {
    // A non-INVITE transaction never sees an ACK (ACK keys name INVITE), so only the To tag counts.
    return this.holdsRequest ? super.matchesRfc2543(incoming) : toTagOf(incoming) === this.#toTag2543
  }
}
