// Shared setup for bot-layer tests: a bot on a FakeChatBackend with a silent or memory logger.
import { createBot } from '../../src/bot/bot.ts'
import type { Bot, BotOptions } from '../../src/bot/bot.ts'
import type { BotConfigInput } from '../../src/bot/config.ts'
import type { Context } from '../../src/bot/context.ts'
import { FakeChatBackend } from '../../src/bot/fake-backend.ts'
import { createMemoryLogger } from '../../src/logger.ts'

export const BOT_URI = 'sip:echo@example.test'
export const LOBBY = 'sip:lobby@chat.example.test'
export const ALICE = 'sip:alice@example.test'
export const BOB = 'sip:bob@example.test'

/** A bot (not started) on a fake backend, with a memory logger and no client-side pacing. */
export function setup<C extends Context = Context>(
  config: Partial<BotConfigInput> = {},
  options: BotOptions<C> = {},
) {
  const backend = new FakeChatBackend({ uri: BOT_URI })
  const logger = createMemoryLogger()
  const bot: Bot<C> = createBot<C>({ uri: BOT_URI, rateLimit: false, ...config }, { backend, logger, ...options })
  const lobby = backend.room(LOBBY)
  return { bot, backend, logger, lobby }
}

/** setup(), then start, populate the lobby with alice and bob, and join it as 'echo'. */
export async function started<C extends Context = Context>(
  register: (bot: Bot<C>) => void,
  config: Partial<BotConfigInput> = {},
  options: BotOptions<C> = {},
) {
  const s = setup<C>(config, options)
  register(s.bot)
  await s.bot.start()
  await s.lobby.add(ALICE, 'alice')
  await s.lobby.add(BOB, 'bob')
  const room = await s.bot.join(LOBBY, { nickname: 'echo' })
  return { ...s, room }
}
