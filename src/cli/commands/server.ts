/**
 * `msrp-bot server`: runs the chat server (registrar, presence agent, RFC 7701 chat rooms) so
 * that people and bots anywhere can connect to it.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { booleanFlag, listFlag, stringFlag } from '../args.ts'
import type { CommandSpec, FlagSpec, ParsedCommandLine } from '../args.ts'
import { CliUsageError } from '../errors.ts'
import type { CliIo } from '../io.ts'
import { startServer } from '../runtime.ts'
import type { ServerOptions } from '../runtime.ts'
import { parseChoice, parseCount, parseHost, parsePort, splitList } from '../validate.ts'
import { canonicalAlgorithm, type DigestAlgorithm } from '../../digest/index.ts'
import type { Command } from './command.ts'
import { absolutePath, logLevelFlag, parseServerOptions, serverFlags } from './shared.ts'
import { fileFlags, parseFileFlags } from './file-flags.ts'
import { callOutFlags, parseCallOutFlags } from './call-out-flags.ts'

/** The server's TLS listeners and MSRP dial policy (docs/security.md). */
const transportFlags: Record<string, FlagSpec> = {
  'tls-port': { type: 'string', value: '<port>', description: 'SIP over TLS port; MSRP over TLS (msrps:) is then served on the MSRP port too', default: 'off' },
  'tls-cert': { type: 'string', value: '<file>', description: 'PEM certificate chain for --tls-port and msrps:' },
  'tls-key': { type: 'string', value: '<file>', description: 'PEM private key of --tls-cert' },
  'msrp-dial': {
    type: 'string',
    value: 'source|any',
    description: 'Where the server may connect for a=setup:passive offers: only the address the INVITE came from, or any a=path host',
    default: 'source',
  },
}

/** Reads a PEM file named by a flag, or explains what is wrong. */
function readPem(command: string, flag: string, path: string, io: CliIo): Buffer {
  try {
    return readFileSync(absolutePath(io, path))
  } catch (error) {
    throw new CliUsageError(`${command}: ${flag} ${path}: cannot read it (${(error as Error).message}); give a PEM file`, { command })
  }
}

/** The TLS listener and dial policy from {@link transportFlags}. */
function parseSecurityFlags(command: string, line: ParsedCommandLine, io: CliIo): Pick<ServerOptions, 'tls' | 'msrpDial'> {
  const v = line.values
  const port = stringFlag(v, 'tls-port')
  const cert = stringFlag(v, 'tls-cert')
  const key = stringFlag(v, 'tls-key')
  const dial = stringFlag(v, 'msrp-dial')
  const msrpDial = dial === undefined ? {} : { msrpDial: parseChoice(command, '--msrp-dial', dial, ['source', 'any'] as const) }
  if (port === undefined) {
    if (cert !== undefined || key !== undefined) throw new CliUsageError(`${command}: --tls-cert and --tls-key need --tls-port (e.g. --tls-port 5061)`, { command })
    return msrpDial
  }
  if (cert === undefined || key === undefined) {
    throw new CliUsageError(`${command}: --tls-port needs --tls-cert and --tls-key (PEM files of the server's certificate and key)`, { command })
  }
  return { ...msrpDial, tls: { port: parsePort(command, '--tls-port', port, { allowZero: true }), cert: readPem(command, '--tls-cert', cert, io), key: readPem(command, '--tls-key', key, io) } }
}

/** Room history and rooms on demand. */
const roomFlags: Record<string, FlagSpec> = {
  history: { type: 'string', value: '<n>', description: 'Public messages each room keeps and replays to people who join later (0 = off)', default: '20' },
  'history-bytes': { type: 'string', value: '<bytes>', description: 'Bytes of history each room keeps at most, oldest dropped first (k/m suffix for KiB/MiB)', default: '256k' },
  'auto-create': { type: 'boolean', description: 'Create a room on the first INVITE to an unknown sip:<room>@<domain> (after the caller authenticated); remove it when the last participant leaves' },
  'max-auto-rooms': { type: 'string', value: '<n>', description: 'With --auto-create: rooms created on demand that may exist at once; one more gets 503', default: '100' },
  'auto-room-history': {
    type: 'string',
    value: 'drop|keep',
    description: 'With --auto-create: forget a removed room\'s history, or keep it (in memory) for when the room is created again',
    default: 'drop',
  },
  ...fileFlags,
}

