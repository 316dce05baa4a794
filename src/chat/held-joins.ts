/**
 * Joins held for their nickname: RFC 7701 joins come in two steps (the INVITE adds a
 * participant without a nickname, the NICKNAME request names it a moment later), so a room
 * holds a nameless join briefly and tells the bot one `join` with the nickname.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import { identityKeyOrText } from '../rooms/identity.ts'
import type { BackendEvent, Participant } from './backend.ts'
import type { RosterChange } from './room-roster.ts'

/** What {@link HeldJoins} needs from its room. */
export interface HeldJoinsRoom {
  /** The room's URI, put on every event. */
  readonly uri: string
  readonly clock: Clock
  /** How long a join without a nickname is held (0: not held). */
  readonly waitMs: number
  /** Counts a hold as work in flight (for `settled()` in tests). */
  track(work: Promise<void>): void
  /** The participant as the roster has it now. */
  find(uri: string): Participant | undefined
  /** Passes an event on to the bot (in order). */
  emit(event: BackendEvent): void
}

/** The nameless joins of one room waiting for their nickname, keyed by identity. */
export class HeldJoins {
  readonly #room: HeldJoinsRoom
  readonly #held = new Map<string, { timer: unknown; release: () => void }>()

  constructor(room: HeldJoinsRoom) {
    this.#room = room
  }

  /**
   * Passes a roster change on. A join without a nickname is held until the nickname comes
   * (then one `join` with it, no `nickname` event), the participant leaves (then nothing), or
   * `waitMs` passes (then the bare `join`).
   */
  change(change: RosterChange): void {
    const room = this.#room
    const key = identityKeyOrText(change.participant.uri)
    const held = this.#held.get(key)
    if (change.type === 'join' && change.participant.nickname === undefined && room.waitMs > 0) {
      let release!: () => void
      const settledHold = new Promise<void>((resolve) => (release = resolve))
      const timer = room.clock.setTimeout(() => {
        this.#held.delete(key)
        release()
        room.emit({ ...change, room: room.uri })
      }, room.waitMs)
      this.#held.set(key, { timer, release })
      room.track(settledHold)
      return
    }
    if (held !== undefined) {
      room.clock.clearTimeout(held.timer)
      this.#held.delete(key)
      held.release()
      if (change.type === 'nickname') room.emit({ type: 'join', room: room.uri, participant: change.participant })
      if (change.type === 'join') room.emit({ ...change, room: room.uri })
      return
    }
    room.emit({ ...change, room: room.uri })
  }

  /** Someone who speaks before naming themselves: their held join goes out now (order first). */
  flush(uri: string): void {
    const room = this.#room
    const key = identityKeyOrText(uri)
    const held = this.#held.get(key)
    if (held === undefined) return
    room.clock.clearTimeout(held.timer)
    this.#held.delete(key)
    held.release()
    const participant = room.find(uri)
    if (participant !== undefined) room.emit({ type: 'join', room: room.uri, participant })
  }

  /** Forgets every held join without telling (the session ended). */
  drop(): void {
    for (const held of this.#held.values()) {
      this.#room.clock.clearTimeout(held.timer)
      held.release()
    }
    this.#held.clear()
  }
}
