/**
 * The bot: a {@link Composer} bound to a {@link ChatBackend}, with a lifecycle
 * (`start` → `join` … → `stop`), error handling and per-room outbound queues.
 *
 * This file holds the public `Bot` (its life, its rooms, the dispatch of updates); the jobs it
 * hands out live next to it: `bot-options.ts`, `nickname-retry.ts`, `invitation-answer.ts`,
 * `update-filters.ts`, `error-reporter.ts` and `room-queue.ts`.
 *
 * @module
 */
import type { FileReceipt, SendFileOptions } from '../chat/file-contract.ts'
import { outgoingFile, type FileInput, type FileMeta } from '../chat/node-files.ts'
import { addressKey, sameAddress, userPart } from './address.ts'
import { getDefaultBackendFactory } from './backend-factory.ts'
import { createNodeChatBackend } from '../chat/node-platform.ts'
import { errorCode } from '../chat/backend-errors.ts'
import type { BackendEvent, ChatBackend, DirectAddress, OutgoingContent, PresenceState, RoomHandle, SendReceipt } from '../chat/backend.ts'
import { MsrpBotError } from '../errors.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import { LoopGuard } from './loop-guard.ts'
import { Scheduler, atPlan, everyPlan } from './schedule.ts'
import type { ScheduleHandler, ScheduleOptions, ScheduleTime, ScheduledJob } from './schedule.ts'
import { Composer, run } from './composer.ts'
import type { Middleware } from './composer.ts'
import { validateConfig } from './config.ts'
import type { BotConfig, BotConfigInput } from './config.ts'
import { Context } from './context.ts'
import type { ContextConstructor } from './context.ts'
import { BotStateError } from './errors.ts'
import { createConsoleLogger, logLevelFromEnv } from '../logger.ts'
import type { Logger } from '../logger.ts'
import { BotMetrics } from './metrics.ts'
import { Room } from './room.ts'
import { InvitationGate } from './invitation.ts'
import type { BotErrorHandler, BotOptions, BotState } from './bot-options.ts'
import { ErrorReporter } from './error-reporter.ts'
import { answerInvitation } from './invitation-answer.ts'
import { openWithNicknames } from './nickname-retry.ts'
import { newRoomQueue, roomGoneError } from './room-queue.ts'
import { isOwnUpdate, mayAnswer } from './update-filters.ts'
import type { JoinRoomOptions } from './join-options.ts'
import type { RoomInvitation } from '../chat/room-invitation.ts'

export type { BotOptions, BotErrorHandler, BotState } from './bot-options.ts'
export type { JoinRoomOptions } from './join-options.ts'

/**
 * A chat bot. Register middleware (`use`, `on`, `command`, `hears`, …) first, then `start()`,
 * then `join()` rooms.
 *
 * Updates are handled as the backend delivers them; a backend that awaits each one (as the
 * fake does) gets them one at a time, otherwise handlers may overlap. Sends to a room always
 * leave in the order they were made, through that room's outbound queue.
 *
 * @example
 * ```ts
 * const bot = createBot({ uri: 'sip:echo@example.test', password: { env: 'SIP_PASSWORD' } })
 * bot.command('help', (ctx) => ctx.reply('I echo what you say'))
 * bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
 * await bot.start()
 * await bot.join('sip:lobby@chat.example.test', { nickname: 'echo' })
 * ```
 */
export class Bot<C extends Context = Context> extends Composer<C> {
  /** The validated config, defaults applied. */
  readonly config: BotConfig
  /** The backend doing the I/O. */
  readonly backend: ChatBackend
  /** The bot's logger. */
  readonly logger: Logger
  /** Counters for operators (messagesIn, messagesOut, sendFailures, reconnects, handlerErrors). */
  readonly metrics = new BotMetrics()