/** `--history`, `--history-bytes`, `--auto-create` and its limits, the file flags; only what was given. */
function parseRoomFlags(command: string, values: Parameters<typeof stringFlag>[0]): Pick<ServerOptions, 'history' | 'historyBytes' | 'autoCreate' | 'maxAutoRooms' | 'autoRoomHistory' | 'files'> {
  const files = parseFileFlags(command, values)
  const history = stringFlag(values, 'history')
  const bytes = stringFlag(values, 'history-bytes')
  const max = stringFlag(values, 'max-auto-rooms')
  const keep = stringFlag(values, 'auto-room-history')
  const autoCreate = booleanFlag(values, 'auto-create')
  if (!autoCreate && (max !== undefined || keep !== undefined)) {
    throw new CliUsageError(`${command}: ${max !== undefined ? '--max-auto-rooms' : '--auto-room-history'} needs --auto-create (rooms are created on demand only with it)`, { command })
  }
  return {
    ...(history === undefined ? {} : { history: parseCount(command, '--history', history, { min: 0, max: 10_000 }) }),
    ...(bytes === undefined ? {} : { historyBytes: parseCount(command, '--history-bytes', bytes, { min: 1, max: 1024 * 1024 * 1024, bytes: true }) }),
    ...(autoCreate ? { autoCreate: true } : {}),
    ...(max === undefined ? {} : { maxAutoRooms: parseCount(command, '--max-auto-rooms', max, { min: 1, max: 1_000_000 }) }),
    ...(keep === undefined ? {} : { autoRoomHistory: parseChoice(command, '--auto-room-history', keep, ['drop', 'keep'] as const) }),
    ...files,
  }
}

/** Running as one node of a cluster on Redis (docs/scaling.md). */
const clusterFlags: Record<string, FlagSpec> = {
  redis: { type: 'string', value: '<url>', description: 'Run as one node of a cluster: rooms, history and registrations in Redis at redis://host:port (needs ioredis)', default: 'off' },
  'node-id': { type: 'string', value: '<id>', description: "With --redis: this node's id, unique in the cluster (a restarted node may reuse it)" },
  'lease-ms': { type: 'string', value: '<ms>', description: "With --redis: room lease time; a dead node's rooms move to another node within it", default: '5000' },
}

