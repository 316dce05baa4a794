/**
 * Slash commands: `/name arg "quoted arg" 'another one'`, optionally addressed to one bot as
 * `/name@nickname`.
 *
 * @module
 */
import { CommandNameError } from './errors.ts'

/** What a command handler sees as `ctx.command`. */
export interface CommandInfo {
  /** The command name, lower-cased, without '/' or '@addressee'. */
  readonly name: string
  /** Arguments split on whitespace, with "double" and 'single' quoted runs kept together. */
  readonly args: readonly string[]
  /** Everything after the command and the whitespace that follows it, verbatim. */
  readonly rawArgs: string
  /** The nickname after '@' (`/help@echo` → 'echo'), if any. */
  readonly addressee: string | undefined
}

/** Command names: a letter or digit, then letters, digits, '_' or '-'; at most 32 characters. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/i

/**
 * Checks a command name given to `bot.command()` and returns it lower-cased.
 * Throws {@link CommandNameError} with the fix for names that could never match.
 */
export function normalizeCommandName(name: string): string {
  if (typeof name !== 'string') {
    throw new CommandNameError(`a command name must be a string, got ${typeof name}`)
  }
  if (name.startsWith('/')) {
    throw new CommandNameError(
      `invalid command name "${name}": do not include '/' — write bot.command('${name.replace(/^\/+/, '')}', ...)`,
    )
  }
  if (name.includes('@')) {
    throw new CommandNameError(
      `invalid command name "${name}": do not include '@' — addressing (/help@bot) is handled ` +
        `for you; register just '${name.split('@')[0]}'`,
    )
  }
  if (!NAME.test(name)) {
    throw new CommandNameError(
      `invalid command name "${name}": use 1-32 letters, digits, '_' or '-', starting with a ` +
        `letter or digit, no spaces`,
    )
  }
  return name.toLowerCase()
}

const COMMAND = /^\/([a-z0-9][a-z0-9_-]*)(?:@(\S+))?(?=\s|$)/i

/**
 * Parses a message text as a command. Returns undefined when the text is not a command (it must
 * start with '/', leading whitespace allowed). Never throws: an unterminated quote takes the rest
 * of the text as one argument.
 *
 * @example
 * ```ts
 * parseCommand('/say@echo "hello world" twice')
 * // → { name: 'say', addressee: 'echo', args: ['hello world', 'twice'], rawArgs: '"hello world" twice' }
 * ```
 */
export function parseCommand(text: string): CommandInfo | undefined {
  const trimmed = text.trimStart()
  const m = COMMAND.exec(trimmed)
  if (m === null || m[1] === undefined) return undefined
  const rawArgs = trimmed.slice(m[0].length).replace(/^\s+/, '')
  return { name: m[1].toLowerCase(), addressee: m[2], args: splitArguments(rawArgs), rawArgs }
}

/**
 * Splits an argument string on whitespace, keeping "double" or 'single' quoted runs together
 * (quotes removed). Inside double quotes, `\"` and `\\` are escapes; single quotes are literal.
 * Quotes in the middle of a word join it (`a"b c"` → `ab c`), as in a POSIX shell.
 */
export function splitArguments(input: string): string[] {
  const args: string[] = []
  let current = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
      else if (quote === '"' && ch === '\\' && (input[i + 1] === '"' || input[i + 1] === '\\')) {
        current += input[++i]
      } else current += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current)
      current = ''
      inWord = false
    } else {
      current += ch
      inWord = true
    }
  }
  if (inWord) args.push(current)
  return args
}
