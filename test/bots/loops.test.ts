// No bot loops: bots/echo.ts twice, and echo with bots/moderator.ts, in one room of
// `msrp-bot/testing` with a person. The server marks bots from the RFC 3840 automaton tag in their
// Contact, and bots ignore public messages from bots. Each bot file makes its bot when imported
// and reads SIP_URI then, so each copy is imported under its own query string.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import type { Bot } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat } from 'msrp-bot/testing'

process.env['MSRP_BOT_LOG_LEVEL'] ??= 'warn'

async function load(file: string, uri: string, copy: string): Promise<Bot> {
  process.env['SIP_URI'] = uri
  return (await import(`../../bots/${file}?${copy}`)).default as Bot
}

describe('no bot loops', () => {
  let chat: TestChat | undefined
  afterEach(() => chat?.close())

  it('two echo bots and a person: one "hi" gives exactly two bot answers', async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    const echo = chat.attach(await load('echo.ts', 'sip:echo@example.test', 'one'))
    const parrot = chat.attach(await load('echo.ts', 'sip:parrot@example.test', 'two'))
    for (const [bot, nickname] of [[echo, 'echo'], [parrot, 'parrot']] as const) {
      await bot.start()
      await bot.join(chat.roomUri('lobby'), { nickname })
    }
    const alice = await chat.participant('alice')
    await alice.join()
    await chat.settled()
    assert.equal(echo.room(chat.roomUri('lobby'))?.find('parrot')?.isBot, true, 'the server says parrot is a bot')
    assert.equal(echo.room(chat.roomUri('lobby'))?.find('alice')?.isBot, false, 'and that alice is a person')
    alice.clear()
    await alice.say('hi')
    await chat.settled()
    assert.deepEqual([...alice.lines].sort(), ['alice: hi', 'echo: you said: hi', 'parrot: you said: hi'])
  })

  it('echo + moderator: a person saying "spam" twice is removed, echo never', async () => {
    chat = await createTestChat({ rooms: { lobby: { moderators: ['sip:moderator@example.test'] } } })
    const echo = chat.attach(await load('echo.ts', 'sip:echo@example.test', 'three'))
    const moderator = chat.attach(await load('moderator.ts', 'sip:moderator@example.test', 'four'))
    await moderator.start()
    await moderator.join(chat.roomUri('lobby'), { nickname: 'moderator' })
    await echo.start()
    await echo.join(chat.roomUri('lobby'), { nickname: 'echo' })
    const alice = await chat.participant('alice')
    await alice.join()
    await chat.settled()
    alice.clear()
    await alice.say('spam')
    await chat.settled()
    await alice.say('spam again')
    await chat.settled()
    const lobby = chat.roomUri('lobby')
    assert.ok(echo.room(lobby) !== undefined, 'echo is still in the room')
    assert.equal(moderator.room(lobby)?.find('alice'), undefined, 'alice was removed')
    assert.equal(moderator.room(lobby)?.find('echo')?.nickname, 'echo')
    // echo answered alice's first message only (the second removed her), and never the moderator.
    assert.ok(!alice.lines.some((l) => l.startsWith('echo: you said: alice, please')), alice.lines.join('\n'))
  })
})
