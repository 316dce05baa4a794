/**
 * `msrp-bot server`: runs the chat server (registrar, presence agent, RFC 7701 chat rooms) so
 * that people and bots anywhere can connect to it.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import type { CommandSpec, FlagSpec, ParsedCommandLine } from '../args.ts'
import { stringFlag } from '../args.ts'
import { CliUsageError } from '../errors.ts'
import type { CliIo } from '../io.ts'
import { parseChoice, parsePort } from '../validate.ts'
import { startServer } from '../runtime.ts'
import type { ServerOptions } from '../runtime.ts'
import type { Command } from './command.ts'
import { absolutePath, logLevelFlag, parseServerOptions, serverFlags } from './shared.ts'

/** The server's TLS listeners and MSRP dial policy (docs/security.md). */
const securityFlags: Record<string, FlagSpec> = {
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

/** The TLS listener and dial policy from {@link securityFlags}. */
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

const spec: CommandSpec = {
  name: 'msrp-bot server',
  summary: 'Run a chat server: SIP registrar, presence and RFC 7701 chat rooms, until Ctrl-C.',
  positionals: '',
  arity: { min: 0, max: 0 },
  flags: { ...serverFlags, ...securityFlags, ...logLevelFlag },
  details: [
    'Without --users anyone may register under any name: keep --host 127.0.0.1 then. To serve a ' +
      "network, bind --host to this machine's address (it is advertised in Via, Contact and the " +
      'MSRP path, so it must be one clients can reach; 0.0.0.0 is refused) and give --users.',
  ],
  examples: [
    'msrp-bot server',
    'msrp-bot server --host 192.0.2.10 --domain chat.example.com --users users.txt --rooms lobby,ops --ws-port 8080',
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
    return options
  },
  execute: (options, context) => startServer(options, context),
}
