/**
 * The loop breaker: stops a bot from answering another participant over and over when no person
 * speaks, so two bots in a room cannot talk to each other forever.
 *
 * Known bots are handled before this (the bot ignores public messages from participants the
 * roster marks as automata, `ignoreBots`). The guard covers servers that cannot say who is a bot:
 * per room, it counts the bot's public answers to each participant. After `maxAnswers` answers to
 * one participant within `windowMs` the bot stops answering that participant until the oldest
 * answer leaves the window, or until a person speaks: a participant the roster marks as a person
 * (not an automaton), which resets every count in that room.
 *
 * @module
 */

/** Loop-breaker settings (`createBot(config)`'s `loopGuard`). */
export interface LoopGuardSettings {
  /** Answers to one participant allowed within the window (default 5). */
  maxAnswers: number
  /** The window in milliseconds (default 60,000). */
  windowMs: number
}

/** The most (room, participant) pairs tracked at once; the least recently seen are forgotten. */
const MAX_TRACKED = 10_000

/** Counts answers per room and participant; see the module comment for the rule. */
export class LoopGuard {
  readonly #settings: LoopGuardSettings
  readonly #answers = new Map<string, number[]>()

  constructor(settings: LoopGuardSettings) {
    this.#settings = settings
  }

  /**
   * Whether the bot may answer a public message from `sender` in `room` at `now`. A message
   * from a known person (`isPerson`) resets the room's counts and is always allowed.
   */
  allows(room: string, sender: string, now: number, isPerson: boolean): boolean {
    if (isPerson) {
      const prefix = `${room} `
      for (const key of [...this.#answers.keys()]) if (key.startsWith(prefix)) this.#answers.delete(key)
      return true
    }
    return this.#recent(`${room} ${sender}`, now).length < this.#settings.maxAnswers
  }

  /** Records that the bot answered `sender` in `room` at `now`. */
  answered(room: string, sender: string, now: number): void {
    const key = `${room} ${sender}`
    const times = this.#recent(key, now)
    times.push(now)
    this.#answers.delete(key)
    this.#answers.set(key, times)
    while (this.#answers.size > MAX_TRACKED) this.#answers.delete(this.#answers.keys().next().value as string)
  }

  #recent(key: string, now: number): number[] {
    return (this.#answers.get(key) ?? []).filter((t) => now - t < this.#settings.windowMs)
  }
}
