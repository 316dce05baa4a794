/**
 * Errors the command-line tools raise.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'

/** Exit code for a mistake in how a command was called (bad flag, missing argument). */
export const EXIT_USAGE = 2

/** Exit code for a command that was called correctly but failed. */
export const EXIT_FAILURE = 1

/**
 * A command was called wrongly: unknown command or flag, a missing or malformed value.
 * The message names the flag and the fix; the tools print it with a pointer to `--help` and
 * exit with {@link EXIT_USAGE}.
 */
export class CliUsageError extends MsrpBotError {
  /** The command whose usage was wrong (for the `--help` hint), if any. */
  readonly command: string | undefined

  constructor(message: string, options: { command?: string | undefined; cause?: unknown } = {}) {
    super('CLI_USAGE', message, { cause: options.cause })
    this.command = options.command
  }
}
