import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock, flushMicrotasks } from '../../../src/clock.ts'
import { ConversationTimeoutError, conversations } from '../../../src/bot/session/conversation.ts'
import type { ConversationState, Conversations } from '../../../src/bot/session/conversation.ts'
import { memoryStorage } from '../../../src/bot/session/storage.ts'
import type { StorageAdapter } from '../../../src/bot/session/storage.ts'
import type { Bot } from '../../../src/bot/bot.ts'
import { ALICE, BOB, LOBBY, started } from '../helpers.ts'
import { silentLogger } from '../../../src/logger.ts'

/** A signup dialogue; `effects` counts side effects so tests see they ran once. */
function signupBot(dialogs: Conversations, effects: string[]) {
  return (bot: Bot) => {
    dialogs.define('signup', async (conv) => {
      await conv.reply('Signing you up.')
      const name = await conv.ask('What is your name?')
      const id = await conv.step(() => {
        effects.push(`allocated id for ${name}`)
        return effects.length
      })
      const team = await conv.ask(`Hi ${name}! Which team?`)
      await conv.reply(`Welcome ${name} (#${id}) of ${team}`)
    })
    bot.use(dialogs)
    bot.command('signup', (ctx) => dialogs.enter(ctx, 'signup'))
    bot.command('private-signup', (ctx) => dialogs.enter(ctx, 'signup', { privately: true }))
    bot.on('message', (ctx) => ctx.reply(`echo ${ctx.text}`))
    bot.on('private', (ctx) => ctx.reply(`private echo ${ctx.text}`))
  }
}

