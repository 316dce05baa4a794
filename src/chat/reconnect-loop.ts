/**
 * A backend's way back after a lost connection: suspend the rooms, wait a backoff, then one
 * attempt (REGISTER, re-join every room, re-watch the contacts), again and again until one
 * succeeds or the backend stops. One loop at a time.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import { MsrpBotError } from '../errors.ts'
import type { BasicLogger } from '../logger.ts'
import type { Backoff } from './backoff.ts'
import type { RoomClient } from './room-client.ts'
import type { StepGuard } from './step-guard.ts'

/** What the reconnect loop needs from its backend (read each time: tests may swap the clock). */
export interface ReconnectingBackend {
  /** The backend's own URI (in log lines). */
  readonly uri: string
  log(): BasicLogger
  clock(): Clock
  backoff(): Backoff
  /** The step guard whose epoch tells whether a SIP connection closed during an attempt. */
  steps(): StepGuard
  /** Whether the backend is still reconnecting (false once online again, stopping or stopped). */
  reconnecting(): boolean
  /** The rooms it holds, to suspend and re-join. */
  rooms(): readonly RoomClient[]
  /** REGISTER again (throws when the registrar refuses or does not answer). */
  register(): Promise<void>
  /** Subscribe again to the contacts watched (failures are logged, not thrown). */
  rewatch(): Promise<void>
  /** The attempt succeeded: the backend is online again (and republishes its presence). */
  backOnline(): Promise<void>
  /** Counts work in flight (for `settled()` in tests). */
  track<T>(work: Promise<T>): Promise<T>
}

/** The reconnect loop of one backend. */
export class ReconnectLoop {
  readonly #backend: ReconnectingBackend
  #running = false
  #timer: unknown
  #wake: (() => void) | undefined

  constructor(backend: ReconnectingBackend) {
    this.#backend = backend
  }

  /** Starts the loop, unless one runs already. */
  start(): void {
    // One loop at a time: a loss while the loop is still finishing (publishing presence after
    // an attempt succeeded) is that loop's to handle; a second loop would tear down the
    // first one's rooms in the middle of its attempts, and both would fail for ever.
    if (this.#running) return
    this.#running = true
    // The SIP stack's timers do not hold the process; a bot that is reconnecting must stay up.
    const keepAlive = setInterval(() => {}, 60_000)
    void this.#backend.track(this.#reconnect()).finally(() => {
      this.#running = false
      clearInterval(keepAlive)
    })
  }

  /** Ends the backoff wait at once (the backend stops; the loop then sees it is not reconnecting). */
  cancelWait(): void {
    if (this.#timer !== undefined) this.#backend.clock().clearTimeout(this.#timer)
    this.#wake?.()
  }

  async #reconnect(): Promise<void> {
    const backend = this.#backend
    while (backend.reconnecting()) {
      await Promise.allSettled(backend.rooms().map((room) => room.suspend()))
      if (!backend.reconnecting()) return
      const backoff = backend.backoff()
      const delay = backoff.next()
      backend.log().debug(`${backend.uri}: reconnecting in ${delay} ms (attempt ${backoff.attempts})`)
      await new Promise<void>((resolve) => {
        this.#wake = resolve
        this.#timer = backend.clock().setTimeout(resolve, delay)
      })
      this.#timer = undefined
      this.#wake = undefined
      if (!backend.reconnecting()) return
      try {
        await this.#attempt()
      } catch (error) {
        backend.log().warn(`${backend.uri}: reconnect attempt ${backend.backoff().attempts} failed: ${(error as Error).message}`)
        continue
      }
      if (!backend.reconnecting()) return
      // Best effort; a connection lost meanwhile puts the state back to reconnecting, and this
      // loop goes round again.
      await backend.backOnline()
    }
  }

  /**
   * One reconnect attempt: REGISTER, re-join every room, re-subscribe the watchers. Each step is
   * bounded (step-guard.ts); a SIP connection that closed at any moment of the attempt fails it
   * even where a step swallowed the loss (the roster and presence are best effort), so the
   * attempt never ends "online" on a dead connection.
   */
  async #attempt(): Promise<void> {
    const backend = this.#backend
    const epoch = backend.steps().epoch
    backend.log().debug(`${backend.uri}: reconnect attempt ${backend.backoff().attempts}: REGISTER`)
    await backend.register()
    for (const room of [...backend.rooms()]) {
      if (!backend.reconnecting()) return
      backend.log().debug(`${backend.uri}: reconnect attempt ${backend.backoff().attempts}: re-joining ${room.uri}`)
      await room.rejoin()
    }
    await backend.rewatch()
    if (backend.steps().epoch !== epoch) {
      throw new MsrpBotError('SIP_CONNECTION_LOST', 'a SIP connection closed during the attempt; starting over')
    }
  }
}
