/**
 * What a bot is made with besides its config ({@link BotOptions}: backend, context class,
 * logger, clocks), the shape of its error handler and the named states of its life.
 *
 * @module
 */
import type { ChatBackend } from '../chat/backend.ts'
import type { Clock, TimeSource } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Context, ContextConstructor } from './context.ts'
import type { BotError } from './errors.ts'

/** Options for `createBot` besides the config. */
export interface BotOptions<C extends Context = Context> {
  /**
   * The backend to run on. Defaults to the factory set with `setDefaultBackendFactory` (the CLI
   * sets one while it loads a bot module), else a `SipChatBackend` on Node's sockets; tests pass
   * a `FakeChatBackend`.
   */
  backend?: ChatBackend | undefined
  /** A custom context class (see {@link Context}). */
  ContextConstructor?: ContextConstructor<C> | undefined
  /** Where to log; defaults to a console logger at `config.logLevel` / `MSRP_BOT_LOG_LEVEL`. */
  logger?: Logger | undefined
  /** Timers for pacing and retries (tests pass a `FakeClock` and `await clock.advanceAsync(ms)`). */
  clock?: Clock | undefined
  /** Environment for `password: { env: 'NAME' }` (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv | undefined
  /**
   * Wall-clock epoch milliseconds for `bot.at` (default: the epoch time when the bot was made
   * plus the time `clock` has moved since, so a `FakeClock` moves scheduled dates too).
   */
  wallClock?: TimeSource | undefined
}

/** Handles errors thrown by middleware (see `Bot.catch`). */
export type BotErrorHandler<C extends Context = Context> = (error: BotError<C>) => unknown

/** Where a bot is in its life. */
export type BotState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'