  private _state: BotState = 'idle'
  private readonly clock: Clock
  private readonly makeContext: ContextConstructor<C>
  private readonly joined = new Map<string, Room>()
  private readonly inflight = new Set<Promise<void>>()
  /** Where handler errors go: `bot.catch`, else the log (see error-reporter.ts). */
  private readonly errors: ErrorReporter<C>
  private unsubscribe: (() => void) | undefined
  private stopping: Promise<void> | undefined
  private readonly scheduler: Scheduler
  private readonly loopGuard: LoopGuard | undefined
  /** Jobs already warned about finding no room (bounded by the number of jobs registered). */
  private readonly skippedJobs = new Set<string>()
  /** Bounds what invitations can make the bot join (maxRooms, one per room at a time). */
  private readonly invitations: InvitationGate

  /**
   * Prefer {@link createBot}. Validates `config` (throws `BotConfigError` naming each bad
   * field) and picks the backend.
   *
   * @example
   * ```ts
   * const bot = new Bot({ uri: 'sip:echo@example.test' }, { backend: new FakeChatBackend({ uri: 'sip:echo@example.test' }) })
   * ```
   */
  constructor(config: BotConfigInput, options: BotOptions<C> = {}) {
    super()
    this.config = validateConfig(config, options.env)
    this.logger =
      options.logger ?? createConsoleLogger(this.config.logLevel ?? logLevelFromEnv())
    this.errors = new ErrorReporter<C>(this.logger, this.metrics)
    this.clock = options.clock ?? systemClock
    this.makeContext = options.ContextConstructor ?? (Context as unknown as ContextConstructor<C>)
    // The bot layer is where the chat layer and Node's sockets meet: with no backend and no
    // factory set, the bot runs on the SIP chat backend over sockets.
    const backend = options.backend ?? (getDefaultBackendFactory() ?? createNodeChatBackend)(this.config)
    if (!sameAddress(backend.uri, this.config.uri)) {
      this.logger.warn(
        { configUri: this.config.uri, backendUri: backend.uri },
        'the backend runs under another URI than the config; ignoreSelf uses the backend URI',
      )
    }
    this.backend = backend
    const origin = Date.now() - this.clock.now()
    const wall = options.wallClock ?? { now: () => origin + this.clock.now() }
    this.scheduler = new Scheduler(this.clock, () => wall.now(), (job, handler, opts, firedAt) =>
      this.track(this.runJob(job, handler, opts, firedAt)),
    )
    this.loopGuard = this.config.loopGuard === false ? undefined : new LoopGuard(this.config.loopGuard)
    this.invitations = new InvitationGate(this.config.maxRooms)
  }

  /** Where the bot is in its life: idle → starting → running → stopping → stopped. */
  get state(): BotState {
    return this._state
  }

  /** The bot's own SIP URI. */
  get uri(): string {
    return this.backend.uri
  }

  /**
   * Adds middleware; see {@link Composer.use}. Only allowed before `start()`.
   *
   * @example
   * ```ts
   * bot.use(async (ctx, next) => { console.time(ctx.kind); await next(); console.timeEnd(ctx.kind) })
   * ```
   */
  override use(...middleware: Middleware<C>[]): Composer<C> {
    if (this._state !== 'idle') {
      throw new BotStateError(
        'BOT_USE_AFTER_START',
        `bot.use() (or on/command/hears/filter/…) was called after bot.start() (state: ` +
          `${this._state}). Register all middleware before start(): updates already being ` +
          'handled would miss it, and registering inside a handler adds another copy on every ' +
          'update (a memory leak). To vary handlers at run time, use bot.lazy() or a filter.',
      )
    }
    return super.use(...middleware)
  }

  /**
   * Sets the handler for errors thrown by middleware. Without one, the bot logs each error
   * (with its stack, the update kind and room) and keeps running; it never crashes the process
   * because a handler threw. Use `errorBoundary` to handle errors of a sub-tree differently.
   *
   * @example
   * ```ts
   * bot.catch((err) => {
   *   console.error(`while handling ${err.ctx.kind} in ${err.ctx.room?.uri}:`, err.error)
   * })
   * ```
   */
  catch(handler: BotErrorHandler<C>): void {
    this.errors.handler = handler
  }

