/**
 * `msrp-bot dev`: a local chat server with your bots in its rooms, for trying them out
 * (`npm start` in a project made by create-msrp-bot).
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs'
import { extname } from 'node:path'
import { booleanFlag } from '../args.ts'
import type { CommandSpec } from '../args.ts'
import { BOT_MODULE_EXTENSIONS } from '../bot-module.ts'
import { CliUsageError } from '../errors.ts'
import { startDev } from '../runtime.ts'
import type { DevOptions } from '../runtime.ts'
import type { Command } from './command.ts'
import { absolutePath, envFileFlag, loadEnvForCommand, logLevelFlag, parseServerOptions, serverFlags } from './shared.ts'

const spec: CommandSpec = {
  name: 'msrp-bot dev',
  summary:
    'Run a local chat server with the given bots in its rooms, and chat with them from this terminal. ' +
    'Without bot files, runs ./bot.ts.',
  positionals: '[bot files...]',
  arity: { min: 0, max: Number.POSITIVE_INFINITY },
  flags: {
    ...serverFlags,
    'no-chat': { type: 'boolean', description: 'Do not open the terminal chat (just run the server and bots)' },
    ...envFileFlag,
    ...logLevelFlag,
  },
  details: ['Each bot file must `export default bot` (a bot from createBot, not started); every bot joins every room.'],
  examples: ['msrp-bot dev', 'msrp-bot dev bots/echo.ts bots/moderator.ts --rooms lobby,dev', 'msrp-bot dev bot.ts --port 0 --no-chat'],
}

/** Checks one bot file path; returns it absolute. */
export function checkBotFile(command: string, io: { readonly cwd: string }, file: string): string {
  if (file === '') throw new CliUsageError(`${command}: the bot file path is empty`, { command })
  const path = absolutePath(io, file)
  if (!existsSync(path)) {
    throw new CliUsageError(`${command}: bot file not found: ${file} (looked for ${path})`, { command })
  }
  if (!statSync(path).isFile()) {
    throw new CliUsageError(`${command}: ${file} is a directory; pass the bot's file, e.g. ${file.replace(/\/$/, '')}/bot.ts`, { command })
  }
  if (!(BOT_MODULE_EXTENSIONS as readonly string[]).includes(extname(path))) {
    throw new CliUsageError(
      `${command}: ${file}: a bot file is a ${BOT_MODULE_EXTENSIONS.join(' / ')} module that does \`export default bot\``,
      { command },
    )
  }
  return path
}

/** The `dev` command. */
export const devCommand: Command<DevOptions> = {
  spec,
  parse(line, io) {
    loadEnvForCommand(spec.name, line, io)
    let files = [...line.positionals]
    if (files.length === 0) {
      if (!existsSync(absolutePath(io, 'bot.ts'))) {
        throw new CliUsageError(
          `${spec.name}: no bot files given and there is no ./bot.ts here. Pass the bot's file: msrp-bot dev path/to/bot.ts`,
          { command: spec.name },
        )
      }
      files = ['bot.ts']
    }
    const botFiles = files.map((f) => checkBotFile(spec.name, io, f))
    const duplicate = botFiles.find((f, i) => botFiles.indexOf(f) !== i)
    if (duplicate !== undefined) {
      throw new CliUsageError(`${spec.name}: ${duplicate} is given twice; each bot file is loaded once`, { command: spec.name })
    }
    const defaultPorts = (['port', 'msrp-port'] as const).filter((flag) => line.values[flag] === undefined)
    return { botFiles, server: parseServerOptions(spec.name, line, io), chat: !booleanFlag(line.values, 'no-chat'), defaultPorts }
  },
  execute: (options, context) => startDev(options, context),
}
