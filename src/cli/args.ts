/**
 * Flag parsing for the commands, on `node:util` parseArgs, with errors that say what exists.
 *
 * A command describes its flags once ({@link CommandSpec}); that description drives parsing,
 * the `--help` text and the "did you mean" hints.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import { CliUsageError } from './errors.ts'

/** One flag of a command. */
export interface FlagSpec {
  /** 'string' takes a value (`--port 5060` or `--port=5060`); 'boolean' does not. */
  readonly type: 'string' | 'boolean'
  /** One-letter alias (`-t`). */
  readonly short?: string
  /** May be given more than once (values collect into a list). */
  readonly multiple?: boolean
  /** Placeholder for the value in help, e.g. '<uri>'. */
  readonly value?: string
  /** One line for the help text. */
  readonly description: string
  /** The default, as shown in help. */
  readonly default?: string
  /** Environment variable used when the flag is absent, as shown in help. */
  readonly env?: string
}

/** A command's interface: name, positionals, flags, and examples for `--help`. */
export interface CommandSpec {
  /** The program name and command, e.g. 'msrp-bot run'. */
  readonly name: string
  /** One line: what the command does. */
  readonly summary: string
  /** The positional part of the usage line, e.g. '<bot file>' or '[bot files...]'. */
  readonly positionals: string
  /** How many positionals are accepted (max Infinity for a list). */
  readonly arity: { readonly min: number; readonly max: number }
  /** The flags (without `help`, which every command has). */
  readonly flags: Readonly<Record<string, FlagSpec>>
  /** Paragraphs after the flag list. */
  readonly details?: readonly string[]
  /** Example invocations. */
  readonly examples?: readonly string[]
}

/** What {@link parseCommandLine} returns. */
export interface ParsedCommandLine {
  /** Flag values by flag name (strings, booleans, or lists for `multiple` flags). */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>
  /** Positional arguments, in order. */
  readonly positionals: readonly string[]
  /** True when `--help` / `-h` was given (then nothing else was validated). */
  readonly help: boolean
}

const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', description: 'Show this help' }

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)))
    }
    prev = row
  }
  return prev[b.length] ?? 0
}

/** The closest candidate within edit distance 2 (or a prefix match), if any. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const c of candidates) {
    const d = c.startsWith(input) && input.length >= 2 ? 1 : editDistance(input, c)
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

function flagLabel(name: string, flag: FlagSpec): string {
  const short = flag.short === undefined ? '    ' : `-${flag.short}, `
  const value = flag.type === 'string' ? ` ${flag.value ?? '<value>'}` : ''
  return `${short}--${name}${value}`
}

/**
 * The `--help` text of a command.
 *
 * @example
 * ```ts
 * io.stdout.write(formatHelp(serverSpec))
 * ```
 */
