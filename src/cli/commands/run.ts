/**
 * `msrp-bot run`: runs one bot against a real SIP network (Kamailio, OpenSIPS, Asterisk, …)
 * and a chat-room focus (SylkServer, or `msrp-bot server`).
 *
 * @module
 */
import { listFlag, stringFlag } from '../args.ts'
import type { CommandSpec } from '../args.ts'
import { CliUsageError } from '../errors.ts'
import { runBot } from '../runtime.ts'
import type { RunOptions } from '../runtime.ts'
import { parseSipAddress, splitList } from '../validate.ts'
import type { Command } from './command.ts'
import { checkBotFile } from './dev.ts'
import { accountFlags, envFileFlag, loadEnvForCommand, logLevelFlag, parseAccountOptions, parseLogLevel } from './shared.ts'
import { parseNickname } from './nickname.ts'

const spec: CommandSpec = {
  name: 'msrp-bot run',
  summary: 'Run a bot on a SIP network: register (with --registrar), join the rooms, handle messages until Ctrl-C.',
  positionals: '<bot file>',
  arity: { min: 1, max: 1 },
  flags: {
    ...accountFlags,
    room: { type: 'string', short: 'r', multiple: true, value: '<room uri>', description: 'Chat room to join (comma-separated or repeated)', env: 'SIP_ROOMS' },
    nickname: { type: 'string', short: 'n', value: '<name>', description: 'Nickname in the rooms', default: 'the URI user part' },
    ...envFileFlag,
    ...logLevelFlag,
  },
  details: [
    'Without --registrar the bot does not register: it joins the rooms through --outbound-proxy (or the ' +
      "room URI's host) and is reachable only in them, as in a SylkServer room; it publishes no presence.",
    'The password is read from the environment variable named by --password-env (SIP_PASSWORD by ' +
      'default), typically set in .env; it is never taken from the command line, where other users could see it.',
  ],
  examples: [
    'msrp-bot run bot.ts --uri sip:echo@example.com --registrar sip:example.com --room sip:lobby@chat.example.com',
    'SIP_PASSWORD=s3cret msrp-bot run bot.ts -u sips:echo@example.com --registrar sips:example.com -r sip:ops@chat.example.com',
    "msrp-bot run bot.ts --uri sip:echo@example.com --outbound-proxy 'sip:chat.example.com;transport=tcp;lr' --room sip:lobby@chat.example.com",
  ],
}

/** The `run` command. */
export const runCommand: Command<RunOptions> = {
  spec,
  parse(line, io) {
    loadEnvForCommand(spec.name, line, io)
    const botFile = checkBotFile(spec.name, io, line.positionals[0] ?? '')
    const account = parseAccountOptions(spec.name, line, io)
    const roomFlag = listFlag(line.values, 'room')
    const roomsEnv = io.env['SIP_ROOMS'] ?? ''
    const [values, label] =
      roomFlag.length > 0
        ? [roomFlag, '--room']
        : roomsEnv.trim() !== ''
          ? [[roomsEnv], 'SIP_ROOMS (from the environment or .env)']
          : [[], '--room']
    const rooms = splitList(values).map((r) => parseSipAddress(spec.name, label, r, { user: 'required', example: 'sip:lobby@chat.example.com' }))
    if (rooms.length === 0) {
      throw new CliUsageError(
        `${spec.name}: --room is required: the chat room to join, e.g. --room sip:lobby@chat.example.com (or set SIP_ROOMS)`,
        { command: spec.name },
      )
    }
    const nickname = parseNickname(spec.name, stringFlag(line.values, 'nickname'), account.uri)
    return { botFile, account, rooms, nickname, logLevel: parseLogLevel(spec.name, line, io) }
  },
  execute: (options, context) => runBot(options, context),
}
