import { SipHeaders } from '../header-list.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts'
import type { TransactionContext } from './transaction.ts'
import type { Destination } from './transport-port.ts'

/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5, with RFC 6026's `accepted` state):
 * calling → proceeding → completed (non-2xx: ACK sent here, Timer D) or accepted (2xx: the TU
 * ACKs; Timer M lets retransmitted 2xx reach it) → terminated. Timer A retransmits the INVITE
 * on unreliable transports (T1, doubling — no T2 cap for INVITE), Timer B (64*T1) times out a
 * request that got no response at all; once proceeding only a sent CANCEL bounds the wait (§9.1).
 */
export class InviteClientTransaction extends ClientTransaction {
  protected readonly user: ClientTransactionUser
  #interval: number
  #ack: SipRequest | undefined
  /** Whether a provisional response has arrived (CANCEL may only be sent after one, §9.1). */
  provisionalReceived = false

  constructor(request: SipRequest, key: string, destination: Destination, user: ClientTransactionUser, ctx: TransactionContext) {
    super(request, key, destination, 'calling', ctx)
    this.user = user
    this.#interval = ctx.timers.t1
  }

  start(): void {
    this.transmit(this.request)
    if (!this.reliable) this.startTimer('A', this.#interval, () => this.#timerA())
    this.startTimer('B', 64 * this.ctx.timers.t1, () => this.timeout())
  }

  #timerA(): void {
    if (this.state !== 'calling') return
    this.noteUnansweredRetransmission()
    this.transmit(this.request)
    this.#interval *= 2
    this.startTimer('A', this.#interval, () => this.#timerA())
  }

  /**
   * A CANCEL for this INVITE was sent: without a final response within 64*T1 the INVITE is
   * given up (RFC 3261 §9.1) and its user gets a timeout.
   */
  cancelSent(): void {
    if (this.state === 'calling' || this.state === 'proceeding') this.startTimer('Cancel', 64 * this.ctx.timers.t1, () => this.timeout())
  }

  receiveResponse(response: SipResponse): void {
    const { status } = response
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.stopTimer('A')
        if (status >= 200) this.stopTimer('Cancel')
        if (status < 200) {
          this.provisionalReceived = true
          // Timer B only guards the calling state (§17.1.1.2): a ringing INVITE may last.
          this.stopTimer('B')
          this.transition('proceeding')
          this.user.onResponse(response)
        } else if (status < 300) {
          this.stopTimer('B')
          this.transition('accepted')
          this.startTimer('M', 64 * this.ctx.timers.t1, () => this.transition('terminated'))
          this.user.onResponse(response)
        } else {
          this.stopTimer('B')
          this.#ack = buildAckForNonSuccess(this.request, response)
          this.transmit(this.#ack)
          this.transition('completed')
          this.user.onResponse(response)
          // Timer D: at least 32 s on unreliable transports, 0 on reliable ones (§17.1.1.2).
          if (this.reliable) this.transition('terminated')
          else this.startTimer('D', Math.max(32000, 64 * this.ctx.timers.t1), () => this.transition('terminated'))
        }
        break
      case 'completed':
        // A retransmitted final response: ACK again, do not pass up (§17.1.1.2).
        if (status >= 300 && this.#ack) this.transmit(this.#ack)
        break
      case 'accepted':
        // RFC 6026 §8.4: further 2xx go to the TU, which ACKs each.
        if (status >= 200 && status < 300) this.user.onResponse(response)
        break
      default:
        break
    }
  }
}

/**
 * The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI, Call-ID, From,
 * CSeq number and top Via (same branch) as the INVITE, To from the response (with its tag),
 * the INVITE's Route headers, CSeq method ACK, no body.
 */
export function buildAckForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const h = new SipHeaders()
  const topVia = invite.headers.getList('Via')[0]
  if (topVia !== undefined) h.append('Via', topVia)
  h.append('Max-Forwards', invite.headers.get('Max-Forwards') ?? '70')
  for (const route of invite.headers.getAllLines('Route')) h.append('Route', route)
  const from = invite.headers.get('From')
  if (from !== undefined) h.append('From', from)
  const to = response.headers.get('To') ?? invite.headers.get('To')
  if (to !== undefined) h.append('To', to)
  const callId = invite.headers.get('Call-ID')
  if (callId !== undefined) h.append('Call-ID', callId)
  const seq = (invite.headers.get('CSeq') ?? '0').trim().split(/\s+/)[0] ?? '0'
  h.append('CSeq', `${seq} ACK`)
  h.append('Content-Length', '0')
  return { kind: 'request', method: 'ACK', uri: invite.uri, version: 'SIP/2.0', headers: h, body: Buffer.alloc(0) }
}