export function formatHelp(spec: CommandSpec): string {
  const flags = Object.entries({ ...spec.flags, help: HELP_FLAG })
  const labels = flags.map(([name, flag]) => flagLabel(name, flag))
  const width = Math.min(36, Math.max(...labels.map((l) => l.length)) + 2)
  const lines = [`Usage: ${spec.name}${spec.positionals === '' ? '' : ` ${spec.positionals}`} [options]`, '', spec.summary, '', 'Options:']
  flags.forEach(([, flag], i) => {
    const label = labels[i] ?? ''
    const notes = [
      flag.default !== undefined ? `default: ${flag.default}` : undefined,
      flag.env !== undefined ? `env: ${flag.env}` : undefined,
      flag.multiple === true ? 'repeatable' : undefined,
    ].filter((n) => n !== undefined)
    const text = `${flag.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`
    lines.push(label.length + 2 > width ? `  ${label}\n  ${' '.repeat(width)}${text}` : `  ${label.padEnd(width)}${text}`)
  })
  for (const paragraph of spec.details ?? []) lines.push('', paragraph)
  if (spec.examples !== undefined && spec.examples.length > 0) {
    lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`))
  }
  return `${lines.join('\n')}\n`
}

function describeFlags(spec: CommandSpec): string {
  return [...Object.keys(spec.flags), 'help'].map((f) => `--${f}`).join(', ')
}

/**
 * Parses `argv` against a command's spec. Throws {@link CliUsageError} naming the offending
 * flag, the closest valid one, and the list of flags the command has; checks the number of
 * positionals. When `--help` is present, returns `{ help: true }` without complaining about
 * anything else, so that `msrp-bot run --help` works with required flags missing.
 *
 * @example
 * ```ts
 * const { values, positionals, help } = parseCommandLine(spec, ['bot.ts', '--uri', 'sip:a@b'])
 * ```
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedCommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, flag] of Object.entries({ ...spec.flags, help: HELP_FLAG })) {
    options[name] = {
      type: flag.type,
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.multiple === true ? { multiple: true } : {}),
    }
  }
  const dashDash = argv.indexOf('--')
  const beforeDashDash = dashDash === -1 ? argv : argv.slice(0, dashDash)
  if (beforeDashDash.includes('--help') || beforeDashDash.includes('-h')) {
    return { values: {}, positionals: [], help: true }
  }
  // `-port 5060` would parse as the short flags -p -o -r -t: catch the missing dash first.
  for (const arg of beforeDashDash) {
    const single = /^-([A-Za-z][A-Za-z-]+)(?:=.*)?$/.exec(arg)?.[1]
    if (single !== undefined && spec.flags[single] !== undefined) {
      throw new CliUsageError(`${spec.name}: '${arg}' has one dash; write '--${single}'`, { command: spec.name })
    }
  }
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] }
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true })
  } catch (error) {
    throw translateParseError(spec, error)
  }
  const { min, max } = spec.arity
  const n = parsed.positionals.length
  if (n < min) {
    throw new CliUsageError(
      `${spec.name}: missing ${spec.positionals}. Usage: ${spec.name} ${spec.positionals} [options]`,
      { command: spec.name },
    )
  }
  if (n > max) {
    const extra = parsed.positionals.slice(max)
    throw new CliUsageError(
      `${spec.name}: unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((e) => `'${e}'`).join(' ')}` +
        (max === 0 ? ` (it takes no positional arguments)` : ` (it takes ${spec.positionals})`) +
        `. If a flag value contains spaces, quote it.`,
      { command: spec.name },
    )
  }
  return {
    values: parsed.values as ParsedCommandLine['values'],
    positionals: parsed.positionals,
    help: false,
  }
}

function translateParseError(spec: CommandSpec, error: unknown): CliUsageError {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  const quoted = /'(-[^' ]*)/.exec(message)?.[1] ?? ''
  const name = quoted.replace(/^-+/, '').replace(/=.*$/, '')
  const known = Object.keys(spec.flags)
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = quoted.startsWith('--') ? closest(name, known) : undefined
    return new CliUsageError(
      `${spec.name}: unknown flag '${quoted}'.` +
        (guess === undefined ? '' : ` Did you mean '--${guess}'?`) +
        ` Valid flags: ${describeFlags(spec)}`,
      { command: spec.name, cause: error },
    )
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // Node names the flag as '--name <value>' or '-n, --name <value>'.
    const long = /--([A-Za-z0-9][\w-]*)/.exec(message)?.[1] ?? name
    const flag = spec.flags[long]
    const text =
      flag?.type === 'boolean'
        ? `flag '--${long}' takes no value; write just '--${long}'`
        : `flag '--${long}' needs a value: '--${long} ${flag?.value ?? '<value>'}'`
    return new CliUsageError(`${spec.name}: ${text}`, { command: spec.name, cause: error })
  }
  return new CliUsageError(`${spec.name}: ${message}`, { command: spec.name, cause: error })
}

/** A string flag's value, or undefined when absent. */
export function stringFlag(values: ParsedCommandLine['values'], name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

/** A repeatable string flag's values (empty when absent). */
export function listFlag(values: ParsedCommandLine['values'], name: string): string[] {
  const v = values[name]
  if (Array.isArray(v)) return v
  return typeof v === 'string' ? [v] : []
}

/** A boolean flag: true when given. */
export function booleanFlag(values: ParsedCommandLine['values'], name: string): boolean {
  return values[name] === true
}
