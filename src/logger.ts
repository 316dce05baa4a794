/**
 * Logging for every layer: one pino-shaped {@link Logger} (a pino instance can be passed in as
 * is) and the narrow {@link BasicLogger} that the protocol, chat and server layers call with
 * plain text. Every `Logger`, and `console`, is a `BasicLogger`, so the bot's logger flows down
 * unchanged.
 *
 * @module
 */

/** Log levels, most verbose first; 'silent' logs nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** pino-style log call: `log('msg')` or `log({ fields }, 'msg')`. */
export interface LogFn {
  (msg: string): void
  (obj: object, msg?: string): void
}

/**
 * What the lower layers log through: one line of text per call. Narrower interfaces are `Pick`s
 * of it (the SIP core logs only `debug` and `warn`).
 */
export interface BasicLogger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
}

/** What the bot layer logs through. A pino logger satisfies it, and it is a {@link BasicLogger}. */
export interface Logger extends BasicLogger {
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  fatal: LogFn
  /** A logger that adds `bindings` to every entry. */
  child(bindings: Record<string, unknown>): Logger
}

/** One captured log entry (see {@link createMemoryLogger}). */
export interface LogEntry {
  level: Exclude<LogLevel, 'silent'>
  msg: string | undefined
  fields: Record<string, unknown>
}

type Sink = (entry: LogEntry) => void

function makeLogger(threshold: LogLevel, bindings: Record<string, unknown>, sink: Sink): Logger {
  const min = LOG_LEVELS.indexOf(threshold)
  const at = (level: LogEntry['level']): LogFn =>
    ((objOrMsg: object | string, msg?: string) => {
      if (LOG_LEVELS.indexOf(level) < min) return
      if (typeof objOrMsg === 'string') sink({ level, msg: objOrMsg, fields: { ...bindings } })
      else sink({ level, msg, fields: { ...bindings, ...(objOrMsg as Record<string, unknown>) } })
    }) as LogFn
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => makeLogger(threshold, { ...bindings, ...more }, sink),
  }
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(describeError(value))
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Where this library's own files are (src/ or dist/): their stack frames are not the user's.
 * Undefined where the module has no URL of its own (bundled into a browser script).
 */
const LIBRARY_ROOT: string | undefined = typeof import.meta.url === 'string' ? decodeURIComponent(new URL('.', import.meta.url).pathname) : undefined

/**
 * An error as a log shows it. An expected failure (a typed error with a `code`: a room that
 * closed, a peer that did not answer) is one line, `message [CODE]`; anything else is a bug and
 * keeps its stack, trimmed to the frames outside this library and Node's internals (a handler's
 * own code), unless no frame is left (a bug in the library: all of it is shown).
 */
export function describeError(error: Error): string {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && !(error instanceof TypeError) && !(error instanceof RangeError)) {
    return `${error.message} [${code}]`
  }
  const stack = error.stack ?? `${error.name}: ${error.message}`
  const lines = stack.split('\n')
  const isFrame = (line: string): boolean => /^\s+at /.test(line)
  const own = lines.filter((line) => isFrame(line) && !line.includes('node:internal') && !(LIBRARY_ROOT !== undefined && line.includes(LIBRARY_ROOT)) && !line.includes('/node_modules/'))
  if (own.length === 0) return stack
  return [...lines.filter((line) => !isFrame(line)), ...own].join('\n')
}

function errorCode(error: Error): { code?: string } {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? { code } : {}
}

/** pino's numeric levels, so `--log-format json` lines read in pino tools (pino-pretty, ...). */
const PINO_LEVELS: Record<LogEntry['level'], number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

/** Log line formats: `text` for people, `json` for machines (one pino-compatible object per line). */
export type LogFormat = 'text' | 'json'

/** Reads the format from `MSRP_BOT_LOG_FORMAT` (`text` or `json`), falling back to 'text'. */
export function logFormatFromEnv(): LogFormat {
  return process.env['MSRP_BOT_LOG_FORMAT']?.trim().toLowerCase() === 'json' ? 'json' : 'text'
}

/** One entry as a pino line: level number, time in ms, pid, msg, then the fields; errors as pino's `err` serializer writes them. */
function pinoLine(entry: LogEntry): string {
  const fields: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(entry.fields)) {
    fields[k] =
      v instanceof Error
        ? { type: v.name, message: v.message, stack: describeError(v), ...errorCode(v) }
        : v
  }
  const line = { level: PINO_LEVELS[entry.level], time: Date.now(), pid: process.pid, ...fields, msg: entry.msg ?? '' }
  try {
    return JSON.stringify(line)
  } catch {
    return JSON.stringify({ level: line.level, time: line.time, pid: line.pid, msg: line.msg, fields: String(fields) })
  }
}

/**
 * Reads the level from `MSRP_BOT_LOG_LEVEL`, falling back to `fallback` when unset or unknown.
 * The default fallback is 'info', or 'warn' inside a `node --test` run (its workers have
 * `NODE_TEST_CONTEXT` set), so passing tests print no INFO lines.
 */
export function logLevelFromEnv(fallback: LogLevel = process.env['NODE_TEST_CONTEXT'] === undefined ? 'info' : 'warn'): LogLevel {
  const raw = process.env['MSRP_BOT_LOG_LEVEL']?.trim().toLowerCase()
  return (LOG_LEVELS as readonly string[]).includes(raw ?? '') ? (raw as LogLevel) : fallback
}

/**
 * The default logger: one line per entry on stderr. `text`:
 * `2026-01-01T00:00:00.000Z WARN  msg key=value ...` (a bug's error adds its trimmed stack);
 * `json`: one pino-compatible object per line (`{"level":30,"time":...,"pid":...,"msg":...}`).
 *
 * @param level threshold; defaults to `MSRP_BOT_LOG_LEVEL` or 'info'.
 * @param format defaults to `MSRP_BOT_LOG_FORMAT` or 'text'.
 */
export function createConsoleLogger(level: LogLevel = logLevelFromEnv(), format: LogFormat = logFormatFromEnv()): Logger {
  return makeLogger(level, {}, (entry) => {
    if (format === 'json') {
      process.stderr.write(`${pinoLine(entry)}\n`)
      return
    }
    const fields = Object.entries(entry.fields)
      .map(([k, v]) => {
        if (!(v instanceof Error)) return ` ${k}=${formatValue(v)}`
        const text = describeError(v)
        return text.includes('\n') ? `\n  ${k}: ${text}` : ` ${k}=${JSON.stringify(text)}`
      })
      .join('')
    process.stderr.write(
      `${new Date().toISOString()} ${entry.level.toUpperCase().padEnd(5)} ${entry.msg ?? ''}${fields}\n`,
    )
  })
}

/** A logger that discards everything (for tests). */
export const silentLogger: Logger = makeLogger('silent', {}, () => {})

/**
 * A logger that keeps entries in memory (for tests that assert what was logged).
 *
 * @example
 * ```ts
 * const logger = createMemoryLogger()
 * logger.warn({ room }, 'left')
 * assert.equal(logger.entries[0]?.msg, 'left')
 * ```
 */
export function createMemoryLogger(level: LogLevel = 'trace'): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = []
  return Object.assign(makeLogger(level, {}, (e) => entries.push(e)), { entries })
}
