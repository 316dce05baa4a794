/**
 * The shape of one `msrp-bot` command: its spec (flags, help), a parser from the command line
 * to typed options, and what to run with them.
 *
 * @module
 */
import type { CommandSpec, ParsedCommandLine } from '../args.ts'
import type { CliIo } from '../io.ts'
import type { RuntimeContext } from '../runtime.ts'

/** One subcommand of `msrp-bot`. */
export interface Command<O> {
  /** Flags, positionals and help text. */
  readonly spec: CommandSpec
  /**
   * Turns a parsed command line into checked options, or throws `CliUsageError` naming the
   * flag and the fix. May load the `.env` file into `io.env` first (commands that read secrets).
   */
  parse(line: ParsedCommandLine, io: CliIo): O
  /** Runs the command; resolves when it is done. */
  execute(options: O, context: RuntimeContext): Promise<void>
}
