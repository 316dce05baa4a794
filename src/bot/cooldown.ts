/**
 * Per-person cooldowns: `cooldown({ limit, windowMs })` lets each person through at most
 * `limit` times within `windowMs` (per room, by default); the rest go to `onLimited` or are
 * dropped. Put it in front of a command or handler:
 *
 * ```ts
 * bot.command('stats', 'show the room statistics', cooldown({ limit: 1, windowMs: 10_000 }), showStats)
 * ```
 *
 * @module
 */
import { addressKey } from './address.ts'
import type { Clock } from '../clock.ts'
import type { MiddlewareFn } from './composer.ts'
import type { Context } from './context.ts'

/** Options for {@link cooldown}. */
export interface CooldownOptions<C extends Context = Context> {
  /** How many updates one person may pass within the window (default 1). */
  limit?: number | undefined
  /** The window in milliseconds. */
  windowMs: number
  /**
   * Whose count an update adds to. Default: the sender in the room (`room sender`); return
   * `ctx.sender.uri` for one count across rooms. Updates without a sender (joins, notices) are
   * counted under the participant they concern, or pass unlimited when there is none.
   */
  key?: ((ctx: C) => string | undefined) | undefined
  /** Called for updates over the limit (e.g. to say "wait a little"); default: dropped silently. */
  onLimited?: ((ctx: C, retryAfterMs: number) => unknown) | undefined
  /** How many people are tracked at once (default 10,000); the least recently seen go first. */
  maxKeys?: number | undefined
  /** The clock (default: the bot's, from `ctx.clock`). */
  clock?: Clock | undefined
}

/**
 * Sliding-window counts per key, bounded to `maxKeys` keys. The building block of
 * {@link cooldown}; also usable on its own (the moderator's flood detection).
 */
export class RateWindow {
  readonly #limit: number
  readonly #windowMs: number
  readonly #maxKeys: number
  readonly #hits = new Map<string, number[]>()

  /**
   * @throws RangeError for a limit below 1, a window not above 0 or maxKeys below 1.
   */
  constructor(limit: number, windowMs: number, maxKeys = 10_000) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`a rate limit needs a whole number of times >= 1, got ${limit}`)
    if (!(Number.isFinite(windowMs) && windowMs > 0)) throw new RangeError(`a rate window needs a positive number of milliseconds, got ${windowMs}`)
    if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) throw new RangeError(`maxKeys must be a whole number >= 1, got ${maxKeys}`)
    this.#limit = limit
    this.#windowMs = windowMs
    this.#maxKeys = maxKeys
  }

  /**
   * Counts one hit for `key` at `now` if it is within the limit. Returns 0 when it was, else
   * how many ms until the key may pass again (the hit is then not counted).
   */
  hit(key: string, now: number): number {
    const times = (this.#hits.get(key) ?? []).filter((t) => now - t < this.#windowMs)
    this.#hits.delete(key) // re-inserted below: Map order is least recently seen first
    if (times.length >= this.#limit) {
      this.#hits.set(key, times)
      return Math.max(1, (times[0] as number) + this.#windowMs - now)
    }
    times.push(now)
    this.#hits.set(key, times)
    while (this.#hits.size > this.#maxKeys) this.#hits.delete(this.#hits.keys().next().value as string)
    return 0
  }

  /** Forgets a key's hits. */
  reset(key: string): void {
    this.#hits.delete(key)
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.#hits.size
  }
}

function defaultKey(ctx: Context): string | undefined {
  const who = ctx.sender?.uri ?? ctx.participant?.uri
  if (who === undefined) return undefined
  return `${ctx.room === undefined ? '' : addressKey(ctx.room.uri)} ${addressKey(who)}`
}

/**
 * Middleware that lets each person pass at most `limit` times within `windowMs` (per room,
 * unless `key` says otherwise). Over the limit, `onLimited` runs instead of what follows.
 *
 * @example
 * ```ts
 * bot.command('roll', 'roll a die', cooldown({ limit: 3, windowMs: 60_000,
 *   onLimited: (ctx, ms) => ctx.replyPrivately(`wait ${Math.ceil(ms / 1000)} s`) }), roll)
 * ```
 */
export function cooldown<C extends Context = Context>(options: CooldownOptions<C>): MiddlewareFn<C> {
  const window = new RateWindow(options.limit ?? 1, options.windowMs, options.maxKeys)
  const keyOf = options.key ?? defaultKey
  return async (ctx, next) => {
    const key = keyOf(ctx)
    if (key === undefined) return next()
    const clock = options.clock ?? ctx.clock
    const wait = window.hit(key, clock.now())
    if (wait === 0) return next()
    await options.onLimited?.(ctx, wait)
  }
}
