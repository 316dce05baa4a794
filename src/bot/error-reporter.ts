/**
 * Where errors thrown by handlers go: the `bot.catch` handler when set, else one log line
 * (with the update kind and room). A send failure already logged as 'send failed' by the
 * outbound queue is not logged a second time when a handler lets it through.
 *
 * @module
 */
import { errorCode } from '../chat/backend-errors.ts'
import type { Logger } from '../logger.ts'
import type { BotErrorHandler } from './bot-options.ts'
import type { Context } from './context.ts'
import { BotError } from './errors.ts'
import type { BotMetrics } from './metrics.ts'

/** Reports handler errors of one bot (see `Bot.catch`). */
export class ErrorReporter<C extends Context> {
  /** The `bot.catch` handler, if set. */
  handler: BotErrorHandler<C> | undefined
  /** Send failures already logged as 'send failed'. */
  readonly #loggedSendFailures = new WeakSet<object>()
  readonly #logger: Logger
  readonly #metrics: BotMetrics

  constructor(logger: Logger, metrics: BotMetrics) {
    this.#logger = logger
    this.#metrics = metrics
  }

  /** Remembers a send failure the outbound queue logged. */
  sendFailureLogged(error: unknown): void {
    if (typeof error === 'object' && error !== null) this.#loggedSendFailures.add(error)
  }

  /** Counts a handler error and hands it to `bot.catch`, or logs it. Never rejects. */
  async report(error: unknown, ctx: C): Promise<void> {
    this.#metrics.increment('handlerErrors')
    const botError = error instanceof BotError ? (error as BotError<C>) : new BotError(error, ctx)
    if (this.handler === undefined) {
      if (this.#loggedSendFailures.has(botError.error as object)) {
        // A send failure the handler did not catch: 'send failed' already said it, once.
        this.#logger.debug({ code: errorCode(botError.error), kind: ctx.kind, room: ctx.room?.uri }, 'a handler ended on a failed send (logged above)')
        return
      }
      this.#logger.error(
        { err: botError.error, kind: ctx.kind, room: ctx.room?.uri },
        'unhandled error in a handler; the bot keeps running. Set bot.catch(...) to handle errors',
      )
      return
    }
    try {
      await this.handler(botError)
    } catch (second) {
      this.#logger.error({ err: second, original: botError.error }, 'the bot.catch() handler itself threw')
    }
  }
}
