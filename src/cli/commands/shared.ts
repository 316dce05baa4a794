/**
 * Flags and checks shared by several commands: the server's listening options (`server`,
 * `dev`), a SIP identity (`run`, `chat`), `--env-file` and `--log-level`.
 *
 * @module
 */
import { isAbsolute, resolve } from 'node:path'
import { MsrpBotError } from '../../errors.ts'
import { listFlag, stringFlag } from '../args.ts'
import type { FlagSpec, ParsedCommandLine } from '../args.ts'
import { loadEnvFile } from '../env.ts'
import { CliUsageError } from '../errors.ts'
import type { CliIo } from '../io.ts'
import type { CliLogLevel, ServerOptions, SipAccountOptions, SipTransportName } from '../runtime.ts'
import { readUsersOption } from '../users-file.ts'
import {
  parseChoice,
  parseDomain,
  parseEnvName,
  parseHost,
  parsePort,
  parseRoomName,
  parseSipAddress,
  splitList,
} from '../validate.ts'

/** Values of `--log-level`. */
export const LOG_LEVEL_CHOICES: readonly CliLogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/** Values of `--transport`. */
export const TRANSPORT_CHOICES: readonly SipTransportName[] = ['udp', 'tcp', 'tls', 'ws']

/** `--log-level` and `--log-format`. */
export const logLevelFlag: Record<string, FlagSpec> = {
  'log-level': {
    type: 'string',
    value: '<level>',
    description: `Log threshold: ${LOG_LEVEL_CHOICES.join(', ')}`,
    default: 'info',
    env: 'MSRP_BOT_LOG_LEVEL',
  },
  'log-format': {
    type: 'string',
    value: '<format>',
    description: 'Log lines: text (for people) or json (one pino-compatible object per line, for production)',
    default: 'text',
    env: 'MSRP_BOT_LOG_FORMAT',
  },
}

/** `--env-file`. */
export const envFileFlag: Record<string, FlagSpec> = {
  'env-file': {
    type: 'string',
    value: '<path>',
    description: 'Load KEY=VALUE lines from this file first (never overrides set variables)',
    default: '.env, if present',
  },
}

/** The listening flags of `server` and `dev`. */
export const serverFlags: Record<string, FlagSpec> = {
  host: { type: 'string', value: '<address>', description: 'Address to listen on (0.0.0.0 or :: needs --advertise)', default: '127.0.0.1' },
  advertise: {
    type: 'string',
    value: '<address>',
    description: 'Host name or IP clients reach the server at, named in its SIP and MSRP headers',
    default: 'the --host address',
  },
  port: { type: 'string', short: 'p', value: '<port>', description: 'SIP port, UDP and TCP (0 = any free port)', default: '5060' },
  domain: { type: 'string', value: '<domain>', description: 'SIP domain; rooms are sip:<room>@<domain>', default: 'localhost' },
  rooms: { type: 'string', multiple: true, value: '<names>', description: 'Rooms to create, comma-separated', default: 'lobby' },
  users: {
    type: 'string',
    value: '<file|list>',
    description: 'Accounts: a file with one username:password per line (or alice:secret,bob:pw, visible in ps)',
    default: 'anyone may register, no password',
    env: 'MSRP_BOT_USERS',
  },
  moderators: {
    type: 'string',
    multiple: true,
    value: '<uris>',
    description: 'SIP URIs that may remove and mute people in every room (RFC 4579 REFER), comma-separated',
    default: 'none',
  },
  'ws-port': { type: 'string', value: '<port>', description: 'SIP over WebSocket port for browsers (RFC 7118)', default: 'off' },
  'msrp-port': { type: 'string', value: '<port>', description: 'MSRP port (0 = any free port)', default: '2855' },
}

/** The identity flags of `run` and `chat`. */
export const accountFlags: Record<string, FlagSpec> = {
  uri: { type: 'string', short: 'u', value: '<sip uri>', description: 'Your SIP address, e.g. sip:echo@example.com', env: 'SIP_URI' },
  registrar: {
    type: 'string',
    value: '<sip uri>',
    description: 'Registrar, e.g. sip:example.com; without it nothing registers (reachable only in the rooms joined)',
    env: 'SIP_REGISTRAR',
  },
  'password-env': {
    type: 'string',
    value: '<NAME>',
    description: 'Environment variable holding the SIP password (never pass the password itself)',
    default: 'SIP_PASSWORD',
  },
  username: { type: 'string', value: '<name>', description: 'Digest user name, if not the URI user part', env: 'SIP_USERNAME' },
  'outbound-proxy': { type: 'string', value: '<sip uri>', description: 'Send all requests through this proxy', env: 'SIP_OUTBOUND_PROXY' },
  transport: { type: 'string', value: '<name>', description: `SIP transport: ${TRANSPORT_CHOICES.join(', ')}`, default: 'tls for sips:, else tcp', env: 'SIP_TRANSPORT' },
}

