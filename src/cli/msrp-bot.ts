/**
 * The `msrp-bot` command: `dev`, `run`, `server`, `chat`.
 *
 * `main()` parses, validates and dispatches; it never calls `process.exit` and returns the exit
 * code (0 ok, 1 failure, 2 usage error), so tests run it in process.
 *
 * @module
 */
import { closest, formatHelp, parseCommandLine } from './args.ts'
import { chatCommand } from './commands/chat.ts'
import type { Command } from './commands/command.ts'
import { devCommand } from './commands/dev.ts'
import { runCommand } from './commands/run.ts'
import { serverCommand } from './commands/server.ts'
import { CliUsageError, EXIT_FAILURE, EXIT_USAGE } from './errors.ts'
import { messageForCommandLine } from './flag-hints.ts'
import { processIo } from './io.ts'
import type { CliIo } from './io.ts'
import { packageInfo } from './version.ts'
import { MsrpBotError } from '../errors.ts'

/** The subcommands, by name, in the order help lists them. */
export const COMMANDS: Readonly<Record<string, Command<unknown>>> = {
  dev: devCommand as Command<unknown>,
  run: runCommand as Command<unknown>,
  server: serverCommand as Command<unknown>,
  chat: chatCommand as Command<unknown>,
}

/** The top-level `msrp-bot --help` text. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2
  return [
    'Usage: msrp-bot <command> [options]',
    '',
    'Chat bots for SIP/MSRP chat rooms (RFC 7701).',
    '',
    'Commands:',
    // First sentence only; `msrp-bot <command> --help` has the rest.
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.spec.summary.split(/(?<=\.) /)[0]}`),
    '',
    'Options:',
    '  -h, --help     Show help (msrp-bot <command> --help for a command)',
    '  -v, --version  Show the version',
    '',
    'Start a new bot project with: npx create-msrp-bot my-bot',
    '',
  ].join('\n')
}

/** Options for {@link main}. */
export interface MainOptions {
  /** Aborts long-running commands; defaults to one tied to SIGINT/SIGTERM. */
  signal?: AbortSignal | undefined
}

/**
 * Runs `msrp-bot` with `argv` (without `node` and the script). Resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2))
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo(), options: MainOptions = {}): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined
    if (topic !== undefined) {
      const command = COMMANDS[topic]
      if (command === undefined) return usageError(io, unknownCommand(topic))
      io.stdout.write(formatHelp(command.spec))
      return 0
    }
    ;(first === undefined ? io.stderr : io.stdout).write(mainHelp())
    return first === undefined ? EXIT_USAGE : 0
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${packageInfo().version}\n`)
    return 0
  }
  const command = COMMANDS[first]
  if (command === undefined) return usageError(io, unknownCommand(first))
  let parsedOptions: unknown
  try {
    const line = parseCommandLine(command.spec, rest)
    if (line.help) {
      io.stdout.write(formatHelp(command.spec))
      return 0
    }
    parsedOptions = command.parse(line, io)
  } catch (error) {
    if (error instanceof CliUsageError) return usageError(io, error)
    throw error
  }
  const { signal, dispose } = stopSignal(options.signal)
  try {
    await command.execute(parsedOptions, { io, signal })
    return 0
  } catch (error) {
    if (error instanceof CliUsageError) return usageError(io, error)
    if (error instanceof MsrpBotError) {
      io.stderr.write(`msrp-bot ${first}: ${messageForCommandLine(error, parsedOptions)} [${error.code}]\n`)
      return EXIT_FAILURE
    }
    throw error
  } finally {
    dispose()
  }
}

function unknownCommand(name: string): CliUsageError {
  const names = Object.keys(COMMANDS)
  const guess = closest(name, names)
  const flagHint = name.startsWith('-') ? ` Flags come after the command: msrp-bot <command> ${name}.` : ''
  return new CliUsageError(
    `msrp-bot: unknown command '${name}'.${guess === undefined ? '' : ` Did you mean '${guess}'?`}${flagHint} ` +
      `Commands: ${names.join(', ')}`,
  )
}

function usageError(io: CliIo, error: CliUsageError): number {
  const help = error.command === undefined ? 'msrp-bot --help' : `${error.command} --help`
  io.stderr.write(`${error.message}\nSee '${help}'.\n`)
  return EXIT_USAGE
}

/**
 * The first Ctrl-C (or SIGTERM) aborts the signal so the command can stop cleanly (leave rooms,
 * unregister); the listener is `once`, so a second Ctrl-C gets Node's default and exits at once.
 */
function stopSignal(given: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  if (given !== undefined) return { signal: given, dispose: () => {} }
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}