  /**
   * Registers with the SIP network and publishes presence (through the backend). Middleware
   * must be registered before this. Rejects with the backend's error (e.g.
   * REGISTRATION_FAILED) and leaves the bot idle so you can try again.
   *
   * @example
   * ```ts
   * await bot.start()
   * ```
   */
  async start(): Promise<void> {
    if (this._state !== 'idle') {
      throw new BotStateError(
        this._state === 'stopped' ? 'BOT_STOPPED' : 'BOT_ALREADY_STARTED',
        this._state === 'stopped'
          ? 'bot.start() after bot.stop(): a stopped bot cannot be restarted; create a new one'
          : `bot.start() was called twice (state: ${this._state}); call it once and await it`,
      )
    }
    if (!this.commands().some((c) => c.name === 'help')) {
      // The default /help, after every other handler; registering a 'help' command replaces it.
      const help = new Composer<C>()
      help.command('help', 'list the commands', (ctx) => ctx.reply(this.helpText()))
      super.use(help)
    }
    this.setState('starting')
    this.unsubscribe = this.backend.subscribe((event) => this.handleUpdate(event))
    try {
      await this.backend.start()
    } catch (error) {
      this.unsubscribe()
      this.unsubscribe = undefined
      this.setState('idle')
      throw error
    }
    this.setState('running')
    this.scheduler.start()
    this.logger.info({ uri: this.uri }, 'bot started')
  }

  /**
   * Stops the bot: no new updates are handled, handlers still running finish, every queued
   * send is delivered (or fails), rooms are left, and the backend unregisters. Idempotent.
   *
   * If handlers and sends have not finished within `timeoutMs` (default 30 s), the bot stops
   * waiting: sends still queued are rejected with SEND_CANCELLED (and logged), then it leaves
   * the rooms and stops the backend anyway.
   *
   * @example
   * ```ts
   * process.once('SIGINT', () => void bot.stop({ timeoutMs: 5000 }))
   * ```
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this._state === 'stopped' || this._state === 'stopping') return this.whenStopped()
    if (this._state === 'idle') {
      this.setState('stopped')
      return
    }
    this.setState('stopping')
    this.scheduler.stop()
    const timeoutMs = options.timeoutMs ?? 30_000
    this.stopping = (async () => {
      const settle = (async () => {
        await Promise.allSettled([...this.inflight])
        await Promise.allSettled([...this.joined.values()].map((room) => room.queue.drain()))
      })()
      let timer: unknown
      const timedOut = new Promise<boolean>((resolve) => {
        timer = this.clock.setTimeout(() => resolve(true), timeoutMs)
      })
      const late = await Promise.race([settle.then(() => false), timedOut])
      this.clock.clearTimeout(timer)
      if (late) {
        this.logger.warn(
          { timeoutMs, handlers: this.inflight.size, pending: this.rooms.reduce((n, r) => n + r.queue.size, 0) },
          'stop(): handlers or sends still busy after the timeout; cancelling queued sends',
        )
      }
      for (const room of [...this.joined.values()]) await this.closeRoom(room, !late)
      try {
        await this.backend.stop()
      } catch (error) {
        this.logger.warn({ err: error }, 'the backend failed to stop cleanly')
      }
      this.unsubscribe?.()
      this.unsubscribe = undefined
      this.setState('stopped')
      this.logger.info({ uri: this.uri }, 'bot stopped')
    })()
    return this.stopping
  }

  private whenStopped(): Promise<void> {
    return this.stopping ?? Promise.resolve()
  }

  /**
   * Joins a chat room and returns it. With `retryNicknames`, a nickname refused as taken (425)
   * is retried with another. Joining a room already joined returns the existing room.
   *
   * @example
   * ```ts
   * const lobby = await bot.join('sip:lobby@chat.example.test', { nickname: 'echo', retryNicknames: true })
   * console.log(lobby.nickname) // 'echo', or 'echo2' if 'echo' was taken
   * ```
   */
  async join(roomUri: string, options: JoinRoomOptions = {}): Promise<Room> {
    this.assertRunning('join')
    const existing = this.joined.get(addressKey(roomUri))
    if (existing !== undefined) return existing
    return this.enter(roomUri, options, (nickname) => this.backend.join(roomUri, { nickname }))
  }

