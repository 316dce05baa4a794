/**
 * Checks for flag values. Each throws a {@link CliUsageError} that names the flag, shows what
 * was given, and says what would be accepted.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import { parseSipUri } from '../sip/uri.ts'
import { CliUsageError } from './errors.ts'

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/
const IPV4_RE = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const IPV6_RE = /^[0-9A-Fa-f:.]+$/

function fail(command: string, message: string): never {
  throw new CliUsageError(`${command}: ${message}`, { command })
}

/**
 * A TCP/UDP port: a whole number 0–65535 (0 = let the system pick, allowed only when
 * `allowZero`).
 *
 * @example
 * ```ts
 * const port = parsePort('msrp-bot server', '--port', '5060')  // 5060
 * ```
 */
export function parsePort(command: string, flag: string, value: string, options: { allowZero?: boolean } = {}): number {
  const low = options.allowZero === true ? 0 : 1
  const n = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  if (!Number.isInteger(n) || n < low || n > 65535) {
    fail(
      command,
      `${flag} must be a port number from ${low} to 65535${low === 0 ? ' (0 picks a free one)' : ''}, got '${value}'`,
    )
  }
  return n
}

/**
 * A whole number from `min` to `max`, for counts and sizes; with `bytes`, a `k` or `m` suffix
 * multiplies by 1024 or 1024².
 *
 * @example
 * ```ts
 * parseCount('msrp-bot server', '--history', '20', { min: 0, max: 10_000 })            // 20
 * parseCount('msrp-bot server', '--history-bytes', '256k', { min: 1, max: 2 ** 30, bytes: true })  // 262144
 * ```
 */
export function parseCount(command: string, flag: string, value: string, options: { min: number; max: number; bytes?: boolean }): number {
  const m = (options.bytes === true ? /^(\d{1,10})([kKmM]?)$/ : /^(\d{1,10})()$/).exec(value.trim())
  const unit = m?.[2]?.toLowerCase() === 'k' ? 1024 : m?.[2]?.toLowerCase() === 'm' ? 1024 * 1024 : 1
  const n = m === null ? Number.NaN : Number(m[1]) * unit
  if (!Number.isInteger(n) || n < options.min || n > options.max) {
    const suffix = options.bytes === true ? ' (bytes; a k or m suffix means KiB or MiB)' : ''
    fail(command, `${flag} must be a whole number from ${options.min} to ${options.max}${suffix}, got '${value}'`)
  }
  return n
}

/**
 * A host to listen on or reach: an IPv4 or IPv6 address or a host name.
 *
 * @example
 * ```ts
 * parseHost('msrp-bot server', '--host', '127.0.0.1')
 * ```
 */
export function parseHost(command: string, flag: string, value: string): string {
  const v = value.trim()
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v
  if (IPV4_RE.test(bare) || (bare.includes(':') && IPV6_RE.test(bare)) || HOSTNAME_RE.test(bare)) return bare
  return fail(command, `${flag} must be an IP address or host name such as 127.0.0.1 or chat.example.com, got '${value}'`)
}

/**
 * A SIP domain (the host part of addresses, e.g. `example.com`): a host name or IP address,
 * without scheme, user or port.
 *
 * @example
 * ```ts
 * parseDomain('msrp-bot server', '--domain', 'chat.example.test')
 * ```
 */
export function parseDomain(command: string, flag: string, value: string): string {
  const v = value.trim().toLowerCase()
  if (/^sips?:/.test(v) || v.includes('@')) {
    return fail(command, `${flag} is a bare domain such as example.com, not a URI; got '${value}'`)
  }
  if (v.includes(':') && !v.startsWith('[')) {
    return fail(command, `${flag} takes no port (use --port for that); got '${value}'`)
  }
  return parseHost(command, flag, v)
}

/**
 * A `sip:` or `sips:` URI. `flag` is how the value is named in errors ('--uri', or
 * 'SIP_URI (from the environment)'), for every check here. `user` 'required' demands a user part (an address of record such as
 * `sip:echo@example.com`); 'forbidden' refuses one (a registrar or proxy such as
 * `sip:example.com`).
 *
 * @example
 * ```ts
 * parseSipAddress('msrp-bot run', '--uri', 'sip:echo@example.com', { user: 'required', example: 'sip:echo@example.com' })
 * ```
 */
export function parseSipAddress(
  command: string,
  flag: string,
  value: string,
  options: { user?: 'required' | 'optional'; example: string },
): string {
  const v = value.trim()
  if (!/^sips?:/i.test(v)) {
    const hint = /^[^\s:]+@[^\s]+$/.test(v) || HOSTNAME_RE.test(v) ? ` Did you mean 'sip:${v}'?` : ''
    return fail(command, `${flag} must be a sip: or sips: URI such as ${options.example}, got '${value}'.${hint}`)
  }
  let user: string | undefined
  try {
    user = parseSipUri(v, { what: `${flag}` }).user
  } catch (error) {
    if (error instanceof MsrpBotError) return fail(command, `${error.message}; expected something like ${options.example}`)
    throw error
  }
  if (options.user === 'required' && (user === undefined || user === '')) {
    return fail(command, `${flag} needs a user part (who, at which domain), such as ${options.example}; got '${value}'`)
  }
  return v
}

/**
 * A comma-separated list (also accepts the flag repeated); blanks dropped, duplicates removed.
 *
 * @example
 * ```ts
 * splitList(['lobby,dev', 'ops'])  // ['lobby', 'dev', 'ops']
 * ```
 */
export function splitList(values: readonly string[]): string[] {
  const out: string[] = []
  for (const v of values) {
    for (const item of v.split(',')) {
      const t = item.trim()
      if (t !== '' && !out.includes(t)) out.push(t)
    }
  }
  return out
}

/**
 * A room name (the user part of a room URI): letters, digits and `-_.`, 1–64 characters.
 *
 * @example
 * ```ts
 * parseRoomName('msrp-bot server', '--rooms', 'lobby')
 * ```
 */
export function parseRoomName(command: string, flag: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
    return fail(
      command,
      `${flag}: room name '${value}' is not valid; use letters, digits, '.', '_' and '-' (1-64 characters, e.g. lobby)`,
    )
  }
  return value
}

/**
 * The name of an environment variable (letters, digits, `_`, not starting with a digit).
 *
 * @example
 * ```ts
 * parseEnvName('msrp-bot run', '--password-env', 'SIP_PASSWORD')
 * ```
 */
export function parseEnvName(command: string, flag: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    const hint = value.startsWith('$') ? ` Drop the '$': ${flag} ${value.slice(1)}` : ''
    return fail(command, `${flag} takes the NAME of an environment variable, such as SIP_PASSWORD, got '${value}'.${hint}`)
  }
  return value
}

/**
 * One of a fixed set of words.
 *
 * @example
 * ```ts
 * parseChoice('msrp-bot run', '--transport', 'tcp', ['udp', 'tcp', 'tls', 'ws'] as const)
 * ```
 */
export function parseChoice<T extends string>(command: string, flag: string, value: string, choices: readonly T[]): T {
  const v = value.trim().toLowerCase()
  if ((choices as readonly string[]).includes(v)) return v as T
  return fail(command, `${flag} must be one of ${choices.join(', ')}; got '${value}'`)
}
