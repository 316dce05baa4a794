/**
 * `msrp-bot run`: one bot on a real SIP network, until Ctrl-C.
 *
 * @module
 */
import { createConsoleLogger } from '../bot/index.ts'
import { createNodeChatBackend } from '../chat/index.ts'
import { loadBotModule } from './bot-module.ts'
import { backendConfigFor } from './network-backend.ts'
import { withEnv } from './scoped-env.ts'
import type { RunOptions, RuntimeContext } from './runtime-options.ts'
import { untilAborted } from './until-aborted.ts'

/**
 * Loads the bot module with the command line's identity (`SIP_URI` is set to `--uri`, and
 * `MSRP_BOT_LOG_LEVEL` to the command's log level, while it loads, so a bot written as
 * `createBot({ uri: process.env.SIP_URI ?? ... })` takes it), starts it (REGISTER and PUBLISH
 * when there is a registrar; without one it is reachable only in its rooms),
 * joins the rooms, and on Ctrl-C stops it: pending sends drained, rooms left, presence removed,
 * unregistered.
 */
export async function runBotCommand(options: RunOptions, context: RuntimeContext): Promise<void> {
  const logger = createConsoleLogger(options.logLevel)
  // The bot's own logger follows the command's level (--log-level, else MSRP_BOT_LOG_LEVEL).
  const env = { SIP_URI: options.account.uri, MSRP_BOT_LOG_LEVEL: options.logLevel }
  const bot = await withEnv(env, () =>
    loadBotModule(options.botFile, {
      backendFactory: (config) => createNodeChatBackend(backendConfigFor(options.account, config), { logger }),
    }),
  )
  await bot.start()
  const out = (line: string): void => void context.io.stdout.write(`${line}\n`)
  // The same choice as backendConfigFor: the command line's registrar, else the bot config's, else none.
  const registers = typeof (options.account.registrar ?? bot.config.registrar) === 'string'
  out(registers ? `msrp-bot: ${bot.backend.uri} registered` : `msrp-bot: ${bot.backend.uri} started without a registrar (reachable only in the rooms it joins)`)
  try {
    for (const room of options.rooms) {
      const joined = await bot.join(room, { nickname: options.nickname, retryNicknames: true })
      out(`msrp-bot: joined ${room} as ${joined.nickname ?? options.nickname}`)
    }
    out('msrp-bot: running; Ctrl-C stops the bot')
    await untilAborted(context.signal)
  } finally {
    out(`msrp-bot: stopping (leaving rooms${registers ? ', unregistering' : ''})`)
    await bot.stop()
  }
}

