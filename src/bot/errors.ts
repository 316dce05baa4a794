/**
 * Errors the bot layer itself raises. Failures reported by the backend use the classes in
 * `../chat/backend-errors.ts`.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'

/**
 * A handler threw. Passed to `bot.catch` and `errorBoundary` handlers; `error` is what was
 * thrown, `ctx` the context of the update being handled.
 */
export class BotError<C = unknown> extends MsrpBotError {
  /** What the handler threw. */
  readonly error: unknown
  /** The context of the update that was being handled. */
  readonly ctx: C

  constructor(error: unknown, ctx: C) {
    super('BOT_HANDLER_ERROR', `a handler threw while handling an update: ${describe(error)}`, {
      cause: error,
    })
    this.error = error
    this.ctx = ctx
  }
}

/** The bot config is invalid, or there is no backend to run it on. */
export class BotConfigError extends MsrpBotError {
  /** One line per problem, each naming the field (`uri: must start with sip: ...`). */
  readonly problems: readonly string[]

  constructor(code: 'BOT_CONFIG_INVALID', problems: readonly string[]) {
    super(
      code,
      code === 'BOT_CONFIG_INVALID'
        ? `invalid bot config:\n${problems.map((p) => `  - ${p}`).join('\n')}`
        : problems.join('\n'),
    )
    this.problems = problems
  }
}

/** A bot method was called at the wrong point of its lifecycle. */
export class BotStateError extends MsrpBotError {}

/** A command was registered with a name that can never match. */
export class CommandNameError extends MsrpBotError {
  constructor(message: string) {
    super('BOT_COMMAND_NAME_INVALID', message)
  }
}

/** A send was refused or abandoned by the outbound queue (it never reached the backend, or gave up). */
export class OutboundQueueError extends MsrpBotError {
  /** Attempts made before giving up (0 if never attempted). */
  readonly attempts: number

  constructor(
    code: 'SEND_GAVE_UP' | 'SEND_QUEUE_FULL' | 'SEND_CANCELLED',
    message: string,
    attempts: number,
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? undefined : { cause })
    this.attempts = attempts
  }
}

/** `ctx.reply` and friends were used on an update that has no room or sender to answer. */
export class NoRecipientError extends MsrpBotError {
  constructor(message: string) {
    super('BOT_NO_RECIPIENT', message)
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    return String(error)
  } catch {
    return 'unprintable value'
  }
}
