/**
 * `msrp-bot dev`: a local chat server with your bots in its rooms, for trying them out
 * (`npm start` in a project made by create-msrp-bot).
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs'
import { extname } from 'node:path'
import { booleanFlag, stringFlag } from '../args.ts'
import type { CommandSpec, ParsedCommandLine } from '../args.ts'
import { BOT_MODULE_EXTENSIONS } from '../bot-module.ts'
import { CliUsageError } from '../errors.ts'
import { startDev } from '../runtime.ts'
import type { DevOptions } from '../runtime.ts'
import type { Command } from './command.ts'
import { fileFlags, parseFileFlags } from './file-flags.ts'
import { absolutePath, envFileFlag, loadEnvForCommand, logLevelFlag, parseServerOptions, serverFlags } from './shared.ts'
import { parsePort } from '../validate.ts'

/** Where `dev` serves the browser chat page unless told otherwise (moves to a free port when taken). */
export const DEFAULT_WEB_PORT = 8080

const spec: CommandSpec = {
  name: 'msrp-bot dev',
  summary:
    'Run a local chat server with the given bots in its rooms, and chat with them from this terminal. ' +
    'Without bot files, runs ./bot.ts.',
  positionals: '[bot files...]',
  arity: { min: 0, max: Number.POSITIVE_INFINITY },
  flags: {
    ...serverFlags,
    ...fileFlags,
    'no-chat': { type: 'boolean', description: 'Do not open the terminal chat (just run the server and bots)' },
    'web-port': { type: 'string', value: '<port>', description: 'Port of the browser chat page, which also takes SIP and MSRP over WebSocket (0 = any free port)', default: String(DEFAULT_WEB_PORT) },
    'no-web': { type: 'boolean', description: 'Do not serve the browser chat page' },
    ...envFileFlag,
    ...logLevelFlag,
  },
  details: ['Each bot file must `export default bot` (a bot from createBot, not started); every bot joins every room.'],
  examples: ['msrp-bot dev', 'msrp-bot dev bots/echo.ts bots/moderator.ts --rooms lobby,dev', 'msrp-bot dev bot.ts --port 0 --no-chat', 'msrp-bot dev bot.ts --web-port 9000'],
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
    const server = { ...parseServerOptions(spec.name, line, io), ...parseFileFlags(spec.name, line.values) }
    const web = webPort(line.values, server)
    const defaultPorts = (['port', 'msrp-port', 'ws-port'] as const).filter((flag) => line.values[flag] === undefined && (flag !== 'ws-port' || line.values['web-port'] === undefined))
    return { botFiles, server: { ...server, wsPort: web ?? server.wsPort }, chat: !booleanFlag(line.values, 'no-chat'), defaultPorts }
  },
  execute: (options, context) => startDev(options, context),
}

/**
 * The port of the browser chat page: `--web-port`, else `--ws-port` (one listener serves the
 * page and SIP and MSRP over WebSocket), else {@link DEFAULT_WEB_PORT}; undefined with `--no-web`.
 */
function webPort(values: ParsedCommandLine['values'], server: { readonly port: number; readonly msrpPort: number; readonly wsPort: number | undefined }): number | undefined {
  const raw = stringFlag(values, 'web-port')
  if (booleanFlag(values, 'no-web')) {
    if (raw !== undefined) throw new CliUsageError(`${spec.name}: --web-port and --no-web contradict each other; give one`, { command: spec.name })
    return undefined
  }
  if (raw === undefined) return server.wsPort ?? DEFAULT_WEB_PORT
  const port = parsePort(spec.name, '--web-port', raw, { allowZero: true })
  if (server.wsPort !== undefined && server.wsPort !== port) {
    throw new CliUsageError(`${spec.name}: --web-port ${port} and --ws-port ${server.wsPort} differ, but the page, SIP and MSRP over WebSocket share one port; give one of them`, { command: spec.name })
  }
  for (const [flag, other] of [['--port', server.port], ['--msrp-port', server.msrpPort]] as const) {
    if (port !== 0 && port === other) throw new CliUsageError(`${spec.name}: --web-port and ${flag} are both ${port}; give each listener its own port`, { command: spec.name })
  }
  return port
}
