// Room history through the whole stack: the msrp-bot server replays, the room client reads the
// marker, bots get 'history' updates (never 'message'), participants see it in `history`.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createBot } from '../../src/index.ts'
import type { Bot } from '../../src/index.ts'
import { createTestChat } from '../../src/testing/index.ts'
import type { TestChat } from '../../src/testing/index.ts'

describe('room history in msrp-bot/testing', () => {
  let chat: TestChat
  before(async () => {
    chat = await createTestChat({ domain: 'localhost', rooms: ['lobby', 'quiet'] })
  })
  after(() => chat.close())

  test("a bot that joins late gets the room's history as 'history', answers none of it, and room.history() has it", async () => {
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob')
    await alice.join('lobby')
    await bob.join('lobby')
    await alice.say('who can help me?')
    await alice.whisper('bob', 'a secret')
    await bob.say('/help')
    await chat.settled()

    const replayed: string[] = []
    const answered: string[] = []
    const echo = createBot({ uri: 'sip:echo@localhost', logLevel: 'silent' })
    echo.on('history', (ctx) => { replayed.push(`${ctx.sender.nickname ?? ctx.sender.uri}: ${ctx.text} @${ctx.timestamp.toISOString().slice(0, 4)}`) })
    echo.on('message:text', (ctx) => { answered.push(ctx.text); return ctx.reply(`you said: ${ctx.text}`) })
    echo.command('help', (ctx) => ctx.reply('help!'))
    const bot: Bot = chat.attach(echo)
    await bot.start()
    const room = await bot.join('sip:lobby@localhost', { nickname: 'echo' })
    await chat.settled()
    const year = String(new Date().getUTCFullYear())
    assert.deepEqual(replayed, [`alice: who can help me? @${year}`, `bob: /help @${year}`], 'public history, in order, with a DateTime; never the private message')
    assert.deepEqual(answered, [], "no 'message' handler ran for the history")
    assert.deepEqual(room.history().map((m) => m.text), ['who can help me?', '/help'])
    assert.ok(!alice.lines.some((l) => l.startsWith('echo:')), 'the bot answered nothing from before')

    // A person who joins late sees the history first, then what is said live.
    const carol = await chat.participant('carol')
    await carol.join('lobby')
    await alice.say('live now')
    await chat.settled()
    assert.deepEqual(carol.historyLines, ['alice: who can help me?', 'bob: /help'])
    assert.deepEqual(carol.lines, ['alice: live now', 'echo: you said: live now'])
    assert.deepEqual(answered, ['live now'])

    // Leaving and coming back replays only what was said meanwhile.
    await carol.leave()
    await bob.say('while carol was away')
    await chat.settled()
    carol.clear()
    await carol.join('lobby')
    await chat.settled()
    assert.deepEqual(carol.historyLines, ['bob: while carol was away', 'echo: you said: while carol was away'])

    // A dropped connection: carol and the bot re-join by themselves, and nothing is replayed again.
    carol.clear()
    carol.dropConnection()
    await chat.settled()
    await alice.say('after the drop')
    await chat.settled()
    assert.ok(carol.events.some((e) => e.type === 'connection' && e.state === 'reconnected'), 'carol did reconnect and re-join')
    assert.deepEqual(carol.historyLines, [], 'a reconnect is no new arrival')
    assert.deepEqual(carol.lines, ['alice: after the drop', 'echo: you said: after the drop'])
    assert.equal(replayed.length, 2, 'the bot got its history once')
    await bot.stop()
  })
})
