// roomWith() from msrp-bot/testing, and the run-time checks of participant.join (issue 17, item 7).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createBot } from '../../src/index.ts'
import type { Bot } from '../../src/index.ts'
import { createTestChat, roomWith } from '../../src/testing/index.ts'
import type { TestChat } from '../../src/testing/index.ts'

describe('roomWith', () => {
  let chat: TestChat
  let bot: Bot
  before(async () => {
    chat = await createTestChat({ domain: 'localhost', autoCreateRooms: true })
    const echo = createBot({ uri: 'sip:echo@localhost', logLevel: 'silent' })
    echo.on('message:text', (ctx) => ctx.reply(`you said: ${ctx.text}`))
    bot = chat.attach(echo)
    await bot.start()
  })
  after(() => chat.close())

  test('puts the bot and the people in a fresh room, transcripts empty', async () => {
    const { alice, bob } = await roomWith(chat, bot, ['alice', 'bob'])
    assert.deepEqual(bob.lines, [])
    await alice.say('hello')
    await chat.settled()
    assert.deepEqual(bob.lines, ['alice: hello', 'echo: you said: hello'])
  })

  test('the next call moves the same people to another room, starting clean', async () => {
    const first = await roomWith(chat, bot, ['alice'])
    const { alice, carol } = await roomWith(chat, bot, ['alice', 'carol'])
    assert.equal(alice, first.alice)
    await carol.say('hi')
    await chat.settled()
    assert.deepEqual(alice.lines, ['carol: hi', 'echo: you said: hi'])
  })

  test('names must be a list of user names', async () => {
    await assert.rejects(roomWith(chat, bot, 'alice' as unknown as string[]), /names is a list of user names, e.g. \['alice', 'bob'\]/)
  })
})

describe('participant.join checks its arguments at run time', () => {
  let chat: TestChat
  before(async () => {
    chat = await createTestChat({ domain: 'localhost', rooms: ['lobby'] })
  })
  after(() => chat.close())

  test('a room that is not a string is refused with what was given', async () => {
    const alice = await chat.participant('alice')
    await assert.rejects(alice.join({ room: 'lobby' } as unknown as string), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TEST_BAD_ROOM')
      assert.match(error.message, /alice\.join\(room\): room must be a room name \('lobby'\) or URI .* string; got an object with keys room/)
      assert.doesNotMatch(error.message, /\[object Object\]/)
      return true
    })
  })

  test('options must be { nickname?: string }', async () => {
    const alice = await chat.participant('alice2')
    await assert.rejects(alice.join('lobby', { nickname: 7 } as unknown as { nickname: string }), /options is \{ nickname\?: string \}/)
  })
})
