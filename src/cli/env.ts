/**
 * `.env` files: `KEY=VALUE` lines loaded into the environment before a command runs, so that
 * secrets such as `SIP_PASSWORD` stay out of the command line and out of git.
 *
 * The format, exactly (Node's `process.loadEnvFile` exists from 20.12, but its edge cases are
 * not documented; this parser's are, and tested):
 *
 * - One `KEY=VALUE` per line; spaces around `=` and around the line are ignored. Keys are
 *   letters, digits, `_`, `.` and `-`, not starting with a digit. `KEY=` sets an empty string.
 * - An optional `export ` before the key is ignored (so the file can also be `source`d by a shell).
 * - Blank lines and lines starting with `#` are ignored. In an unquoted value, ` #` (a `#` after
 *   whitespace) starts a comment; a `#` inside a word (`pa#ss`) is kept.
 * - `"double"` quotes process `\n`, `\r`, `\t`, `\"` and `\\`; `'single'` and `` `backtick` ``
 *   quotes keep everything as written. Quoted values may span lines. After the closing quote only
 *   whitespace and a `#` comment may follow.
 * - No `$VAR` expansion: values are taken literally.
 * - A key given twice: the later line wins.
 * - Anything else (a line without `=`, a bad key, an unclosed quote) is an error naming the file
 *   and line, rather than a silently skipped line.
 *
 * Loading never overrides a variable that is already set (even to ''): the real environment
 * wins, so `SIP_PASSWORD=x npm start` beats the file.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { MsrpBotError } from '../errors.ts'

/** A `.env` file could not be parsed. */
export class EnvFileError extends MsrpBotError {
  /** The file (or 'input'), for the message. */
  readonly source: string
  /** 1-based line of the problem. */
  readonly line: number

  constructor(source: string, line: number, problem: string) {
    super('CLI_ENV_FILE_INVALID', `${source}:${line}: ${problem}`)
    this.source = source
    this.line = line
  }
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const DOUBLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }

/**
 * Parses `.env` text into key/value pairs (see the module doc for the format). Throws
 * {@link EnvFileError} with file and line on malformed input.
 *
 * @example
 * ```ts
 * parseEnv('export SIP_URI=sip:echo@example.com\nSIP_PASSWORD="s3cret" # from the admin')
 * // { SIP_URI: 'sip:echo@example.com', SIP_PASSWORD: 's3cret' }
 * ```
 */
export function parseEnv(text: string, source = 'input'): Record<string, string> {
  // A Map, then fromEntries: a key such as __proto__ becomes a plain own property.
  const out = new Map<string, string>()
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    let line = (lines[i] ?? '').trim()
    if (line === '' || line.startsWith('#')) continue
    if (/^export\s+/.test(line)) line = line.replace(/^export\s+/, '')
    const eq = line.indexOf('=')
    if (eq === -1) {
      throw new EnvFileError(source, lineNo, `expected KEY=VALUE, got '${clip(line)}'`)
    }
    const key = line.slice(0, eq).trim()
    if (!KEY_RE.test(key)) {
      throw new EnvFileError(
        source,
        lineNo,
        `'${clip(key)}' is not a valid variable name (letters, digits, '_', '.', '-'; not starting with a digit)`,
      )
    }
    let rest = line.slice(eq + 1).trimStart()
    const quote = rest[0]
    if (quote === '"' || quote === "'" || quote === '`') {
      // Find the closing quote, reading on into later lines if needed.
      let body = rest.slice(1)
      let close = findClose(body, quote)
      const startLine = lineNo
      while (close === -1 && i + 1 < lines.length) {
        i++
        body += `\n${lines[i] ?? ''}`
        close = findClose(body, quote)
      }
      if (close === -1) {
        throw new EnvFileError(source, startLine, `the ${quote} quote of ${key} is never closed`)
      }
      const after = body.slice(close + 1).trim()
      if (after !== '' && !after.startsWith('#')) {
        throw new EnvFileError(source, i + 1, `unexpected '${clip(after)}' after the closing quote of ${key}`)
      }
      const raw = body.slice(0, close)
      out.set(key, quote === '"' ? raw.replace(/\\([nrt"\\])/g, (_m, c: string) => DOUBLE_ESCAPES[c] ?? c) : raw)
      continue
    }
    const comment = rest.search(/\s#/)
    if (comment !== -1) rest = rest.slice(0, comment)
    out.set(key, rest.trim())
  }
  return Object.fromEntries(out)
}

function findClose(body: string, quote: string): number {
  for (let j = 0; j < body.length; j++) {
    const c = body[j]
    if (quote === '"' && c === '\\') {
      j++ // skip the escaped character
      continue
    }
    if (c === quote) return j
  }
  return -1
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}

/** What {@link loadEnvFile} did. */
export interface EnvLoadResult {
  /** Whether the file existed. */
  readonly found: boolean
  /** Keys set from the file. */
  readonly loaded: readonly string[]
  /** Keys in the file left alone because the environment already had them. */
  readonly kept: readonly string[]
}

/**
 * Loads a `.env` file into `env` without overriding variables already set. A missing file is
 * fine when `optional` (the default for the implicit `./.env`), an error otherwise.
 *
 * @example
 * ```ts
 * const { loaded } = loadEnvFile('.env', process.env, { optional: true })
 * ```
 */
export function loadEnvFile(
  path: string,
  env: NodeJS.ProcessEnv,
  options: { optional?: boolean } = {},
): EnvLoadResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      if (options.optional === true) return { found: false, loaded: [], kept: [] }
      throw new MsrpBotError('CLI_ENV_FILE_MISSING', `env file not found: ${path}. Create it (e.g. cp .env.example .env) or drop --env-file`, { cause: error })
    }
    throw new MsrpBotError('CLI_ENV_FILE_UNREADABLE', `cannot read env file ${path}: ${(error as Error).message}`, { cause: error })
  }
  const loaded: string[] = []
  const kept: string[] = []
  for (const [key, value] of Object.entries(parseEnv(text, path))) {
    if (env[key] !== undefined) kept.push(key)
    else {
      env[key] = value
      loaded.push(key)
    }
  }
  return { found: true, loaded, kept }
}