/** A value from a flag, else from an environment variable; `label` names where it came from. */
export function flagOrEnv(
  line: ParsedCommandLine,
  io: CliIo,
  flag: string,
  envName: string,
): { value: string; label: string } | undefined {
  const fromFlag = stringFlag(line.values, flag)
  if (fromFlag !== undefined) return { value: fromFlag, label: `--${flag}` }
  const fromEnv = io.env[envName]
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, label: `${envName} (from the environment or .env)` }
  return undefined
}

/** Loads `--env-file` (required to exist) or `./.env` (optional) into `io.env`. */
export function loadEnvForCommand(command: string, line: ParsedCommandLine, io: CliIo): void {
  const given = stringFlag(line.values, 'env-file')
  const path = resolve(io.cwd, given ?? '.env')
  try {
    loadEnvFile(path, io.env, { optional: given === undefined })
  } catch (error) {
    if (error instanceof MsrpBotError) throw new CliUsageError(`${command}: ${error.message}`, { command, cause: error })
    throw error
  }
}

/** `--log-level`, else MSRP_BOT_LOG_LEVEL, else 'info'; applies `--log-format` (else MSRP_BOT_LOG_FORMAT) to the process. */
export function parseLogLevel(command: string, line: ParsedCommandLine, io: CliIo): CliLogLevel {
  const format = flagOrEnv(line, io, 'log-format', 'MSRP_BOT_LOG_FORMAT')
  if (format !== undefined) {
    // Every console logger of the process reads it (src/logger.ts), as it reads MSRP_BOT_LOG_LEVEL.
    process.env['MSRP_BOT_LOG_FORMAT'] = parseChoice(command, format.label, format.value, ['text', 'json'] as const)
  }
  const v = flagOrEnv(line, io, 'log-level', 'MSRP_BOT_LOG_LEVEL')
  return v === undefined ? 'info' : parseChoice(command, v.label, v.value, LOG_LEVEL_CHOICES)
}

/** Resolves a path against the command's working directory. */
export function absolutePath(io: { readonly cwd: string }, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path)
}

/** Builds {@link ServerOptions} from `serverFlags`. */
export function parseServerOptions(command: string, line: ParsedCommandLine, io: CliIo): ServerOptions {
  const v = line.values
  const host = parseHost(command, '--host', stringFlag(v, 'host') ?? '127.0.0.1')
  const advertiseRaw = stringFlag(v, 'advertise')
  const advertise = advertiseRaw === undefined ? undefined : parseHost(command, '--advertise', advertiseRaw)
  if (advertise !== undefined && isWildcardHost(advertise)) {
    throw new CliUsageError(
      `${command}: --advertise ${advertise} is not an address clients can reach; give the host name or IP they connect to (e.g. --advertise chat.example.com)`,
      { command },
    )
  }
  if (isWildcardHost(host) && advertise === undefined) {
    // Without --advertise the bound address is what the server names (Via, Contact, Record-Route, a=path).
    throw new CliUsageError(
      `${command}: --host ${host} cannot be advertised to clients; add --advertise with the address clients reach (e.g. --host ${host} --advertise 192.0.2.10), or bind that address itself (--host 192.0.2.10)`,
      { command },
    )
  }
  const port = parsePort(command, '--port', stringFlag(v, 'port') ?? '5060', { allowZero: true })
  const domain = parseDomain(command, '--domain', stringFlag(v, 'domain') ?? 'localhost')
  const roomList = splitList(listFlag(v, 'rooms'))
  const rooms = (roomList.length === 0 ? ['lobby'] : roomList).map((r) => parseRoomName(command, '--rooms', r))
  const moderators = splitList(listFlag(v, 'moderators')).map((uri) =>
    parseSipAddress(command, '--moderators', uri, { user: 'required', example: 'sip:moderator@example.com' }),
  )
  const wsRaw = stringFlag(v, 'ws-port')
  const wsPort = wsRaw === undefined ? undefined : parsePort(command, '--ws-port', wsRaw, { allowZero: true })
  const msrpPort = parsePort(command, '--msrp-port', stringFlag(v, 'msrp-port') ?? '2855', { allowZero: true })
  // Two listeners cannot share a fixed port (0 means "any free one", so zeros may repeat).
  const fixed: Array<[string, number]> = [['--port', port], ['--msrp-port', msrpPort]]
  if (wsPort !== undefined) fixed.push(['--ws-port', wsPort])
  for (let i = 0; i < fixed.length; i++) {
    for (let j = i + 1; j < fixed.length; j++) {
      const a = fixed[i]
      const b = fixed[j]
      if (a !== undefined && b !== undefined && a[1] !== 0 && a[1] === b[1]) {
        throw new CliUsageError(`${command}: ${a[0]} and ${b[0]} are both ${a[1]}; give each listener its own port`, { command })
      }
    }
  }
  const usersGiven = flagOrEnv(line, io, 'users', 'MSRP_BOT_USERS')
  let users: ServerOptions['users']
  if (usersGiven !== undefined) {
    try {
      const read = readUsersOption(usersGiven.value, (path) => absolutePath(io, path))
      users = read.accounts
      if (read.source === 'inline' && usersGiven.label === '--users') {
        io.stderr.write(`${command}: warning: --users with inline passwords shows them to every local user in ps; give a file (--users users.txt) or set MSRP_BOT_USERS instead\n`)
      }
    } catch (error) {
      if (error instanceof MsrpBotError) throw new CliUsageError(`${command}: ${usersGiven.label}: ${error.message}`, { command, cause: error })
      throw error
    }
  }
  return { host, advertise, port, domain, rooms, moderators, users, wsPort, msrpPort, logLevel: parseLogLevel(command, line, io) }
}

