// Done-when checks of sessions and conversations, on msrp-bot/testing (the real chat layer in
// memory): state survives a bot restart on file and Redis storage, a dialogue resumes after a
// restart, and one person's messages sent together are handled one after the other.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { conversations, createBot, fileStorage, redisStorage, session, silentLogger } from '../../src/index.ts'
import type { ConversationState, SessionContext, StorageAdapter } from '../../src/index.ts'
import { createTestChat } from '../../src/testing/index.ts'
import type { TestChat } from '../../src/testing/index.ts'
import { redisAvailable, startRedis } from '../bot/session/redis-server.ts'

type Ctx = SessionContext<{ count: number }>

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-bot-remember-'))
  dirs.push(dir)
  return dir
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

/** Starts a counter bot on `storage` in the chat's lobby: what a bot.ts with session() does. */
async function startCounter(chat: TestChat, storage: StorageAdapter<{ count: number }>) {
  const bot = chat.attach(createBot<Ctx>({ uri: 'sip:counter@example.test', rateLimit: false }, { logger: silentLogger }))
  bot.use(session({ initial: () => ({ count: 0 }), storage }))
  bot.command('count', (ctx) => ctx.reply(`${ctx.sender!.nickname}: ${++ctx.session.count}`))
  await bot.start()
  await bot.join(chat.roomUri('lobby'), { nickname: 'counter' })
  return bot
}

async function counterSurvivesRestart(storage: () => StorageAdapter<{ count: number }>): Promise<void> {
  const chat = await createTestChat()
  try {
    const alice = await chat.participant('alice')
    await alice.join()
    const first = await startCounter(chat, storage())
    await alice.say('/count')
    await alice.say('/count')
    await chat.settled()
    await first.stop()
    const second = await startCounter(chat, storage()) // a new process would build the same
    await alice.say('/count')
    await chat.settled()
    await second.stop()
    assert.deepEqual(alice.lines.filter((l) => l.startsWith('counter:')), ['counter: alice: 1', 'counter: alice: 2', 'counter: alice: 3'])
  } finally {
    await chat.close()
  }
}

describe('bots that remember, on msrp-bot/testing', () => {
  it('a session counter survives a bot restart with fileStorage', async () => {
    const dir = await tempDir()
    await counterSurvivesRestart(() => fileStorage({ dir }))
  })

  const redis = redisAvailable()
  it('a session counter survives a bot restart with redisStorage (real redis-server)', { skip: redis.ok ? false : redis.why }, async () => {
    const server = await startRedis()
    const opened: Array<{ close(): Promise<void> }> = []
    try {
      await counterSurvivesRestart(() => {
        const storage = redisStorage<{ count: number }>({ url: server.url })
        opened.push(storage)
        return storage
      })
    } finally {
      for (const storage of opened) await storage.close()
      await server.stop()
    }
  })

  it('a conversation resumes after a restart mid-dialogue', async () => {
    const dir = await tempDir()
    const chat = await createTestChat()
    const start = async () => {
      const dialogs = conversations({ storage: fileStorage<ConversationState>({ dir }), logger: silentLogger })
      dialogs.define('signup', async (conv) => {
        const name = await conv.ask('What is your name?')
        const team = await conv.ask(`Hi ${name}! Which team?`)
        await conv.reply(`${name} joins ${team}`)
      })
      const bot = chat.attach(createBot({ uri: 'sip:greeter@example.test', rateLimit: false }, { logger: silentLogger }))
      bot.use(dialogs)
      bot.command('signup', (ctx) => dialogs.enter(ctx, 'signup', { privately: true }))
      bot.on('message', (ctx) => ctx.reply(`heard ${ctx.text}`))
      await bot.start()
      await bot.join(chat.roomUri('lobby'), { nickname: 'greeter' })
      return { bot, dialogs }
    }
    try {
      const alice = await chat.participant('alice')
      const bob = await chat.participant('bob')
      await alice.join()
      await bob.join()
      const first = await start()
      await alice.say('/signup')
      await chat.settled()
      await alice.whisper('greeter', 'Alice')
      await chat.settled()
      await first.bot.stop() // mid-dialogue: the team question is out, unanswered
      first.dialogs.close()
      const second = await start()
      await bob.say('anyone?') // others keep reaching the other handlers
      await alice.whisper('greeter', 'blue')
      await chat.settled()
      assert.deepEqual(alice.whispers, ['What is your name?', 'Hi Alice! Which team?', 'Alice joins blue'])
      assert.ok(bob.lines.includes('greeter: heard anyone?'))
      await second.bot.stop()
      second.dialogs.close()
    } finally {
      await chat.close()
    }
  })

  it('two messages sent together by one person are handled one after the other', async () => {
    const chat = await createTestChat()
    try {
      const events: string[] = []
      const bot = chat.attach(createBot<Ctx>({ uri: 'sip:counter@example.test', rateLimit: false }, { logger: silentLogger }))
      bot.use(session({ initial: () => ({ count: 0 }) }))
      bot.on('message', async (ctx) => {
        const seen = ctx.session.count
        events.push(`${ctx.text} read ${seen}`)
        await ctx.reply(`${ctx.text} seen after ${seen}`) // a slow step between read and write
        ctx.session.count = seen + 1
        events.push(`${ctx.text} wrote ${seen + 1}`)
      })
      await bot.start()
      await bot.join(chat.roomUri('lobby'), { nickname: 'counter' })
      const alice = await chat.participant('alice')
      await alice.join()
      await Promise.all([alice.say('one'), alice.say('two')])
      await chat.settled()
      assert.deepEqual(events, ['one read 0', 'one wrote 1', 'two read 1', 'two wrote 2'])
      assert.deepEqual(alice.lines.filter((l) => l.startsWith('counter:')), ['counter: one seen after 0', 'counter: two seen after 1'])
    } finally {
      await chat.close()
    }
  })
})
