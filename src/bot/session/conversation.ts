/**
 * Conversations: a handler asks a person something and continues when that person answers,
 * even if the bot restarted in between.
 *
 * How it survives a restart (replay): a conversation is an async function of a
 * {@link Conversation}. Every `conv.ask`, `conv.reply` and `conv.step` is an operation whose
 * result goes into a log kept in storage. When an answer arrives, the function runs again from
 * the top; operations already in the log return their logged result at once (questions are not
 * asked again, replies not sent again, steps not run again), until the function reaches the
 * question the answer is for and goes on from there. So the code between operations must be
 * deterministic: anything with a side effect or a result that may differ (a clock, a random
 * number, an HTTP call, `ctx.reply`) goes into `conv.step(...)` or `conv.reply(...)`.
 *
 * @module
 */
import type { OutgoingContent } from '../../chat/backend.ts'
import type { Clock } from '../../clock.ts'
import { MsrpBotError } from '../../errors.ts'
import { createConsoleLogger, logLevelFromEnv } from '../../logger.ts'
import type { Logger } from '../../logger.ts'
import { addressKey } from '../address.ts'
import type { MiddlewareFn, MiddlewareObj } from '../composer.ts'
import type { Context } from '../context.ts'
import type { Room } from '../room.ts'
import { KeyedLock } from './keyed-lock.ts'
import { memoryStorage } from './storage.ts'
import type { StorageAdapter } from './storage.ts'

/** One logged operation of a conversation. */
export type ConversationLogEntry =
  | { op: 'ask'; deadline: number | null; answer?: string; timedOut?: true }
  | { op: 'reply' }
  | { op: 'step'; value?: unknown }

/** What storage holds for a person in a conversation (plain JSON). */
export interface ConversationState {
  /** The conversation's name, as given to `define`. */
  name: string
  /** Where it takes place: the room URI, and the person's URI. */
  room: string
  person: string
  /** True when questions go and answers are expected privately, false for the room. */
  privately: boolean
  /** The operations so far, in order; the last may be a question still waiting for its answer. */
  log: ConversationLogEntry[]
}

/** The function a conversation runs (see the module description for the replay rule). */
export type ConversationFn<C extends Context = Context> = (conv: Conversation<C>, ctx: C) => unknown

/** Options for {@link conversations}. */
export interface ConversationsOptions {
  /** Where the conversations' progress is kept (default `memoryStorage()`, lost on restart). */
  storage?: StorageAdapter<ConversationState> | undefined
  /** Prepended to keys in storage (default 'conversation:'), so a store can be shared with `session()`. */
  prefix?: string | undefined
  /** How long `ask` waits for an answer by default (default 10 minutes); `Infinity` waits forever. */
  timeoutMs?: number | undefined
  /**
   * Timers and the time deadlines are stored in. `now()` must be wall-clock milliseconds so a
   * deadline still means the same after a restart: the default uses `Date.now()` and unref'd
   * timers; tests pass a `FakeClock`, the same one to the bot before and after a "restart".
   */
  clock?: Clock | undefined
  /** The most operations one conversation may log (default 1,000); more fails it. */
  maxSteps?: number | undefined
  /** The most answer timers held at once (default 10,000); beyond, a timeout is noticed at the next message. */
  maxTimers?: number | undefined
  /** Where errors of conversations woken by a timeout go (others go to `bot.catch`). */
  logger?: Logger | undefined
}

/** A conversation could not be started or continued (code BOT_CONVERSATION_*). */
export class ConversationError extends MsrpBotError {}

/**
 * What `conv.ask` throws when the person did not answer in time. Catch it to say so, or let
 * it end the conversation quietly.
 */
export class ConversationTimeoutError extends MsrpBotError {
  constructor(timeoutMs: number | null) {
    super('BOT_CONVERSATION_TIMEOUT', `no answer came in time${timeoutMs === null ? '' : ` (${timeoutMs} ms)`}`)
  }
}

const epochClock: Clock = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, Math.min(ms, 2 ** 31 - 1))
    handle.unref()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
}

const never = <T>(): Promise<T> => new Promise<T>(() => {})