/** `--redis`, `--node-id`, `--lease-ms`; undefined without `--redis`. */
function parseClusterFlags(command: string, values: Parameters<typeof stringFlag>[0]): Pick<ServerOptions, 'cluster'> {
  const redis = stringFlag(values, 'redis')
  const nodeId = stringFlag(values, 'node-id')
  const lease = stringFlag(values, 'lease-ms')
  if (redis === undefined) {
    if (nodeId !== undefined || lease !== undefined) throw new CliUsageError(`${command}: --node-id and --lease-ms need --redis (e.g. --redis redis://127.0.0.1:6379)`, { command })
    return {}
  }
  if (!/^rediss?:\/\//.test(redis)) throw new CliUsageError(`${command}: --redis ${redis}: give a URL like redis://127.0.0.1:6379`, { command })
  if (nodeId === undefined || !/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) {
    throw new CliUsageError(`${command}: --redis needs --node-id <id> (letters, digits, . _ -; unique in the cluster), e.g. --node-id a`, { command })
  }
  return { cluster: { redis, nodeId, ...(lease === undefined ? {} : { leaseMs: parseCount(command, '--lease-ms', lease, { min: 500, max: 10_000 }) }) } }
}

/** The flags only `server` has: who is believed, and how passwords are checked. */
const identityFlags: Record<string, FlagSpec> = {
  'digest-algorithms': {
    type: 'string',
    value: '<list>',
    description: 'Digest algorithms challenged with, preferred first (RFC 8760), e.g. MD5 for clients that answer only the first challenge',
    default: 'SHA-256,MD5',
  },
  'trusted-proxy': {
    type: 'string',
    multiple: true,
    value: '<address>',
    description: "A proxy (IP or host) whose P-Asserted-Identity is believed (RFC 3325), comma-separated",
    default: 'none',
  },
  'allow-guests': {
    type: 'boolean',
    description: 'With --users: let identities of other domains join rooms without an assertion',
  },
}

const spec: CommandSpec = {
  name: 'msrp-bot server',
  summary: 'Run a chat server: SIP registrar, presence and RFC 7701 chat rooms, until Ctrl-C.',
  positionals: '',
  arity: { min: 0, max: 0 },
  flags: { ...serverFlags, ...roomFlags, ...clusterFlags, ...identityFlags, ...callOutFlags, ...transportFlags, ...logLevelFlag },
  details: [
    'Without --users anyone may register under any name: keep --host 127.0.0.1 then. To serve a ' +
      "network, bind --host to this machine's address (it is advertised in Via, Contact and the " +
      'MSRP path, so it must be one clients can reach), or bind 0.0.0.0 or :: with --advertise naming ' +
      'that address; and give --users. ' +
      'With --users, addresses of other domains are refused unless --trusted-proxy asserts them or --allow-guests.',
    'Each room replays its last --history public messages (never private ones) to whoever joins, marked as history. ' +
      'With --auto-create, an INVITE to an unknown room of the domain creates it (the caller must authenticate like any ' +
      'joiner; with --users, guests only with --allow-guests); it is removed when its last participant leaves.',
    'State is kept in memory only: rooms, history, nicknames, registrations and presence are lost when the server stops or crashes. ' +
      'With --redis, the server is one node of a cluster: rooms (configuration, history, roster version) and registrations live in Redis, ' +
      'each room is served by one node at a time, any node proxies to it, and a dead node\'s rooms move to another within --lease-ms (docs/scaling.md).',
    'A room invites someone not registered here through --call-out-proxy. When that proxy challenges the room\'s INVITE, the server answers ' +
      'with --call-out-user and the password in the environment variable MSRP_BOT_CALL_OUT_PASSWORD (or --call-out-password-env / --call-out-password-file); ' +
      'the credentials go to that proxy only, never to anyone else who challenges.',
  ],
  examples: [
    'msrp-bot server',
    'msrp-bot server --host 192.0.2.10 --domain chat.example.com --users users.txt --rooms lobby,ops --ws-port 8080',
    'msrp-bot server --users users.txt --auto-create --max-auto-rooms 50 --history 50',
    'msrp-bot server --redis redis://127.0.0.1:6379 --node-id a --port 5070 --msrp-port 2856 --rooms lobby',
    'msrp-bot server --domain example.com --call-out-proxy "sip:proxy.example.com;transport=tcp" --call-out-user lobby --call-out-password-file call-out-password.txt',
  ],
}

/** The `server` command. */
export const serverCommand: Command<ServerOptions> = {
  spec,
  parse(line, io) {
    const options: ServerOptions = { ...parseServerOptions(spec.name, line, io), ...parseSecurityFlags(spec.name, line, io) }
    if (options.users === undefined && options.host !== '127.0.0.1' && options.host !== '::1' && options.host !== 'localhost') {
      io.stderr.write(
        `${spec.name}: warning: listening on ${options.host} without --users: anyone who can reach it may register under any name\n`,
      )
    }
    if (options.users === undefined && options.moderators.length > 0) {
      io.stderr.write(
        `${spec.name}: warning: --moderators without --users: anyone can claim a moderator's address (no passwords are checked); give --users\n`,
      )
    }
    const security = parseSecurityOptions(line.values)
    if (security.allowGuests === true && options.users === undefined) {
      io.stderr.write(`${spec.name}: warning: --allow-guests has no effect without --users (everyone is let in already)\n`)
    }
    return { ...options, ...security, ...parseRoomFlags(spec.name, line.values), ...parseClusterFlags(spec.name, line.values), ...parseCallOutFlags(spec.name, line.values, io) }
  },
  execute: (options, context) => startServer(options, context),
}

/** `--digest-algorithms`, `--trusted-proxy`, `--allow-guests`; only what was given. */
function parseSecurityOptions(values: Parameters<typeof stringFlag>[0]): Pick<ServerOptions, 'digestAlgorithms' | 'trustedProxies' | 'allowGuests'> {
  const out: { digestAlgorithms?: DigestAlgorithm[]; trustedProxies?: string[]; allowGuests?: boolean } = {}
  const algorithms = stringFlag(values, 'digest-algorithms')
  if (algorithms !== undefined) {
    const names = splitList([algorithms])
    if (names.length === 0) throw new CliUsageError(`${spec.name}: --digest-algorithms is empty; give e.g. SHA-256,MD5`, { command: spec.name })
    out.digestAlgorithms = names.map((name) => {
      const algorithm = canonicalAlgorithm(name)
      if (algorithm === undefined) {
        throw new CliUsageError(`${spec.name}: --digest-algorithms: '${name}' is not a digest algorithm; use SHA-256, SHA-512-256 or MD5 (RFC 8760)`, { command: spec.name })
      }
      return algorithm
    })
  }
  const proxies = splitList(listFlag(values, 'trusted-proxy'))
  if (proxies.length > 0) out.trustedProxies = proxies.map((p) => parseHost(spec.name, '--trusted-proxy', p))
  if (booleanFlag(values, 'allow-guests')) out.allowGuests = true
  return out
}
