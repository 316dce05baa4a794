/**
 * `msrp-bot server`: runs the chat server (registrar, presence agent, RFC 7701 chat rooms) so
 * that people and bots anywhere can connect to it.
 *
 * @module
 */
import type { CommandSpec } from '../args.ts'
import { startServer } from '../runtime.ts'
import type { ServerOptions } from '../runtime.ts'
import type { Command } from './command.ts'
import { logLevelFlag, parseServerOptions, serverFlags } from './shared.ts'

const spec: CommandSpec = {
  name: 'msrp-bot server',
  summary: 'Run a chat server: SIP registrar, presence and RFC 7701 chat rooms, until Ctrl-C.',
  positionals: '',
  arity: { min: 0, max: 0 },
  flags: { ...serverFlags, ...logLevelFlag },
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
    const options = parseServerOptions(spec.name, line, io)
    if (options.users === undefined && options.host !== '127.0.0.1' && options.host !== '::1' && options.host !== 'localhost') {
      io.stderr.write(
        `${spec.name}: warning: listening on ${options.host} without --users: anyone who can reach it may register under any name\n`,
      )
    }
    return options
  },
  execute: (options, context) => startServer(options, context),
}