/** Options for {@link Conversation.ask}. */
export interface AskOptions {
  /** How long to wait for the answer (default: the `conversations({ timeoutMs })`). */
  timeoutMs?: number | undefined
}

/**
 * The handle a conversation function gets. Only its operations are remembered across
 * messages and restarts.
 */
export class Conversation<C extends Context = Context> {
  /** The update that woke the conversation this time (the latest answer, or the one that entered it). */
  readonly ctx: C
  private position = 0
  private suspended = false

  constructor(
    private readonly state: ConversationState,
    ctx: C,
    private readonly settings: { timeoutMs: number; maxSteps: number; clock: Clock; suspend: () => void },
  ) {
    this.ctx = ctx
  }

  /** The conversation's name. */
  get name(): string {
    return this.state.name
  }

  /**
   * Sends `question` (privately or to the room, as the conversation was entered) and resolves
   * to the text of the same person's next message there. Rejects with
   * {@link ConversationTimeoutError} when none came within the timeout.
   *
   * @example
   * ```ts
   * const name = await conv.ask('What is your name?')
   * const team = await conv.ask(`Hi ${name}! Which team are you in?`, { timeoutMs: 60_000 })
   * ```
   */
  async ask(question: OutgoingContent | undefined, options: AskOptions = {}): Promise<string> {
    const logged = this.next('ask')
    if (logged !== undefined) {
      if (logged.timedOut === true) throw new ConversationTimeoutError(this.timeoutOf(options))
      if (logged.answer !== undefined) return logged.answer
      return this.suspend<string>() // the question is out; wait for its answer
    }
    if (this.suspended) return never()
    if (question !== undefined) await this.send(question)
    const timeoutMs = this.timeoutOf(options)
    this.state.log.push({ op: 'ask', deadline: timeoutMs === null ? null : this.settings.clock.now() + timeoutMs })
    return this.suspend<string>()
  }

  /**
   * Waits for the person's next message without asking anything (`ask(undefined)`).
   *
   * @example
   * ```ts
   * await conv.reply('Send me the text to translate.')
   * const text = await conv.wait()
   * ```
   */
  wait(options: AskOptions = {}): Promise<string> {
    return this.ask(undefined, options)
  }

  /**
   * Sends a message where the conversation takes place, once: on a replay it is not sent again.
   *
   * @example
   * ```ts
   * await conv.reply('Thanks, you are signed up.')
   * ```
   */
  async reply(content: OutgoingContent): Promise<void> {
    if (this.next('reply') !== undefined) return
    if (this.suspended) return never()
    await this.send(content)
    this.state.log.push({ op: 'reply' })
  }

  /**
   * Runs `fn` once and remembers its result (which must be JSON): on a replay the logged result
   * comes back without running `fn` again. Use it for every side effect and every value that
   * could differ between runs.
   *
   * @example
   * ```ts
   * const startedAt = await conv.step(() => new Date().toISOString())
   * await conv.step(() => db.insert({ name, team }))
   * ```
   */
  async step<T>(fn: () => T | Promise<T>): Promise<T> {
    const logged = this.next('step')
    if (logged !== undefined) return logged.value as T
    if (this.suspended) return never()
    const value = await fn()
    const stored = value === undefined ? undefined : JSON.parse(JSON.stringify(value))
    this.state.log.push(stored === undefined ? { op: 'step' } : { op: 'step', value: stored })
    return value
  }

  private next<K extends ConversationLogEntry['op']>(op: K): Extract<ConversationLogEntry, { op: K }> | undefined {
    if (this.suspended) return undefined
    const index = this.position++
    if (index >= this.settings.maxSteps) {
      throw new ConversationError(
        'BOT_CONVERSATION_TOO_LONG',
        `conversation '${this.state.name}' passed ${this.settings.maxSteps} operations; raise conversations({ maxSteps }) or end it sooner`,
      )
    }
    const entry = this.state.log[index]
    if (entry === undefined) return undefined
    if (entry.op !== op) {
      throw new ConversationError(
        'BOT_CONVERSATION_REPLAY',
        `conversation '${this.state.name}' did '${op}' where its log has '${entry.op}' (operation ${index + 1}): ` +
          'its code changed since the person started, or it is not deterministic between operations ' +
          '(wrap clocks, random numbers and I/O in conv.step)',
      )
    }
    return entry as Extract<ConversationLogEntry, { op: K }>
  }

