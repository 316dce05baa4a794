/**
 * What the `msrp-bot` commands run once their options are parsed and checked: the seam
 * between the command line (this folder) and the chat server / SIP client that do the work.
 *
 * Each command parses its flags into one of the option types below (every value validated,
 * defaults applied, secrets read from the environment) and calls the matching function. The
 * functions resolve when the command is done (the server or client was stopped, e.g. with
 * Ctrl-C through `signal`) and reject with an `MsrpBotError` otherwise.
 *
 * The work itself lives in one module per command (dev-runtime, run-runtime, chat-runtime;
 * the server is src/server's CLI entry), loaded on demand so `--help` stays fast.
 *
 * @module
 */
import { runChatServerCli } from '../server/index.ts'
import { createConsoleLogger } from '../bot/index.ts'
import { serverCliOptions } from './server-settings.ts'
export type { SipTransportName, CliLogLevel, UserAccount, ServerOptions, DevOptions, SipAccountOptions, RunOptions, ChatOptions, RuntimeContext } from './runtime-options.ts'
import type { ChatOptions, DevOptions, RunOptions, RuntimeContext, ServerOptions } from './runtime-options.ts'


/**
 * Runs the chat server until `context.signal` aborts.
 *
 * @example
 * ```ts
 * await startServer({ host: '127.0.0.1', advertise: undefined, port: 5060, domain: 'localhost', rooms: ['lobby'], users: undefined, wsPort: undefined, msrpPort: 2855, logLevel: 'info' }, context)
 * ```
 */
export async function startServer(options: ServerOptions, context: RuntimeContext): Promise<void> {
  await runChatServerCli({
    ...serverCliOptions(options, createConsoleLogger(options.logLevel)),
    out: (line) => context.io.stdout.write(`${line}\n`),
    signal: context.signal,
  })
}

/**
 * Runs a local server with the bots in its rooms until `context.signal` aborts.
 *
 * @example
 * ```ts
 * await startDev({ botFiles: ['/abs/bot.ts'], server, chat: true }, context)
 * ```
 */
export async function startDev(options: DevOptions, context: RuntimeContext): Promise<void> {
  const { runDevCommand } = await import('./dev-runtime.ts')
  await runDevCommand(options, context)
}

/**
 * Runs one bot against a SIP network until `context.signal` aborts.
 *
 * @example
 * ```ts
 * await runBot({ botFile: '/abs/bot.ts', account, rooms: ['sip:lobby@chat.example.com'], nickname: 'echo', logLevel: 'info' }, context)
 * ```
 */
export async function runBot(options: RunOptions, context: RuntimeContext): Promise<void> {
  const { runBotCommand } = await import('./run-runtime.ts')
  await runBotCommand(options, context)
}

/**
 * Runs the terminal chat client until the user quits or `context.signal` aborts.
 *
 * @example
 * ```ts
 * await startChat({ room: 'sip:lobby@localhost', account, nickname: 'alice', logLevel: 'warn' }, context)
 * ```
 */
export async function startChat(options: ChatOptions, context: RuntimeContext): Promise<void> {
  const { runChatCommand } = await import('./chat-runtime.ts')
  await runChatCommand(options, context)
}