/** The any-address binds: they listen everywhere but name no address a client can use. */
function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}

/** Builds {@link SipAccountOptions} from `accountFlags` (after the env file was loaded). */
export function parseAccountOptions(
  command: string,
  line: ParsedCommandLine,
  io: CliIo,
): SipAccountOptions {
  const uriValue = flagOrEnv(line, io, 'uri', 'SIP_URI')
  if (uriValue === undefined) {
    throw new CliUsageError(
      `${command}: --uri is required: the SIP address to use, e.g. --uri sip:echo@example.com (or set SIP_URI in the environment or .env)`,
      { command },
    )
  }
  const uri = parseSipAddress(command, uriValue.label, uriValue.value, { user: 'required', example: 'sip:echo@example.com' })
  // No registrar: the identity does not register (RFC 3261 §10 is optional for a UA); it joins
  // rooms through --outbound-proxy (or the room's host) and is reachable only there.
  const registrarValue = flagOrEnv(line, io, 'registrar', 'SIP_REGISTRAR')
  const registrar =
    registrarValue === undefined
      ? undefined
      : parseSipAddress(command, registrarValue.label, registrarValue.value, { user: 'optional', example: 'sip:example.com' })
  const proxyValue = flagOrEnv(line, io, 'outbound-proxy', 'SIP_OUTBOUND_PROXY')
  const outboundProxy =
    proxyValue === undefined
      ? undefined
      : parseSipAddress(command, proxyValue.label, proxyValue.value, { user: 'optional', example: 'sip:proxy.example.com;lr' })
  const transportValue = flagOrEnv(line, io, 'transport', 'SIP_TRANSPORT')
  const transport =
    transportValue === undefined ? undefined : parseChoice(command, transportValue.label, transportValue.value, TRANSPORT_CHOICES)
  if (transport !== undefined && transport !== 'tls' && /^sips:/i.test(uri)) {
    throw new CliUsageError(`${command}: a sips: URI needs TLS (RFC 3261 §19.1.2); drop --transport ${transport} or use --transport tls`, { command })
  }
  const username = flagOrEnv(line, io, 'username', 'SIP_USERNAME')?.value.trim()
  const explicitEnv = stringFlag(line.values, 'password-env')
  const passwordEnv = parseEnvName(command, '--password-env', explicitEnv ?? 'SIP_PASSWORD')
  const password = io.env[passwordEnv]
  if (explicitEnv !== undefined && (password === undefined || password === '')) {
    throw new CliUsageError(
      `${command}: --password-env ${passwordEnv}: that variable is ${password === '' ? 'empty' : 'not set'}; ` +
        `export ${passwordEnv}=... or put it in .env`,
      { command },
    )
  }
  return {
    uri,
    registrar,
    outboundProxy,
    username: username === '' ? undefined : username,
    password: password === '' ? undefined : password,
    transport,
  }
}
