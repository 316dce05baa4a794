/**
 * The backend's events on their way to its listeners: one queue, delivered one event at a time
 * in order, each listener awaited (inbound backpressure). An invitation nobody answered is
 * declined once delivered.
 *
 * @module
 */
import type { BackendEvent, BackendListener } from './backend.ts'
import type { InFlight } from './in-flight.ts'

/** The ordered event queue of one backend and its listeners. */
export class EventQueue {
  readonly #listeners = new Set<BackendListener>()
  readonly #queue: BackendEvent[] = []
  #pumping = false
  readonly #inFlight: InFlight
  readonly #warn: (message: string) => void

  /** `inFlight` counts delivery as work; `warn` is told of a listener that threw. */
  constructor(inFlight: InFlight, warn: (message: string) => void) {
    this.#inFlight = inFlight
    this.#warn = warn
  }

  /** Events waiting for delivery. */
  get length(): number {
    return this.#queue.length
  }

  /** Listeners subscribed now. */
  get listenerCount(): number {
    return this.#listeners.size
  }

  /** Adds a listener; returns its unsubscribe. */
  subscribe(listener: BackendListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Queues an event (delivered by {@link deliver}). */
  push(event: BackendEvent): void {
    this.#queue.push(event)
  }

  /** Starts delivering the queue unless that is under way. */
  deliver(): void {
    if (!this.#pumping) void this.#pump()
  }

  /** Delivers events one at a time, in order, awaiting each listener (inbound backpressure). */
  async #pump(): Promise<void> {
    this.#pumping = true
    this.#inFlight.begin()
    try {
      for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
        for (const listener of [...this.#listeners]) {
          try {
            await listener(event)
          } catch (error) {
            this.#warn(`an event listener threw: ${String(error)}`)
          }
        }
        // An invitation nobody answered does not ring on (InvitationEvent: 603 Decline).
        if (event.type === 'invitation' && !event.invitation.answered) event.invitation.decline()
      }
    } finally {
      this.#pumping = false
      this.#inFlight.end()
    }
  }
}
