/**
 * A room's own re-join while signalling is up (its MSRP session broke, or the focus said the
 * media failed): one timer, then a backoff for as long as re-joining fails.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import type { BasicLogger } from '../logger.ts'
import type { Backoff } from './backoff.ts'

/** What a {@link RejoinSchedule} needs from its room and the room's host. */
export interface RejoiningRoom {
  readonly uri: string
  readonly clock: Clock
  readonly log: BasicLogger
  /** Whether signalling is up (false while reconnecting). */
  online(): boolean
  /** Whether the room still waits to re-join. */
  suspended(): boolean
  /** Enters the room again. */
  rejoin(): Promise<void>
  /** Counts work in flight (for `settled()` in tests). */
  track(work: Promise<void>): void
  /** A fresh reconnect backoff. */
  newBackoff(): Backoff
}

/** The pending re-join of one room (at most one), and the backoff between failed ones. */
export class RejoinSchedule {
  readonly #room: RejoiningRoom
  /** A re-join scheduled, with what ends its wait. */
  #pending: { timer: unknown; release: () => void } | undefined
  #backoff: Backoff | undefined

  constructor(room: RejoiningRoom) {
    this.#room = room
  }

  /**
   * Re-joins after `delayMs` while signalling is up, and again after a backoff for as long as
   * that fails for a reason that may pass (a room closed or a removal ends it). A lost SIP
   * connection hands over to the backend's reconnect, which suspends the room and cancels this.
   * The wait counts as work in flight, so a test's `settled()` waits for the room to be back.
   */
  schedule(delayMs: number): void {
    const room = this.#room
    this.cancel()
    let release!: () => void
    const waiting = new Promise<void>((resolve) => (release = resolve))
    const timer = room.clock.setTimeout(() => {
      this.#pending = undefined
      release()
      if (!room.suspended() || !room.online()) return
      room.track(
        room.rejoin().catch((error: unknown) => {
          if (!room.suspended() || !room.online()) return
          this.#backoff ??= room.newBackoff()
          const delay = this.#backoff.next()
          room.log.warn(`room ${room.uri}: re-join failed (${(error as Error).message}); trying again in ${delay} ms`)
          this.schedule(delay)
        }),
      )
    }, delayMs)
    this.#pending = { timer, release }
    room.track(waiting)
  }

  /** Cancels the pending re-join, if any. */
  cancel(): void {
    const pending = this.#pending
    if (pending === undefined) return
    this.#pending = undefined
    this.#room.clock.clearTimeout(pending.timer)
    pending.release()
  }

  /** The room is back: the next failure starts the backoff from its first step. */
  joined(): void {
    this.#backoff?.reset()
  }
}