  private suspend<T>(): Promise<T> {
    this.suspended = true
    this.settings.suspend()
    return never()
  }

  private timeoutOf(options: AskOptions): number | null {
    const ms = options.timeoutMs ?? this.settings.timeoutMs
    if (!(ms > 0)) throw new RangeError(`conv.ask({ timeoutMs }) must be a positive number of milliseconds, got ${ms}`)
    return ms === Infinity ? null : ms
  }

  private async send(content: OutgoingContent): Promise<void> {
    const room = this.ctx.room
    if (room === undefined) throw new ConversationError('BOT_CONVERSATION_NO_ROOM', 'the conversation has no room to speak in')
    if (this.state.privately) await room.sendPrivate(this.state.person, content)
    else await room.send(content)
  }
}

/** What the middleware keeps for an update while it is being handled. */
interface Held {
  readonly key: string
  state: ConversationState | undefined
  running: boolean
}

/** Options for {@link Conversations.enter}. */
export interface EnterOptions {
  /** Ask privately (true) or in the room (false). Default: where the update came from. */
  privately?: boolean | undefined
}

/** Options for {@link Conversations.invite}. */
export interface InviteOptions {
  /** Ask privately (true, the default) or in the room (false). */
  privately?: boolean | undefined
  /** How long to wait for the answer (default: the `conversations({ timeoutMs })`). */
  timeoutMs?: number | undefined
}

/**
 * The conversations of a bot: define them, install the object as middleware, and enter one
 * from a handler. See {@link conversations}.
 */
export class Conversations<C extends Context = Context> implements MiddlewareObj<C> {
  private readonly definitions = new Map<string, ConversationFn<C>>()
  private readonly storage: StorageAdapter<ConversationState>
  private readonly prefix: string
  private readonly timeoutMs: number
  private readonly maxSteps: number
  private readonly maxTimers: number
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly lock = new KeyedLock()
  private readonly held = new WeakMap<Context, Held>()
  private readonly timers = new Map<string, unknown>()

  constructor(options: ConversationsOptions = {}) {
    this.storage = options.storage ?? memoryStorage<ConversationState>()
    this.prefix = options.prefix ?? 'conversation:'
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000
    if (!(this.timeoutMs > 0)) throw new RangeError(`conversations({ timeoutMs }) must be positive, got ${this.timeoutMs}`)
    this.maxSteps = options.maxSteps ?? 1000
    this.maxTimers = options.maxTimers ?? 10_000
    this.clock = options.clock ?? epochClock
    this.logger = options.logger ?? createConsoleLogger(logLevelFromEnv())
  }

  /**
   * Defines a conversation under a name. The name is stored with each person's progress, so
   * keep it (and the order of the function's operations) stable across versions of the bot.
   *
   * @example
   * ```ts
   * dialogs.define('signup', async (conv) => {
   *   const name = await conv.ask('What is your name?')
   *   const team = await conv.ask(`Hi ${name}! Which team?`)
   *   await conv.step(() => members.add({ name, team }))
   *   await conv.reply(`Welcome to ${team}, ${name}.`)
   * })
   * ```
   */
  define(name: string, fn: ConversationFn<C>): this {
    if (this.definitions.has(name)) throw new ConversationError('BOT_CONVERSATION_DEFINED', `conversation '${name}' is defined twice; pick another name`)
    this.definitions.set(name, fn)
    return this
  }

