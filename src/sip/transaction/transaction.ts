import type { SipMessage, SipRequest } from '../message.ts'
import type { Clock, TimerHandle } from '../../clock.ts'
import type { SipTimerSettings } from '../timers.ts'
import { type Destination, type TransportPort, isReliableTransport } from './transport-port.ts'

/** Named states of RFC 3261 §17 (plus RFC 6026 `accepted` for INVITE 2xx). */
export type TransactionState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'confirmed' | 'terminated'

/** Debug logging of transitions; defaults to silence. */
export interface TransactionLogger {
  debug(message: string): void
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
  /** The request that created the transaction. */
  readonly request: SipRequest
  /** Matching key in the transaction layer (§17.1.3, §17.2.3). */
  readonly key: string
  /** Where this transaction's messages go (requests for clients, responses for servers). */
  readonly destination: Destination
  /** Whether the transport is reliable (no retransmissions, §17.1.1.2). */
  readonly reliable: boolean
  protected readonly ctx: TransactionContext
  #state: TransactionState
  readonly #timers = new Map<string, TimerHandle>()
  /** Called once when the transaction reaches `terminated` (the layer forgets it). */
  onTerminated: (() => void) | undefined

  constructor(request: SipRequest, key: string, destination: Destination, initial: TransactionState, ctx: TransactionContext) {
    this.request = request
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

  /** Method of the request (ACK-for-INVITE transactions keep INVITE). */
  get method(): string {
    return this.request.method
  }

  protected transition(next: TransactionState): void {
    if (this.#state === next || this.#state === 'terminated') return
    this.ctx.logger?.debug(`${this.constructor.name} ${this.key}: ${this.#state} -> ${next}`)
    this.#state = next
    if (next === 'terminated') {
      for (const handle of this.#timers.values()) this.ctx.clock.clearTimeout(handle)
      this.#timers.clear()
      this.onTerminated?.()
    }
  }

  /** Starts (or restarts) the named timer. */
  protected startTimer(name: string, ms: number, fire: () => void): void {
    this.stopTimer(name)
    const handle = this.ctx.clock.setTimeout(() => {
      this.#timers.delete(name)
      if (this.#state !== 'terminated') fire()
    }, ms)
    this.#timers.set(name, handle)
  }

  protected stopTimer(name: string): void {
    const handle = this.#timers.get(name)
    if (handle !== undefined) {
      this.ctx.clock.clearTimeout(handle)
      this.#timers.delete(name)
    }
  }

  /** Names of the running timers (for tests and debugging). */
  get runningTimers(): string[] {
    return [...this.#timers.keys()]
  }

  /** Sends a message; a transport failure is reported to {@link onTransportFailure}. */
  protected transmit(message: SipMessage): void {
    this.ctx.port.send(message, this.destination).catch((error: unknown) => {
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