  /**
   * Enters a room: `open` makes the session with the first nickname (a join, or the answer to an
   * invitation), then nicknames refused as taken are retried on the live room as `options` say.
   */
  private async enter(roomUri: string, options: JoinRoomOptions, open: (nickname: string) => Promise<RoomHandle>): Promise<Room> {
    const { handle, nickname } = await openWithNicknames(roomUri, options, userPart(this.uri) ?? 'bot', open, this.logger)
    // A join of the same room that finished meanwhile keeps its room (the backend shares the handle).
    const already = this.joined.get(addressKey(handle.uri))
    if (already !== undefined) return already
    const room = this.addRoom(handle)
    this.logger.info({ room: room.uri, nickname: room.nickname ?? nickname }, 'joined room')
    return room
  }

  /** Answers an invitation by joining its room (`ctx.invitation.accept()`). */
  private async acceptInvitation(invitation: RoomInvitation, options: JoinRoomOptions): Promise<Room> {
    this.assertRunning('accept an invitation (ctx.invitation.accept)')
    const existing = this.joined.get(addressKey(invitation.room))
    if (existing !== undefined) {
      invitation.decline(486)
      return existing
    }
    const room = await this.enter(invitation.room, options, (nickname) => invitation.accept({ nickname }))
    this.logger.info({ room: room.uri, by: invitation.by }, 'invitation accepted')
    return room
  }

  /** An invitation update: answered as invitation-answer.ts says. */
  private invited(invitation: RoomInvitation): Promise<void> {
    return answerInvitation(invitation, {
      uri: this.uri,
      config: this.config,
      logger: this.logger,
      metrics: this.metrics,
      clock: this.clock,
      gate: this.invitations,
      makeContext: this.makeContext,
      isIn: (key) => this.joined.has(key),
      roomCount: () => this.joined.size,
      middleware: () => this.middleware(),
      reportError: (error, ctx) => this.reportError(error, ctx),
      enter: (inv, options) => this.acceptInvitation(inv, options),
    })
  }

  /**
   * Leaves a room after its queued sends went out. Unknown rooms are a no-op.
   *
   * @example
   * ```ts
   * await bot.leave('sip:lobby@chat.example.test')
   * ```
   */
  async leave(roomUri: string): Promise<void> {
    const room = this.joined.get(addressKey(roomUri))
    if (room !== undefined) await this.closeRoom(room, true)
  }

  private async closeRoom(room: Room, drain: boolean): Promise<void> {
    if (drain) await room.queue.drain()
    const key = addressKey(room.uri)
    if (this.joined.get(key) !== room) return // left meanwhile
    this.joined.delete(key)
    room.queue.close(`the bot left ${room.uri}`)
    try {
      await room.handle.leave()
    } catch (error) {
      this.logger.warn({ err: error, room: room.uri }, 'leaving the room failed')
    }
    this.logger.info({ room: room.uri }, 'left room')
  }

  /**
   * A joined room by URI, or undefined.
   *
   * @example
   * ```ts
   * await bot.room('sip:lobby@chat.example.test')?.send('maintenance in 5 minutes')
   * ```
   */
  room(roomUri: string): Room | undefined {
    return this.joined.get(addressKey(roomUri))
  }

  /**
   * Sends a direct message outside any room: a page-mode MESSAGE (RFC 3428) to `to.peer`, or a
   * SEND on the 1:1 session `to.chat`. `ctx.reply` does this for 'direct' updates. Rejects with
   * the backend's send codes, or NOT_SUPPORTED when the backend has no direct chats.
   *
   * @example
   * ```ts
   * await bot.sendDirect({ peer: 'sip:alice@example.test', path: 'message' }, 'the build is green')
   * ```
   */
  async sendDirect(to: DirectAddress, content: OutgoingContent): Promise<SendReceipt> {
    const backend = this.backend
    if (backend.sendDirect === undefined) throw new MsrpBotError('NOT_SUPPORTED', 'this chat backend has no direct chats (sendDirect); use the SIP backend')
    const receipt = await backend.sendDirect(to, content)
    this.metrics.increment('messagesOut')
    return receipt
  }