  /**
   * Starts conversation `name` with the person the update is about, in its room. It runs at
   * once until its first question; the person's next message there answers it. A conversation
   * this person already had going in this room ends first.
   *
   * @example
   * ```ts
   * bot.command('signup', (ctx) => dialogs.enter(ctx, 'signup', { privately: true }))
   * ```
   */
  async enter(ctx: C, name: string, options: EnterOptions = {}): Promise<void> {
    const held = this.held.get(ctx)
    if (held === undefined) {
      throw new ConversationError(
        'BOT_CONVERSATION_NOT_INSTALLED',
        `conversations.enter(ctx, '${name}') needs the update to have passed through the conversations ` +
          'middleware, and a room and a person: call bot.use(dialogs) before the handler that enters',
      )
    }
    if (held.running) throw new ConversationError('BOT_CONVERSATION_NESTED', `cannot enter '${name}' from inside a conversation`)
    if (!this.definitions.has(name)) throw new ConversationError('BOT_CONVERSATION_UNKNOWN', `no conversation '${name}': define it with dialogs.define('${name}', fn)`)
    const person = ctx.sender?.uri ?? ctx.participant?.uri
    held.state = {
      name,
      room: (ctx.room as NonNullable<Context['room']>).uri,
      person: person as string,
      privately: options.privately ?? ctx.isPrivate,
      log: [],
    }
    await this.run(held, ctx)
  }

  /**
   * Starts conversation `name` with `person` in `room` from outside an update (a `bot.at` or
   * `bot.every` job): sends `question` and keeps, in storage, that the answer is awaited. When
   * the person answers, the conversation function runs from the top and its first operation,
   * which must be `conv.ask` of this same question, returns the answer. A conversation this
   * person already had going in this room ends first. The timeout is checked when the person's
   * next message arrives (there is no update to wake the conversation before that).
   *
   * @example
   * ```ts
   * bot.at('09:00', async ({ room }) => {
   *   for (const p of room.participants) await dialogs.invite(room, p.uri, 'standup', 'What did you do yesterday?')
   * })
   * ```
   */
  async invite(room: Room, person: string, name: string, question: OutgoingContent, options: InviteOptions = {}): Promise<void> {
    if (!this.definitions.has(name)) throw new ConversationError('BOT_CONVERSATION_UNKNOWN', `no conversation '${name}': define it with dialogs.define('${name}', fn)`)
    const ms = options.timeoutMs ?? this.timeoutMs
    if (!(ms > 0)) throw new RangeError(`dialogs.invite(..., { timeoutMs }) must be a positive number of milliseconds, got ${ms}`)
    const privately = options.privately ?? true
    const key = `${this.prefix}${addressKey(room.uri)} ${addressKey(person)}`
    await this.lock.run(key, async () => {
      this.cancelTimer(key)
      if (privately) await room.sendPrivate(person, question)
      else await room.send(question)
      const deadline = ms === Infinity ? null : this.clock.now() + ms
      await this.storage.write(key, { name, room: room.uri, person, privately, log: [{ op: 'ask', deadline }] })
    })
  }

  /**
   * The name of the conversation the update's person has going in its room, if any.
   *
   * @example
   * ```ts
   * bot.command('cancel', async (ctx) => { if (await dialogs.active(ctx)) await dialogs.exit(ctx) })
   * ```
   */
  async active(ctx: C): Promise<string | undefined> {
    return this.held.get(ctx)?.state?.name
  }

  /**
   * Ends the update's person's conversation in its room, if any.
   *
   * @example
   * ```ts
   * await dialogs.exit(ctx)
   * ```
   */
  async exit(ctx: C): Promise<void> {
    const held = this.held.get(ctx)
    if (held?.state === undefined) return
    held.state = undefined
    this.cancelTimer(held.key)
    await this.storage.delete(held.key)
  }

