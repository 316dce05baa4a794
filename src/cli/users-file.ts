/**
 * The `--users` file of `msrp-bot server`: the accounts the registrar accepts.
 *
 * Format: one `username:password` per line; blank lines and `#` comments ignored. The password
 * is everything after the first `:` (so it may contain `:`), with surrounding spaces trimmed.
 *
 * ```
 * # users for chat.example.com
 * alice:correct horse battery staple
 * echo:s3cret
 * ```
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { MsrpBotError } from '../errors.ts'
import type { UserAccount } from './runtime-options.ts'

// RFC 3261 §25.1 user part, restricted to what is easy to type and to keep in a file.
const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._~+-]{0,63}$/

/**
 * Parses a users file's text. Throws `MsrpBotError` CLI_USERS_FILE_INVALID naming the line.
 *
 * @example
 * ```ts
 * parseUsers('alice:secret\n# comment\nbob: pass word ')  // [{alice, 'secret'}, {bob, 'pass word'}]
 * ```
 */
export function parseUsers(text: string, source = 'users file'): UserAccount[] {
  const users: UserAccount[] = []
  const seen = new Set<string>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const bad = (problem: string): never => {
      throw new MsrpBotError('CLI_USERS_FILE_INVALID', `${source}:${i + 1}: ${problem}`)
    }
    const colon = line.indexOf(':')
    if (colon === -1) bad(`expected username:password, got '${line.slice(0, 40)}'`)
    const username = line.slice(0, colon).trim()
    const password = line.slice(colon + 1).trim()
    if (!USERNAME_RE.test(username)) {
      bad(`'${username}' is not a valid user name (letters, digits, '.', '_', '~', '+', '-'; up to 64)`)
    }
    if (password === '') bad(`user '${username}' has an empty password`)
    if (seen.has(username.toLowerCase())) bad(`user '${username}' is listed twice`)
    seen.add(username.toLowerCase())
    users.push({ username, password })
  })
  if (users.length === 0) {
    throw new MsrpBotError('CLI_USERS_FILE_INVALID', `${source}: no users in it; add lines like alice:secret, or drop --users to allow anyone`)
  }
  return users
}

/** Where a `--users` value was read from: a users file, or an inline list on the command line. */
export interface UsersOptionValue {
  readonly accounts: UserAccount[]
  /** `inline`: the passwords are in the command line, visible to every local user in `ps`. */
  readonly source: 'file' | 'inline'
}

/**
 * The accounts given to `--users` (or `MSRP_BOT_USERS`): either an inline list
 * `alice:secret,bob:s3cret` or the path of a users file. A value that names an existing file is
 * read as a file; otherwise a value with `user:password` pairs is the list. Inline passwords on
 * the command line are visible to other local users in the process list: prefer a file, or the
 * `MSRP_BOT_USERS` environment variable.
 *
 * @example
 * ```ts
 * readUsersOption('alice:secret,bob:pw', '/tmp')   // { accounts: [{alice, 'secret'}, {bob, 'pw'}], source: 'inline' }
 * readUsersOption('users.txt', '/etc/msrp-bot')    // { accounts: the file's accounts, source: 'file' }
 * ```
 */
export function readUsersOption(value: string, resolvePath: (path: string) => string): UsersOptionValue {
  const path = resolvePath(value)
  if (!existsSync(path) && /^[^,:\s]+:[^,]+(,[^,:\s]+:[^,]+)*$/.test(value.trim())) {
    return { accounts: parseUsers(value.split(',').join('\n'), '--users'), source: 'inline' }
  }
  return { accounts: readUsersFile(path), source: 'file' }
}

/** Reads and parses a users file; a missing file is a CLI_USERS_FILE_MISSING error. */
export function readUsersFile(path: string): UserAccount[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new MsrpBotError('CLI_USERS_FILE_MISSING', `cannot read --users file ${path}: ${(error as Error).message}`, { cause: error })
  }
  return parseUsers(text, path)
}
