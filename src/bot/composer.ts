/**
 * Composers hold middleware and combine it: `use`, `on`, `command`, `hears`, `filter`,
 * `branch`, `errorBoundary`, `lazy`. `Bot` is a composer; so is every value these methods
 * return, which lets you build handler trees:
 *
 * ```ts
 * const admin = new Composer<Context>()
 * admin.command('kick', kick)
 * bot.filter(isAdmin).use(admin)
 * ```
 *
 * @module
 */
import { userPart } from './address.ts'
import { normalizeCommandName, parseCommand } from './commands.ts'
import type { Context } from './context.ts'
import { BotError } from './errors.ts'
import { matchFilter } from './filter.ts'
import type { CommandContext, Filter, FilterQuery, HearsContext } from './filter.ts'

/** Calls the rest of the middleware chain; resolves when it finished. */
export type NextFunction = () => Promise<void>

/**
 * A middleware function: do something with `ctx`, and call `next()` to let the next middleware
 * run (or don't, to stop here). Return values are ignored; returned promises are awaited.
 */
export type MiddlewareFn<C extends Context = Context> = (ctx: C, next: NextFunction) => unknown

/** Anything with a `middleware()` method, such as a {@link Composer}. */
export interface MiddlewareObj<C extends Context = Context> {
  middleware(): MiddlewareFn<C>
}

/** A middleware function or object. */
export type Middleware<C extends Context = Context> = MiddlewareFn<C> | MiddlewareObj<C>

/** Handles an error thrown inside an `errorBoundary`; may call `next` to continue after it. */
export type ErrorHandler<C extends Context = Context> = (
  error: BotError<C>,
  next: NextFunction,
) => unknown

/** A condition for `filter`, `drop` and `branch`; may be async. */
export type Predicate<C extends Context> = (ctx: C) => boolean | Promise<boolean>

/** What `hears` listens for: a string (the whole trimmed text), a RegExp, or a list of them. */
export type HearsTrigger = string | RegExp | ReadonlyArray<string | RegExp>

/** A command as `/help` lists it: its name and what `bot.command(name, description, ...)` said. */
export interface CommandDescription {
  /** The name, lower-cased, without '/'. */
  readonly name: string
  /** The description, or undefined for commands registered without one. */
  readonly description: string | undefined
}

/** The commands of one composer plus the composers nested in it. */
class CommandList {
  readonly own: CommandDescription[] = []
  readonly nested = new Set<CommandList>()

  all(seen = new Set<CommandList>()): CommandDescription[] {
    if (seen.has(this)) return []
    seen.add(this)
    return [...this.own, ...[...this.nested].flatMap((list) => list.all(seen))]
  }
}

function flatten<C extends Context>(mw: Middleware<C>): MiddlewareFn<C> {
  return typeof mw === 'function' ? mw : (ctx, next) => mw.middleware()(ctx, next)
}

function concat<C extends Context>(first: MiddlewareFn<C>, andThen: MiddlewareFn<C>): MiddlewareFn<C> {
  return async (ctx, next) => {
    let nextCalled = false
    await first(ctx, async () => {
      if (nextCalled) throw new Error('next() was called more than once in the same middleware')
      nextCalled = true
      await andThen(ctx, next)
    })
  }
}

const pass: MiddlewareFn<never> = (_ctx, next) => next()

function chain<C extends Context>(middleware: readonly Middleware<C>[]): MiddlewareFn<C> {
  if (middleware.length === 0) return pass as MiddlewareFn<C>
  // Ending with `pass` puts every middleware, the last one too, behind the next()-once guard.
  return [...middleware.map(flatten), pass as MiddlewareFn<C>].reduce(concat)
}

/**
 * Runs a middleware for one context with a final `next` that does nothing.
 *
 * @example
 * ```ts
 * await run(composer.middleware(), ctx)
 * ```
 */