  /** Cancels the answer timers (call after `bot.stop()`; storage keeps the progress). */
  close(): void {
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle)
    this.timers.clear()
  }

  /** The middleware: continues conversations with their answers, passes every other update on. */
  middleware(): MiddlewareFn<C> {
    return async (ctx, next) => {
      const person = ctx.sender?.uri ?? ctx.participant?.uri
      if (ctx.room === undefined || person === undefined) return next()
      const key = `${this.prefix}${addressKey(ctx.room.uri)} ${addressKey(person)}`
      await this.lock.run(key, async () => {
        const held: Held = { key, state: await this.storage.read(key), running: false }
        this.held.set(ctx, held)
        try {
          if (await this.continueWith(held, ctx)) return
          await next()
        } finally {
          this.held.delete(ctx)
        }
      })
    }
  }

  /** Hands a message to the waiting question; true when it was the answer. */
  private async continueWith(held: Held, ctx: C): Promise<boolean> {
    const state = held.state
    const isMessage = ctx.kind === 'message' || ctx.kind === 'private'
    if (state === undefined || !isMessage || ctx.isHistory || ctx.isPrivate !== state.privately) return false
    const waiting = state.log.at(-1)
    if (waiting?.op !== 'ask' || waiting.answer !== undefined || waiting.timedOut === true) return false
    if (waiting.deadline !== null && this.clock.now() >= waiting.deadline) {
      waiting.timedOut = true // the answer came too late: the conversation learns so, the message goes on
      await this.run(held, ctx)
      return false
    }
    waiting.answer = ctx.text ?? ''
    await this.run(held, ctx)
    return true
  }

  /** Runs (replays) the conversation in `held` and stores where it stopped. */
  private async run(held: Held, ctx: C): Promise<void> {
    const state = held.state as ConversationState
    const fn = this.definitions.get(state.name)
    this.cancelTimer(held.key)
    if (fn === undefined) {
      held.state = undefined
      await this.storage.delete(held.key)
      throw new ConversationError(
        'BOT_CONVERSATION_UNKNOWN',
        `a stored conversation '${state.name}' has no definition any more; it was ended. Keep old names defined while people may be in them`,
      )
    }
    let suspend!: () => void
    const suspended = new Promise<'suspended'>((resolve) => {
      suspend = () => resolve('suspended')
    })
    const conv = new Conversation<C>(state, ctx, { timeoutMs: this.timeoutMs, maxSteps: this.maxSteps, clock: this.clock, suspend })
    held.running = true
    let outcome: 'suspended' | 'done'
    try {
      outcome = await Promise.race([Promise.resolve(fn(conv, ctx)).then(() => 'done' as const), suspended])
    } catch (error) {
      held.state = undefined
      await this.storage.delete(held.key)
      if (error instanceof ConversationTimeoutError) return // an unanswered question ends it quietly
      throw error
    } finally {
      held.running = false
    }
    if (outcome === 'done') {
      held.state = undefined
      await this.storage.delete(held.key)
      return
    }
    await this.storage.write(held.key, state)
    this.startTimer(held.key, state, ctx)
  }

  private startTimer(key: string, state: ConversationState, ctx: C): void {
    const waiting = state.log.at(-1)
    if (waiting?.op !== 'ask' || waiting.deadline === null || this.timers.size >= this.maxTimers) return
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key)
      void this.lock
        .run(key, async () => {
          const current = await this.storage.read(key)
          const last = current?.log.at(-1)
          if (current === undefined || current.log.length !== state.log.length || last?.op !== 'ask' || last.answer !== undefined) return
          last.timedOut = true
          await this.run({ key, state: current, running: false }, ctx)
        })
        .catch((error: unknown) => this.logger.error({ err: error, conversation: state.name, room: state.room }, 'a conversation failed after its question timed out'))
    }, Math.max(0, waiting.deadline - this.clock.now()))
    this.timers.set(key, handle)
  }

  private cancelTimer(key: string): void {
    const handle = this.timers.get(key)
    if (handle === undefined) return
    this.clock.clearTimeout(handle)
    this.timers.delete(key)
  }
}

/**
 * Creates the conversations of a bot. Install it with `bot.use(...)` before the handlers that
 * enter conversations, define conversations on it, and enter one with `enter(ctx, name)`.
 *
 * While a person is in a conversation in a room, their next message there (public or
 * private, as the conversation was entered) is the answer and goes to no other handler; other
 * people's messages, and this person's elsewhere, flow to the other handlers as usual. Progress
 * is kept in `storage` (one key per room and person), so with `fileStorage()` or
 * `redisStorage()` a bot restarted mid-dialogue continues where it was.
 *
 * @example
 * ```ts
 * const dialogs = conversations({ storage: fileStorage({ dir: 'data/conversations' }) })
 * dialogs.define('signup', async (conv) => {
 *   const name = await conv.ask('What is your name?')
 *   await conv.reply(`Welcome, ${name}!`)
 * })
 * bot.use(dialogs)
 * bot.command('signup', (ctx) => dialogs.enter(ctx, 'signup'))
 * ```
 */
export function conversations<C extends Context = Context>(options: ConversationsOptions = {}): Conversations<C> {
  return new Conversations<C>(options)
}
