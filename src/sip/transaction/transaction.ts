import type { SipMessage, SipRequest } from '../message.ts'
import type { Clock, TimerHandle } from '../../clock.ts'
import type { SipTimerSettings } from '../timers.ts'
import { MsrpBotError } from '../../errors.ts'
import { type Destination, type TransportPort, isReliableTransport } from './transport-port.ts'

/** Named states of RFC 3261 §17 (plus RFC 6026 `accepted` for INVITE 2xx). */
export type TransactionState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'confirmed' | 'terminated'

/** The RFC 3261 and extension methods, as shared string constants. */
const METHODS = new Map(
  ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE', 'UPDATE', 'INFO', 'REFER', 'PRACK', 'PUBLISH'].map(
    (m) => [m, m] as const,
  ),
)

/** Whoever tracks live transactions (the transaction layer): forgets one once it terminated. */
export interface TransactionRegistry {
  forget(transaction: Transaction): void
}

/** Debug logging of transitions; defaults to silence. */
export interface TransactionLogger {
  debug(message: string): void
  /** What a person waiting should see: a request that gets no answer at all (retransmissions). */
  warn?(message: string): void
}

/** What every transaction is created with. */
export interface TransactionContext {
  readonly port: TransportPort
  readonly clock: Clock
  readonly timers: SipTimerSettings
  readonly logger?: TransactionLogger
}

/**
 * Shared machinery of the four RFC 3261 §17 state machines: named state, named timers on an
 * injectable clock, sending through the transport port.
 */
export abstract class Transaction {
  #request: SipRequest | undefined
  /** Method of the request (ACK-for-INVITE transactions keep INVITE); kept after the request is released. */
  readonly method: string
  /** Matching key in the transaction layer (§17.1.3, §17.2.3). */
  readonly key: string
  /** Where this transaction's messages go (requests for clients, responses for servers). */
  readonly destination: Destination
  /** Whether the transport is reliable (no retransmissions, §17.1.1.2). */
  readonly reliable: boolean
  protected readonly ctx: TransactionContext
  #state: TransactionState
  /** Created on the first timer: a held UDP non-INVITE server transaction never starts one. */
  #timers: Map<string, TimerHandle> | undefined
  /** Called once when the transaction reaches `terminated`. */
  onTerminated: (() => void) | undefined
  /**
   * The transaction layer's registry, told first when the transaction terminates: one object
   * shared by all transactions rather than a closure (and its scope) per transaction.
   */
  registry: TransactionRegistry | undefined

  constructor(request: SipRequest, key: string, destination: Destination, initial: TransactionState, ctx: TransactionContext) {
    this.#request = request
    // Each transaction would otherwise keep its own copy of the method string.
    this.method = METHODS.get(request.method) ?? request.method
    this.key = key
    this.destination = destination
    this.ctx = ctx
    this.reliable = isReliableTransport(ctx.port, destination.transport)
    this.#state = initial
  }

  /** Current state. */
  get state(): TransactionState {
    return this.#state
  }

  /**
   * The request that created the transaction. A UDP non-INVITE server transaction releases it
   * once its final response is sent (Completed only answers retransmissions, RFC 3261
   * §17.2.2); reading it then throws SIP_TRANSACTION_RELEASED.
   */
  get request(): SipRequest {
    if (this.#request === undefined) {
      throw new MsrpBotError(
        'SIP_TRANSACTION_RELEASED',
        `the ${this.method} request of transaction ${this.key} was released once its final response went out; keep the request from the IncomingRequest instead`,
      )
    }
    return this.#request
  }

  /** Whether {@link request} is still held. */
  get holdsRequest(): boolean {
    return this.#request !== undefined
  }

  /** Drops the request (memory held in Completed, see {@link request}). */
  protected releaseRequest(): void {
    this.#request = undefined
  }

  protected transition(next: TransactionState): void {
    if (this.#state === next || this.#state === 'terminated') return
    this.ctx.logger?.debug(`${this.constructor.name} ${this.key}: ${this.#state} -> ${next}`)
    this.#state = next
    if (next === 'terminated') {
      for (const handle of this.#timers?.values() ?? []) this.ctx.clock.clearTimeout(handle)
      this.#timers = undefined
      this.registry?.forget(this)
      this.onTerminated?.()
    }
  }

  /** Starts (or restarts) the named timer. */
  protected startTimer(name: string, ms: number, fire: () => void): void {
    this.stopTimer(name)
    const handle = this.ctx.clock.setTimeout(() => {
      this.#timers?.delete(name)
      if (this.#state !== 'terminated') fire()
    }, ms)
    ;(this.#timers ??= new Map()).set(name, handle)
  }

  protected stopTimer(name: string): void {
    const handle = this.#timers?.get(name)
    if (handle !== undefined) {
      this.ctx.clock.clearTimeout(handle)
      this.#timers?.delete(name)
    }
  }

  /** Names of the running timers (for tests and debugging). */
  get runningTimers(): string[] {
    return [...(this.#timers?.keys() ?? [])]
  }

  /** Sends a message; a transport failure is reported to {@link onTransportFailure}. */
  protected transmit(message: SipMessage): void {
    this.ctx.port.send(message, this.destination).catch((error: unknown) => {
      if (this.#state !== 'terminated') this.onTransportFailure(error)
    })
  }

  /** Sends bytes serialized earlier (retransmissions of a kept response); needs `port.sendBytes`. */
  protected transmitBytes(bytes: Buffer): void {
    const send = this.ctx.port.sendBytes
    if (send === undefined) return
    send.call(this.ctx.port, bytes, this.destination).catch((error: unknown) => {
      if (this.#state !== 'terminated') this.onTransportFailure(error)
    })
  }

  /** RFC 3261 §17.1.4 / §17.2.4: the transport failed; the subclass informs its user and terminates. */
  protected abstract onTransportFailure(error: unknown): void

  /** Ends the transaction now (e.g. the UA core shutting down). */
  terminate(): void {
    this.transition('terminated')
  }
}