export async function run<C extends Context>(middleware: MiddlewareFn<C>, ctx: C): Promise<void> {
  await middleware(ctx, async () => {})
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function toRegExps(trigger: HearsTrigger): RegExp[] {
  const list: ReadonlyArray<string | RegExp> = Array.isArray(trigger)
    ? trigger
    : [trigger as string | RegExp]
  if (list.length === 0) throw new TypeError('hears() needs at least one string or RegExp')
  return list.map((t) => (typeof t === 'string' ? new RegExp(`^\\s*${escapeRegExp(t.trim())}\\s*$`) : t))
}

/**
 * A tree of middleware with a typed context. Every method returns a new composer holding the
 * middleware it was given, so you can keep adding to a branch:
 *
 * @example
 * ```ts
 * const composer = new Composer<Context>()
 * composer.on('message').filter((ctx) => ctx.text.length > 500).use((ctx) => ctx.reply('too long'))
 * bot.use(composer)
 * ```
 */
export class Composer<C extends Context = Context> implements MiddlewareObj<C> {
  private readonly stack: MiddlewareFn<C>[] = []
  private readonly commandList = new CommandList()

  /**
   * Creates a composer holding the given middleware.
   *
   * @example
   * ```ts
   * const logging = new Composer<Context>((ctx, next) => { console.log(ctx.kind); return next() })
   * ```
   */
  constructor(...middleware: Middleware<C>[]) {
    for (const mw of middleware) this.nest(mw)
    this.stack.push(...middleware.map(flatten))
  }

  /** Lists a nested composer's commands with ours (for `/help`). */
  private nest(mw: Middleware<C> | Composer<never>): void {
    if (mw instanceof Composer) this.commandList.nested.add(mw.commandList)
  }

  /**
   * Every command registered on this composer and the composers nested in it, in the order
   * registered (each name once, with the first description given). What the default `/help`
   * lists.
   *
   * @example
   * ```ts
   * bot.command('roll', 'roll a die', roll)
   * bot.commands() // → [{ name: 'roll', description: 'roll a die' }]
   * ```
   */
  commands(): CommandDescription[] {
    const byName = new Map<string, CommandDescription>()
    for (const c of this.commandList.all()) {
      const known = byName.get(c.name)
      if (known === undefined || (known.description === undefined && c.description !== undefined)) byName.set(c.name, c)
    }
    return [...byName.values()]
  }

  /**
   * The composer as one middleware function (so composers nest: `bot.use(otherComposer)`).
   *
   * @example
   * ```ts
   * await composer.middleware()(ctx, async () => {})
   * ```
   */
  middleware(): MiddlewareFn<C> {
    return (ctx, next) => chain(this.stack)(ctx, next)
  }

  /**
   * Adds middleware that runs for every update, in the order added. Call `next()` to pass the
   * update on; not calling it stops the chain here. Returns a composer for what you added.
   *
   * @example
   * ```ts
   * bot.use(async (ctx, next) => {
   *   const started = Date.now()
   *   await next()                       // everything registered after this runs here
   *   console.log(`${ctx.kind} took ${Date.now() - started} ms`)
   * })
   * ```
   */
  use(...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware)
    this.nest(composer)
    this.stack.push(composer.middleware())
    return composer
  }

  /**
   * Runs middleware only for updates matching a filter query (or any of several), with the
   * context narrowed to what the query guarantees:
   *
   * - 'message' / 'private': public / private room messages (`ctx.text`, `ctx.sender`, `ctx.room`)
   * - 'message:text', 'message:media', 'private:text', 'private:media': by content
   * - 'notice': what the room itself says, a welcome or "alice has joined" (`ctx.text`)
   * - 'join', 'leave', 'nickname': roster changes (`ctx.participant`)
   * - 'composing', 'presence', 'room-closed', 'connection' (and ':disconnected'/':reconnected')
   *
   * @example
   * ```ts
   * bot.on('join', (ctx) => ctx.reply(`welcome ${ctx.participant.nickname}`))
   * bot.on(['message', 'private'], (ctx) => console.log(ctx.sender.uri, ctx.text))
   * ```
   */
  on<Q extends FilterQuery>(
    filter: Q | readonly Q[],
    ...middleware: Middleware<Filter<C, Q>>[]
  ): Composer<Filter<C, Q>> {
    return this.filter(matchFilter<C, Q>(filter), ...middleware)
  }

  /**
   * Handles a slash command (`/name args`) in public or private messages. A description
   * (a string before the handlers) is what the default `/help` lists. Names are given
   * without '/', matched case-insensitively; `/name@nick` is handled only when `nick` is this
   * bot's nickname in the room (or its URI's user part), and ignored otherwise.
   * `ctx.command` holds the parsed arguments (quotes group words), `ctx.match` the raw ones.
   *
   * @example
   * ```ts
   * bot.command('start', 'say hello', (ctx) => ctx.reply('hi!'))
   * bot.command(['say', 'echo'], (ctx) => ctx.reply(ctx.command.args.join(' ')))
   * // "/say "hello world" again" → args ['hello world', 'again'], match '"hello world" again'
   * ```
   */
  command(
    name: string | readonly string[],
    description: string,
    ...middleware: Middleware<CommandContext<C>>[]
  ): Composer<CommandContext<C>>
  command(name: string | readonly string[], ...middleware: Middleware<CommandContext<C>>[]): Composer<CommandContext<C>>
  command(
    name: string | readonly string[],
    ...rest: Array<string | Middleware<CommandContext<C>>>
  ): Composer<CommandContext<C>> {
    const description = typeof rest[0] === 'string' ? rest[0].trim() : undefined
    const middleware = (description === undefined ? rest : rest.slice(1)) as Middleware<CommandContext<C>>[]
    if (middleware.some((mw) => typeof mw === 'string')) {
      throw new TypeError("command(name, description, ...handlers): give one description, right after the name")
    }
    const names = new Set((typeof name === 'string' ? [name] : name).map(normalizeCommandName))
    if (names.size === 0) throw new TypeError('command() needs at least one command name')
    for (const n of names) this.commandList.own.push({ name: n, description: description || undefined })
    const isText = matchFilter<C, 'message:text' | 'private:text'>(['message:text', 'private:text'])
    return this.filter((ctx): ctx is CommandContext<C> => {
      if (!isText(ctx)) return false
      const parsed = parseCommand(ctx.text)
      if (parsed === undefined || !names.has(parsed.name)) return false
      if (parsed.addressee !== undefined) {
        const me = parsed.addressee.toLowerCase()
        const mine = [ctx.room.nickname, userPart(ctx.me.uri)]
        if (!mine.some((n) => n !== undefined && n.toLowerCase() === me)) return false
      }
      ctx.command = parsed
      ctx.match = parsed.rawArgs
      return true
    }, ...middleware)
  }

  /**
   * Handles text messages (public or private) matching a RegExp, or equal to a string (after
   * trimming). `ctx.match` is the match array, so capture groups are `ctx.match[1]` etc.
   *
   * @example
   * ```ts
   * bot.hears(/^roll (\d+)d(\d+)$/i, (ctx) => ctx.reply(roll(+ctx.match[1]!, +ctx.match[2]!)))
   * bot.hears('ping', (ctx) => ctx.reply('pong'))
   * ```
   */
  hears(trigger: HearsTrigger, ...middleware: Middleware<HearsContext<C>>[]): Composer<HearsContext<C>> {
    const regexps = toRegExps(trigger)
    const isText = matchFilter<C, 'message:text' | 'private:text'>(['message:text', 'private:text'])
    return this.filter((ctx): ctx is HearsContext<C> => {
      if (!isText(ctx)) return false
      for (const re of regexps) {
        re.lastIndex = 0 // a /g or /y RegExp keeps state between exec() calls
        const m = re.exec(ctx.text)
        if (m !== null) {
          ctx.match = m
          return true
        }
      }
      return false
    }, ...middleware)
  }

  /**
   * Runs middleware only when `predicate` holds (a type guard narrows the context); other
   * updates pass on to what comes next.
   *
   * @example
   * ```ts
   * const isAdmin = (ctx: Context) => ctx.sender?.uri === 'sip:admin@example.test'
   * bot.filter(isAdmin).command('shutdown', () => bot.stop())
   * ```
   */
  filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Middleware<D>[]): Composer<D>
  filter(predicate: Predicate<C>, ...middleware: Middleware<C>[]): Composer<C>
  filter(predicate: Predicate<C>, ...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware)
    this.nest(composer)
    this.branch(predicate, composer, pass as MiddlewareFn<C>)
    return composer
  }

  /**
   * The opposite of `filter`: runs middleware only when `predicate` does NOT hold.
   *
   * @example
   * ```ts
   * bot.drop((ctx) => ctx.sender?.nickname === 'spammer').on('message', handle)
   * ```
   */
  drop(predicate: Predicate<C>, ...middleware: Middleware<C>[]): Composer<C> {
    return this.filter(async (ctx) => !(await predicate(ctx)), ...middleware)
  }

  /**
   * Runs `onTrue` or `onFalse` depending on `predicate`; both receive the same `next`.
   *
   * @example
   * ```ts
   * bot.branch((ctx) => ctx.isPrivate, privateHandlers, publicHandlers)
   * ```
   */
  branch(predicate: Predicate<C>, onTrue: Middleware<C>, onFalse: Middleware<C>): Composer<C> {
    const yes = flatten(onTrue)
    const no = flatten(onFalse)
    return this.use(async (ctx, next) => ((await predicate(ctx)) ? yes(ctx, next) : no(ctx, next)))
  }

  /**
   * Catches errors thrown by the given middleware (not by what comes after it) and hands them
   * to `handler`, instead of letting them reach `bot.catch`. `handler` may call `next()` to
   * continue with the middleware after the boundary.
   *
   * @example
   * ```ts
   * bot.errorBoundary(
   *   (err) => console.warn('weather service failed', err.error),
   *   weatherCommands,
   * )
   * ```
   */
  errorBoundary(handler: ErrorHandler<C>, ...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware)
    this.nest(composer)
    const inner = composer.middleware()
    this.use(async (ctx, next) => {
      // Run downstream middleware outside the try, so its errors are not ours to handle.
      let proceed = false
      const later = async () => {
        proceed = true
      }
      try {
        await inner(ctx, later)
      } catch (error) {
        proceed = false
        await handler(error instanceof BotError ? (error as BotError<C>) : new BotError(error, ctx), later)
      }
      if (proceed) await next()
    })
    return composer
  }

  /**
   * Builds middleware per update, e.g. to pick handlers by room or load them on demand.
   * The factory may return one middleware, a list, or a promise of either.
   *
   * @example
   * ```ts
   * bot.lazy((ctx) => (ctx.room?.uri === LOBBY ? lobbyHandlers : []))
   * ```
   */
  lazy(
    factory: (ctx: C) => Middleware<C> | readonly Middleware<C>[] | Promise<Middleware<C> | readonly Middleware<C>[]>,
  ): Composer<C> {
    return this.use(async (ctx, next) => {
      const made = await factory(ctx)
      const list: readonly Middleware<C>[] = Array.isArray(made) ? made : [made as Middleware<C>]
      await chain(list)(ctx, next)
    })
  }
}