  /**
   * Sends a file (a path on disk, or bytes) to a person or bot outside rooms (RFC 5547 push to
   * their own address). Resolves when they confirmed every byte. Rejects with SEND_REJECTED
   * (`statusCode` 413 too large, 603 declined …), SEND_TIMEOUT, SEND_DISCONNECTED, or
   * NOT_SUPPORTED when the backend sends no files.
   *
   * @example
   * ```ts
   * await bot.sendFile('sip:alice@example.test', './report.pdf', { onProgress: (p) => console.log(p.confirmed, '/', p.total) })
   * ```
   */
  async sendFile(peer: string, file: FileInput, options: FileMeta & SendFileOptions = {}): Promise<FileReceipt> {
    const backend = this.backend
    if (backend.sendFile === undefined) throw new MsrpBotError('NOT_SUPPORTED', 'this chat backend sends no files (sendFile); use the SIP backend')
    const { name, type, ...sendOptions } = options
    const content = await outgoingFile(file, { ...(name === undefined ? {} : { name }), ...(type === undefined ? {} : { type }) })
    const receipt = await backend.sendFile(peer, content, sendOptions)
    this.metrics.increment('messagesOut')
    return receipt
  }

  /**
   * All rooms the bot is in.
   *
   * @example
   * ```ts
   * for (const room of bot.rooms) await room.send('going down for maintenance')
   * ```
   */
  get rooms(): readonly Room[] {
    return [...this.joined.values()]
  }

  /**
   * Publishes the bot's presence (RFC 3903).
   *
   * @example
   * ```ts
   * await bot.setPresence({ status: 'busy', note: 'indexing, back soon' })
   * ```
   */
  async setPresence(presence: PresenceState): Promise<void> {
    this.assertRunning('setPresence')
    await this.backend.setPresence(presence)
  }

  /**
   * Watches a contact's presence; changes arrive as 'presence' updates.
   *
   * @example
   * ```ts
   * await bot.watch('sip:alice@example.test')
   * bot.on('presence', (ctx) => console.log(ctx.presence.contact, ctx.presence.status))
   * ```
   */
  async watch(contactUri: string): Promise<void> {
    this.assertRunning('watch')
    await this.backend.watch(contactUri)
  }

  /**
   * Stops watching a contact.
   *
   * @example
   * ```ts
   * await bot.unwatch('sip:alice@example.test')
   * ```
   */
  async unwatch(contactUri: string): Promise<void> {
    this.assertRunning('unwatch')
    await this.backend.unwatch(contactUri)
  }

  /**
   * Runs `handler` every `intervalMs` milliseconds while the bot runs, once per room the bot is
   * in (or only in `options.room`). Timers start with `bot.start()` and end with `bot.stop()`, on
   * the bot's clock. Errors go to `bot.catch` or the log, like a handler's.
   *
   * @example
   * ```ts
   * bot.every(60 * 60_000, (ctx) => ctx.room.send('an hour has passed'))
   * ```
   */
  every(intervalMs: number, handler: ScheduleHandler, options: ScheduleOptions = {}): ScheduledJob {
    const plan = everyPlan(intervalMs)
    return this.scheduler.add(options.name ?? `every ${intervalMs}ms`, plan, handler, options)
  }

  /**
   * Runs `handler` at a time: a `Date` (once) or `'HH:MM'` (every day at that local time), once
   * per room the bot is in (or only in `options.room`). A date not in the future when the bot starts
   * is skipped, not run late: a bot reloaded by `msrp-bot dev` never repeats a job the previous
   * copy ran.
   *
   * @example
   * ```ts
   * bot.at('09:00', (ctx) => ctx.room.send('stand-up in 5 minutes'))
   * bot.at(new Date('2030-01-01T00:00:00Z'), (ctx) => ctx.room.send('happy new year'))
   * ```
   */
  at(when: ScheduleTime, handler: ScheduleHandler, options: ScheduleOptions = {}): ScheduledJob {
    const plan = atPlan(when)
    const name = options.name ?? `at ${when instanceof Date ? when.toISOString() : when}`
    return this.scheduler.add(name, plan, handler, options)
  }

