/**
 * `session()`: per-person (or per-room) state on `ctx.session`, loaded from a storage adapter
 * before the handlers run and saved after them, one update per key at a time.
 *
 * @module
 */
import { MsrpBotError } from '../../errors.ts'
import { addressKey } from '../address.ts'
import type { MiddlewareFn } from '../composer.ts'
import type { Context } from '../context.ts'
import { KeyedLock } from './keyed-lock.ts'
import { StorageError, memoryStorage } from './storage.ts'
import type { StorageAdapter } from './storage.ts'

/** What `session()` adds to the context: declare your context as `Context & SessionFlavor<S>`. */
export interface SessionFlavor<S> {
  /**
   * This update's session: read and change it in handlers; it is saved once they finished.
   * Assign `null` to delete it (the next update starts from `initial()` again).
   */
  session: S
}

/** The context of a bot that uses `session()` with state `S`. */
export type SessionContext<S> = Context & SessionFlavor<S>

/**
 * Picks the storage key for an update, or `undefined` for updates without a session (then
 * `ctx.session` throws BOT_SESSION_NO_KEY when read). Or one of the named keys:
 * 'room+person' (the default), 'room', 'person'.
 */
export type SessionKey<C extends Context = Context> =
  | 'room+person'
  | 'room'
  | 'person'
  | ((ctx: C) => string | undefined | Promise<string | undefined>)

/** Options for {@link session}. */
export interface SessionOptions<S, C extends Context = Context> {
  /** The session of someone seen for the first time (called each time, so return a new object). */
  initial: () => S
  /** Where sessions are kept (default `memoryStorage()`: lost when the bot stops). */
  storage?: StorageAdapter<S> | undefined
  /**
   * Whose session an update gets. Default 'room+person': one session per person per room (a
   * person's private messages in a room share it). 'room': one per room, shared by everyone
   * in it. 'person': one per person, across rooms. Or a function of the context.
   */
  getSessionKey?: SessionKey<C> | undefined
  /** Prepended to every key in storage, so one store can hold several kinds of state (default 'session:'). */
  prefix?: string | undefined
  /**
   * The context property to put the session on (default 'session'). Give a second `session()`
   * another one, e.g. a room-wide `ctx.roomSession` next to the per-person `ctx.session`.
   */
  property?: string | undefined
}

/** Misuse of `ctx.session`. */
export class SessionError extends MsrpBotError {}

/** The person an update is about: a message's sender, or who joined, left or changed nickname. */
export function personOf(ctx: Context): string | undefined {
  const uri = ctx.sender?.uri ?? ctx.participant?.uri
  return uri === undefined ? undefined : addressKey(uri)
}

/** The built-in session keys, by name (see {@link SessionOptions.getSessionKey}). */
export const sessionKeys = {
  /** One session per person per room: `<room URI> <person URI>`. */
  'room+person': (ctx: Context): string | undefined => {
    const person = personOf(ctx)
    return ctx.room === undefined || person === undefined ? undefined : `${addressKey(ctx.room.uri)} ${person}`
  },
  /** One session per room, shared by everyone in it: `<room URI>`. */
  room: (ctx: Context): string | undefined => (ctx.room === undefined ? undefined : addressKey(ctx.room.uri)),
  /** One session per person, in every room: `<person URI>`. */
  person: (ctx: Context): string | undefined => personOf(ctx),
} as const

function keyFunction<C extends Context>(key: SessionKey<C> | undefined): (ctx: C) => string | undefined | Promise<string | undefined> {
  if (key === undefined) return sessionKeys['room+person']
  if (typeof key === 'function') return key
  const named = sessionKeys[key]
  if (named === undefined) {
    throw new TypeError(`session({ getSessionKey: '${String(key)}' }): use 'room+person', 'room', 'person' or a function`)
  }
  return named
}

function defineSession(ctx: Context, property: string, get: () => unknown, set: (value: unknown) => void): void {
  Object.defineProperty(ctx, property, { get, set, configurable: true, enumerable: true })
}

function json(value: unknown, key: string): string {
  const text = JSON.stringify(value)
  if (text === undefined) {
    throw new SessionError('BOT_SESSION_NOT_JSON', `the session for "${key}" is not a JSON value; keep only plain data in ctx.session`)
  }
  return text
}

/**
 * Gives every update a `ctx.session`, kept in `storage` under a key for the update's room and
 * person. The session is read before the middleware after it runs, and written back after it
 * finished, only when its JSON changed (so reads cost no writes). Updates with the same key are
 * handled one at a time, in order: two messages from one person never interleave their
 * read-modify-write. When a handler throws, the session is not saved.
 *
 * Sequencing is per bot process: two processes sharing one Redis must not handle the same
 * person's messages (msrp-bot runs each bot once).
 *
 * @example
 * ```ts
 * import { createBot, session, fileStorage } from 'msrp-bot'
 * import type { SessionContext } from 'msrp-bot'
 *
 * const bot = createBot<SessionContext<{ count: number }>>({ uri: 'sip:counter@example.test' })
 * bot.use(session({ initial: () => ({ count: 0 }), storage: fileStorage({ dir: 'data/sessions' }) }))
 * bot.command('count', (ctx) => ctx.reply(`you asked ${++ctx.session.count} times`))
 * ```
 */
export function session<S, C extends Context = Context>(options: SessionOptions<S, C>): MiddlewareFn<C> {
  if (typeof options?.initial !== 'function') {
    throw new TypeError('session({ initial }) needs initial: a function returning the state of a new session, e.g. () => ({ count: 0 })')
  }
  const storage = options.storage ?? memoryStorage<S>()
  const getKey = keyFunction(options.getSessionKey)
  const prefix = options.prefix ?? 'session:'
  const property = options.property ?? 'session'
  const lock = new KeyedLock()

  return async (ctx, next) => {
    const key = await getKey(ctx)
    if (key === undefined) {
      const refuse = (): never => {
        throw new SessionError(
          'BOT_SESSION_NO_KEY',
          `this '${ctx.kind}' update has no ctx.${property}: getSessionKey gave no key (the default needs a room and a person). ` +
            "Read ctx.session only in handlers for messages, joins, leaves and nickname changes, or pass session({ getSessionKey })",
        )
      }
      defineSession(ctx, property, refuse, refuse)
      return next()
    }
    const storageKey = prefix + key
    await lock.run(storageKey, async () => {
      let stored: S | undefined
      try {
        stored = await storage.read(storageKey)
      } catch (error) {
        throw error instanceof StorageError ? error : new StorageError(`session: reading "${storageKey}" failed: ${String(error)}`, { cause: error })
      }
      let value: unknown = stored ?? options.initial()
      const before = json(value, storageKey)
      defineSession(ctx, property, () => value, (next) => {
        value = next
      })
      await next()
      if (value === null || value === undefined) {
        if (stored !== undefined) await storage.delete(storageKey)
        return
      }
      if (json(value, storageKey) !== before) await storage.write(storageKey, value as S)
    })
  }
}