describe('conversations()', () => {
  it('asks, waits for the same person, and lets everyone else reach the other handlers meanwhile', async () => {
    const effects: string[] = []
    const dialogs = conversations({ logger: silentLogger })
    const { lobby } = await started(signupBot(dialogs, effects))
    await lobby.say('alice', '/signup')
    await lobby.say('bob', 'lunch?') // not alice: the echo handler answers
    await lobby.say('alice', 'Alice')
    await lobby.say('alice', 'red')
    await lobby.say('alice', 'after') // the dialogue is over: echo again
    assert.deepEqual(lobby.publicTexts(), [
      'Signing you up.',
      'What is your name?',
      'echo lunch?',
      'Hi Alice! Which team?',
      'Welcome Alice (#1) of red',
      'echo after',
    ])
    assert.deepEqual(effects, ['allocated id for Alice']) // the step ran once, though replayed twice
  })

  it('asks privately and takes only private answers; public messages go on to the other handlers', async () => {
    const dialogs = conversations({ logger: silentLogger })
    const { lobby } = await started(signupBot(dialogs, []))
    await lobby.say('alice', '/private-signup')
    await lobby.say('alice', 'Alice in public')
    await lobby.whisper('alice', 'Alice')
    await lobby.whisper('alice', 'blue')
    assert.deepEqual(lobby.publicTexts(), ['echo Alice in public'])
    assert.deepEqual(lobby.privateTexts(ALICE), ['Signing you up.', 'What is your name?', 'Hi Alice! Which team?', 'Welcome Alice (#1) of blue'])
  })

  it('continues after a restart where it was: no question asked twice, no step run twice', async () => {
    const storage = memoryStorage<ConversationState>() // shared by both bots, as a file or Redis would be
    const effects: string[] = []
    const before = await started(signupBot(conversations({ storage, logger: silentLogger }), effects))
    await before.lobby.say('alice', '/signup')
    await before.lobby.say('alice', 'Alice')
    await before.bot.stop()
    assert.deepEqual((await storage.read(`conversation:${LOBBY} ${ALICE}`))?.log.map((e) => e.op), ['reply', 'ask', 'step', 'ask'])

    const after = await started(signupBot(conversations({ storage, logger: silentLogger }), effects))
    await after.lobby.say('alice', 'green')
    assert.deepEqual(after.lobby.publicTexts(), ['Welcome Alice (#1) of green'])
    assert.deepEqual(effects, ['allocated id for Alice'])
    assert.equal(await storage.read(`conversation:${LOBBY} ${ALICE}`), undefined) // done: forgotten
  })

  it('invite() starts one from outside an update (a schedule): its first ask gets the answer', async () => {
    const storage = memoryStorage<ConversationState>()
    const dialogs = conversations({ storage, logger: silentLogger })
    const effects: string[] = []
    const { lobby, room } = await started((bot) => {
      dialogs.define('standup', async (conv) => {
        const yesterday = await conv.ask('What did you do yesterday?')
        const today = await conv.ask('And today?')
        await conv.step(() => void effects.push(`${yesterday} / ${today}`))
      })
      bot.use(dialogs)
      bot.on('private', (ctx) => ctx.reply(`private echo ${ctx.text}`))
      bot.on('message', (ctx) => ctx.reply(`echo ${ctx.text}`))
    })
    await dialogs.invite(room, ALICE, 'standup', 'What did you do yesterday?')
    assert.deepEqual(lobby.privateTexts(ALICE), ['What did you do yesterday?'])
    await lobby.say('alice', 'in public') // a private invitation waits for a private answer
    await lobby.whisper('alice', 'tests')
    await lobby.whisper('alice', 'docs')
    assert.deepEqual(lobby.privateTexts(ALICE), ['What did you do yesterday?', 'And today?'])
    assert.deepEqual(lobby.publicTexts(), ['echo in public'])
    assert.deepEqual(effects, ['tests / docs'])
    assert.equal(await storage.read(`conversation:${LOBBY} ${ALICE}`), undefined)

    await assert.rejects(dialogs.invite(room, BOB, 'nope', 'a question'), { code: 'BOT_CONVERSATION_UNKNOWN' })
    assert.deepEqual(lobby.privateTexts(BOB), [], 'nothing sent for an unknown conversation')
  })

  it('times out at the deadline on the clock, and after a restart at the next message', async () => {
    const clock = new FakeClock(1_000_000)
    const storage = memoryStorage<ConversationState>()
    const register = (dialogs: Conversations) => (bot: Bot) => {
      dialogs.define('quiz', async (conv) => {
        try {
          await conv.ask('2 + 2?', { timeoutMs: 5000 })
          await conv.reply('thanks')
        } catch (error) {
          if (!(error instanceof ConversationTimeoutError)) throw error
          await conv.reply('too slow')
        }
      })
      bot.use(dialogs)
      bot.command('quiz', (ctx) => dialogs.enter(ctx, 'quiz'))
      bot.on('message', (ctx) => ctx.reply(`echo ${ctx.text}`))
    }
    const first = conversations({ storage, clock, logger: silentLogger })
    const { lobby } = await started(register(first))
    await lobby.say('alice', '/quiz')
    await clock.advanceAsync(4999)
    assert.deepEqual(lobby.publicTexts(), ['2 + 2?'])
    await clock.advanceAsync(1)
    await flushMicrotasks()
    assert.deepEqual(lobby.publicTexts(), ['2 + 2?', 'too slow'])
    await lobby.say('alice', '4') // too late: an ordinary message now
    assert.deepEqual(lobby.publicTexts(), ['2 + 2?', 'too slow', 'echo 4'])
    first.close()

    // A bot that was down at the deadline: the late answer tells the conversation, then goes on.
    const second = conversations({ storage, clock, logger: silentLogger })
    const again = await started(register(second))
    await again.lobby.say('alice', '/quiz')
    second.close() // "the bot stopped": its timers are gone, the progress stays in storage
    await clock.advanceAsync(6000)
    const third = conversations({ storage, clock, logger: silentLogger })
    const restarted = await started(register(third))
    await restarted.lobby.say('alice', '4')
    assert.deepEqual(restarted.lobby.publicTexts(), ['too slow', 'echo 4'])
    third.close()
  })

  it('ends a conversation whose code no longer matches its log, with an error that says why', async () => {
    const storage = memoryStorage<ConversationState>()
    await storage.write(`conversation:${LOBBY} ${ALICE}`, {
      name: 'signup', room: LOBBY, person: ALICE, privately: false, log: [{ op: 'step' }, { op: 'ask', deadline: null }],
    })
    const errors: Array<{ code?: string; message: string }> = []
    const { bot, lobby } = await started(signupBot(conversations({ storage, logger: silentLogger }), []))
    bot.catch((err) => void errors.push(err.error as { code?: string; message: string }))
    await lobby.say('alice', 'Alice')
    assert.equal(errors[0]?.code, 'BOT_CONVERSATION_REPLAY')
    assert.match(errors[0]!.message, /did 'reply' where its log has 'step'/)
    assert.equal(await storage.read(`conversation:${LOBBY} ${ALICE}`), undefined)
  })

  it('refuses to enter without the middleware, or an unknown conversation', async () => {
    const dialogs = conversations({ logger: silentLogger })
    const errors: Array<{ code?: string }> = []
    const { bot, lobby } = await started((bot) => {
      bot.command('early', (ctx) => dialogs.enter(ctx, 'x'))
      bot.use(dialogs)
      bot.command('nope', (ctx) => dialogs.enter(ctx, 'missing'))
    })
    bot.catch((err) => void errors.push(err.error as { code?: string }))
    await lobby.say('alice', '/early')
    await lobby.say('alice', '/nope')
    assert.deepEqual(errors.map((e) => e.code), ['BOT_CONVERSATION_NOT_INSTALLED', 'BOT_CONVERSATION_UNKNOWN'])
  })

  it('bounds the operations of one conversation (a loop of replies cannot grow the log forever)', async () => {
    const storage: StorageAdapter<ConversationState> = memoryStorage()
    const dialogs = conversations({ storage, maxSteps: 3, logger: silentLogger })
    const errors: Array<{ code?: string }> = []
    const { bot, lobby } = await started((bot) => {
      dialogs.define('chatty', async (conv) => {
        for (;;) await conv.reply('again')
      })
      bot.use(dialogs)
      bot.command('chatty', (ctx) => dialogs.enter(ctx, 'chatty'))
    })
    bot.catch((err) => void errors.push(err.error as { code?: string }))
    await lobby.say('alice', '/chatty')
    assert.deepEqual(errors.map((e) => e.code), ['BOT_CONVERSATION_TOO_LONG'])
    assert.equal(lobby.publicTexts().length, 3)
  })
})