  /** What the default `/help` answers: the commands and their descriptions. */
  helpText(): string {
    const lines = this.commands().map((c) => (c.description === undefined ? `/${c.name}` : `/${c.name}: ${c.description}`))
    return ['Commands:', ...lines].join('\n')
  }

  /**
   * Resolves once no handler and no scheduled job is running (also those started meanwhile).
   * Tests (`chat.settled()`) use it to wait for work that awaits more than the network, such as
   * files or a database.
   *
   * @example
   * ```ts
   * await clock.advanceAsync(60_000)
   * await bot.idle()
   * ```
   */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }

  private track(task: Promise<void>): Promise<void> {
    this.inflight.add(task)
    void task.finally(() => this.inflight.delete(task))
    return task
  }

  private async runJob(job: string, handler: ScheduleHandler, options: ScheduleOptions, firedAt: Date): Promise<void> {
    const rooms = options.room === undefined ? this.rooms : [this.room(options.room)].filter((r) => r !== undefined)
    if (rooms.length === 0) {
      // Once per job at warn level: a frequent job of a bot that is in no room would flood the log.
      const level = this.skippedJobs.has(job) ? 'debug' : 'warn'
      this.skippedJobs.add(job)
      this.logger[level]({ job, room: options.room }, options.room === undefined ? 'scheduled job skipped: the bot is in no room' : 'scheduled job skipped: the bot is not in that room')
      return
    }
    for (const room of rooms) {
      try {
        await handler({ room, firedAt, job })
      } catch (error) {
        this.metrics.increment('handlerErrors')
        this.logger.error({ err: error, job, room: room.uri }, 'a scheduled job threw; it stays scheduled')
      }
    }
  }

  /**
   * Runs the middleware for one backend event. The bot subscribes this to its backend; call it
   * yourself only to feed events from elsewhere. Never rejects: handler errors go to
   * `bot.catch` or the log.
   *
   * @example
   * ```ts
   * await bot.handleUpdate({ type: 'presence', contact: 'sip:alice@example.test', presence: { status: 'away' } })
   * ```
   */
  handleUpdate(event: BackendEvent): Promise<void> {
    return this.track(this.dispatch(event))
  }

  private async dispatch(event: BackendEvent): Promise<void> {
    if (this._state !== 'running' && this._state !== 'starting') {
      this.logger.debug({ type: event.type, state: this._state }, 'update ignored: bot not running')
      return
    }
    if (event.type === 'invitation') return this.invited(event.invitation)
    let room: Room | undefined
    if ('room' in event && event.room !== undefined) {
      room = this.joined.get(addressKey(event.room))
      if (room === undefined) {
        this.logger.warn({ type: event.type, room: event.room }, 'update for a room the bot is not in; ignored')
        return
      }
    }
    if (event.type === 'room-closed' && room !== undefined) {
      // No reconnect brings a removed bot or a closed room back: sends held or queued for it fail
      // now, not after the reconnect wait, and before the handlers run (one of them may await a
      // send to this room). The room itself is forgotten once the handlers are done.
      room.queue.close(`room ${room.uri} is gone (${event.reason})`, roomGoneError(room.uri, event.reason))
    }
    if (event.type === 'connection') {
      if (event.state === 'reconnected') {
        this.metrics.increment('reconnects')
        // Sends held while disconnected go out now (see OutboundQueue.resume).
        for (const r of this.joined.values()) r.queue.resume()
      }
      this.logger[event.state === 'disconnected' ? 'warn' : 'info'](
        event.error === undefined ? {} : { err: event.error },
        `backend ${event.state}`,
      )
    }
    // What the room replayed is the room's history, the bot's own earlier messages included.
    const replayed = event.type === 'message' && event.history === true && !event.private
    if (replayed && room !== undefined) room.recordHistory(event)
    try {
      if (this.config.ignoreSelf && isOwnUpdate(event, room, this.uri)) {
        this.logger.trace({ type: event.type }, 'own update ignored (ignoreSelf)')
        return
      }
      if (event.type === 'message' && !event.private && !replayed && room !== undefined && !mayAnswer(event.sender.uri, room, { config: this.config, loopGuard: this.loopGuard, logger: this.logger, now: this.clock.now() })) return
      let ctx: C
      try {
        ctx = new this.makeContext({ update: event, me: { uri: this.uri }, room, clock: this.clock, historyAsMessages: !this.config.ignoreHistory, sendDirect: (to, content) => this.sendDirect(to, content), sendFile: (peer, file, options) => this.sendFile(peer, file, options) })
      } catch (error) {
        this.metrics.increment('handlerErrors')
        this.logger.error({ err: error, type: event.type }, 'the context constructor threw; update dropped')
        return
      }
      if ((event.type === 'message' && !replayed) || event.type === 'direct') this.metrics.increment('messagesIn')
      const sentBefore = room?.publicSends ?? 0
      try {
        await run(this.middleware(), ctx)
      } catch (error) {
        await this.reportError(error, ctx)
      }
      // A file no handler took is refused, not left ringing (RFC 5547 push: 603 Decline).
      if (event.type === 'file' && !event.file.answered) event.file.decline()
      if (event.type === 'message' && !event.private && !replayed && room !== undefined && room.publicSends > sentBefore) {
        this.loopGuard?.answered(addressKey(room.uri), addressKey(event.sender.uri), this.clock.now())
      }
    } finally {
      if (event.type === 'room-closed' && room !== undefined) this.forgetRoom(room, event.reason)
    }
  }

  private reportError(error: unknown, ctx: C): Promise<void> {
    return this.errors.report(error, ctx)
  }

  private addRoom(handle: RoomHandle): Room {
    const queue = newRoomQueue(this.config, this.clock, {
      sent: () => this.metrics.increment('messagesOut'),
      failed: (error) => {
        this.metrics.increment('sendFailures')
        this.errors.sendFailureLogged(error)
        this.logger.warn({ err: error, room: handle.uri, code: errorCode(error) }, 'send failed')
      },
    })
    const room = new Room(handle, queue, (r) => this.leave(r.uri), (file, options) => this.sendFile(handle.uri, file, options))
    // Removed or closed: held and queued sends fail now, even while a handler awaits one of them
    // (the 'room-closed' event itself reaches the bot only after that handler).
    handle.onClosed?.((reason) => queue.close(`room ${handle.uri} is gone (${reason})`, roomGoneError(handle.uri, reason)))
    this.joined.set(addressKey(handle.uri), room)
    return room
  }

  private forgetRoom(room: Room, reason: string): void {
    const key = addressKey(room.uri)
    if (this.joined.get(key) !== room) return
    this.joined.delete(key)
    room.queue.close(`room ${room.uri} is gone (${reason})`)
    this.logger.warn({ room: room.uri, reason }, 'room closed')
  }

  private setState(next: BotState): void {
    this.logger.debug({ from: this._state, to: next }, 'bot state')
    this._state = next
  }

  private assertRunning(method: string): void {
    if (this._state !== 'running') {
      throw new BotStateError(
        'BOT_NOT_RUNNING',
        `bot.${method}() needs a running bot (state: ${this._state}); ` +
          (this._state === 'idle' ? 'await bot.start() first' : 'the bot is stopping or stopped'),
      )
    }
  }
}

/**
 * Creates a bot: validates `config` (a `BotConfigError` lists every bad field and its fix) and
 * attaches a backend (`options.backend`, or the registered default).
 *
 * @example
 * ```ts
 * const bot = createBot({ uri: 'sip:echo@example.test', password: process.env.SIP_PASSWORD })
 * ```
 */
export function createBot<C extends Context = Context>(
  config: BotConfigInput,
  options: BotOptions<C> = {},
): Bot<C> {
  return new Bot<C>(config, options)
}
