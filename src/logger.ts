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
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Reads the level from `MSRP_BOT_LOG_LEVEL`, falling back to `fallback` when unset or unknown.
 */
export function logLevelFromEnv(fallback: LogLevel = 'info'): LogLevel {
  const raw = process.env['MSRP_BOT_LOG_LEVEL']?.trim().toLowerCase()
  return (LOG_LEVELS as readonly string[]).includes(raw ?? '') ? (raw as LogLevel) : fallback
}

/**
 * The default logger: one human-readable line per entry on stderr,
 * `2026-01-01T00:00:00.000Z WARN  msg key=value ...`; errors print their stack.
 *
 * @param level threshold; defaults to `MSRP_BOT_LOG_LEVEL` or 'info'.
 */
export function createConsoleLogger(level: LogLevel = logLevelFromEnv()): Logger {
  return makeLogger(level, {}, (entry) => {
    const fields = Object.entries(entry.fields)
      .map(([k, v]) => (v instanceof Error ? `\n  ${k}: ${formatValue(v)}` : ` ${k}=${formatValue(v)}`))
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
