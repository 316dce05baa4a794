import type { SipRequest, SipResponse } from '../message.ts'
import { readTopVia } from '../headers/via.ts'
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts'
import { InviteClientTransaction } from './client-invite.ts'
import { NonInviteClientTransaction } from './client-non-invite.ts'
import { clientKey, clientKeyOfResponse, isRfc2543Key, serverKey, toTagMatches2543 } from './keys.ts'
import { InviteServerTransaction, type InviteServerOptions } from './server-invite.ts'
import { NonInviteServerTransaction } from './server-non-invite.ts'
import type { ServerTransaction, ServerTransactionUser } from './server-transaction.ts'
import type { TransactionContext, TransactionRegistry } from './transaction.ts'
import type { Destination } from './transport-port.ts'
import { MsrpBotError } from '../../errors.ts'

/**
 * Holds the live transactions and matches messages to them (RFC 3261 §17.1.3, §17.2.3).
 * The UA core sits above it; a terminated transaction removes itself.
 */
export class TransactionLayer {
  readonly #ctx: TransactionContext
  readonly #serverOptions: InviteServerOptions
  readonly #clients = new Map<string, ClientTransaction>()
  readonly #servers = new Map<string, ServerTransaction>()
  /** Forgets a terminated server transaction (shared by all: no closure per transaction). */
  readonly #serverRegistry: TransactionRegistry = {
    forget: (tx) => {
      if (this.#servers.get(tx.key) === tx) this.#servers.delete(tx.key)
    },
  }

  constructor(ctx: TransactionContext, serverOptions: InviteServerOptions = {}) {
    this.#ctx = ctx
    this.#serverOptions = serverOptions
  }

  /** The context (clock, timers, port) transactions run with. */
  get context(): TransactionContext {
    return this.#ctx
  }

  /** Live client and server transactions. */
  get size(): { clients: number; servers: number } {
    return { clients: this.#clients.size, servers: this.#servers.size }
  }

  /**
   * Starts a client transaction for `request`, whose top Via must carry a unique RFC 3261
   * branch. INVITE gets the §17.1.1 machine, every other method but ACK the §17.1.2 one.
   */
  sendRequest(request: SipRequest, destination: Destination, user: ClientTransactionUser): ClientTransaction {
    if (request.method === 'ACK') throw new MsrpBotError('SIP_ACK_NOT_A_TRANSACTION', 'ACK is sent without a client transaction (RFC 3261 §17.1.1.3); use the transport directly')
    const branch = readTopVia(request.headers).branch
    if (branch === undefined) throw new MsrpBotError('SIP_NO_BRANCH', 'a client request needs a Via branch (RFC 3261 §8.1.1.7)')
    const key = clientKey(branch, request.method)
    if (this.#clients.has(key)) throw new MsrpBotError('SIP_DUPLICATE_BRANCH', `a client transaction with branch ${branch} already exists; branches must be unique`)
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(request, key, destination, user, this.#ctx)
        : new NonInviteClientTransaction(request, key, destination, user, this.#ctx)
    this.#clients.set(key, tx)
    tx.onTerminated = () => this.#clients.delete(key)
    tx.start()
    return tx
  }

  /** Finds the client transaction a response belongs to, if any. */
  findClient(response: SipResponse): ClientTransaction | undefined {
    const key = clientKeyOfResponse(response)
    return key === undefined ? undefined : this.#clients.get(key)
  }

  /** The client transaction with this key (see `clientKey`), if alive. */
  findClientByKey(key: string): ClientTransaction | undefined {
    return this.#clients.get(key)
  }

  /** Passes a response to its client transaction; false when none matches (a stray response, §18.1.2). */
  receiveResponse(response: SipResponse): boolean {
    const tx = this.findClient(response)
    if (!tx) return false
    tx.receiveResponse(response)
    return true
  }

  /** Finds the server transaction a request (retransmission or ACK) belongs to (§17.2.3). */
  findServer(request: SipRequest): ServerTransaction | undefined {
    const tx = this.#servers.get(serverKey(request))
    if (tx && isRfc2543Key(tx.key) && !tx.matchesRfc2543(request)) return undefined
    return tx
  }

  /** The INVITE server transaction a CANCEL targets (§9.2), if it exists. */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.#servers.get(serverKey(cancel, 'INVITE'))
    if (!(tx instanceof InviteServerTransaction)) return undefined
    if (isRfc2543Key(tx.key) && !toTagMatches2543({ ...cancel, method: 'INVITE' }, tx.request, undefined)) return undefined
    return tx
  }

  /** Creates the server transaction for a new request (not ACK); responses go to `destination`. */
  createServer(request: SipRequest, destination: Destination, user: ServerTransactionUser = {}): ServerTransaction {
    if (request.method === 'ACK') throw new MsrpBotError('SIP_ACK_NOT_A_TRANSACTION', 'an ACK never creates a server transaction (RFC 3261 §17.2.3)')
    const key = serverKey(request)
    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(request, key, destination, this.#ctx, user, this.#serverOptions)
        : new NonInviteServerTransaction(request, key, destination, this.#ctx, user)
    this.#servers.set(key, tx)
    tx.registry = this.#serverRegistry
    return tx
  }

  /** Terminates every transaction (shutdown). */
  close(): void {
    for (const tx of [...this.#clients.values(), ...this.#servers.values()]) tx.terminate()
  }
}
