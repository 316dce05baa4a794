/**
 * `msrp-bot chat`: join a chat room from the terminal, as a person, or chat 1:1 with a bot or a
 * person when the address is theirs rather than a room's.
 *
 * @module
 */
import { stringFlag } from '../args.ts'
import type { CommandSpec } from '../args.ts'
import { startChat } from '../runtime.ts'
import type { ChatOptions } from '../runtime.ts'
import { parseSipAddress } from '../validate.ts'
import type { Command } from './command.ts'
import { parseNickname } from './nickname.ts'
import { accountFlags, envFileFlag, loadEnvForCommand, logLevelFlag, parseAccountOptions, parseLogLevel } from './shared.ts'

const spec: CommandSpec = {
  name: 'msrp-bot chat',
  summary: 'Join a chat room from this terminal (or chat 1:1 with a bot or person at their address): type to talk, /msg <nick> <text> to whisper, /quit to leave.',
  positionals: '<room or person uri>',
  arity: { min: 1, max: 1 },
  flags: {
    ...accountFlags,
    nickname: { type: 'string', short: 'n', value: '<name>', description: 'Your nickname in the room', default: 'the URI user part' },
    ...envFileFlag,
    ...logLevelFlag,
  },
  examples: [
    'msrp-bot chat sip:lobby@localhost --uri sip:alice@localhost',
    'msrp-bot chat sip:echo@localhost --uri sip:alice@localhost      # a 1:1 chat with the echo bot',
    'msrp-bot chat sip:lobby@chat.example.com -u sip:alice@example.com --registrar sip:example.com -n Alice',
  ],
}

/** The `chat` command. */
export const chatCommand: Command<ChatOptions> = {
  spec,
  parse(line, io) {
    loadEnvForCommand(spec.name, line, io)
    const room = parseSipAddress(spec.name, 'the room URI', line.positionals[0] ?? '', {
      user: 'required',
      example: 'sip:lobby@chat.example.com',
    })
    const account = parseAccountOptions(spec.name, line, io)
    const nickname = parseNickname(spec.name, stringFlag(line.values, 'nickname'), account.uri)
    return { room, account, nickname, logLevel: parseLogLevel(spec.name, line, io) }
  },
  execute: (options, context) => startChat(options, context),
}
