// bots/echo.ts on the in-process chat server, driven by scripted participants through
// `msrp-bot/testing`. The bot file makes its bot when imported and reads SIP_URI then, so the
// environment is set first and the module is imported in before() (node:test runs each test
// file in its own process: this file's env and module instance are its own).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Bot } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

describe('bots/echo.ts', () => {
  let chat: TestChat
  let bot: Bot
  let alice: TestParticipant
  let bob: TestParticipant

  before(async () => {
    process.env['MSRP_BOT_LOG_LEVEL'] ??= 'warn'
    process.env['SIP_URI'] = 'sip:echo@example.test'
    chat = await createTestChat({ rooms: ['lobby', 'dev'] })
    bot = chat.attach((await import('../../bots/echo.ts')).default)
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'echo' })
    alice = await chat.participant('alice')
    bob = await chat.participant('bob')
    await alice.join()
    await bob.join()
    await chat.settled()
  })

  after(() => chat.close())

  it('takes its identity from SIP_URI', () => {
    assert.equal(bot.uri, 'sip:echo@example.test')
    assert.equal(bot.room(chat.roomUri('lobby'))?.nickname, 'echo')
  })

  it('repeats what people say in the room, for everyone to see', async () => {
    alice.clear()
    bob.clear()
    await alice.say('hello everyone')
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: hello everyone', 'echo: you said: hello everyone'])
    assert.deepEqual(bob.lines, ['alice: hello everyone', 'echo: you said: hello everyone'])
  })

  it('answers a private message privately: only the sender sees the answer', async () => {
    alice.clear()
    bob.clear()
    await alice.whisper('echo', 'psst')
    await chat.settled()
    assert.deepEqual(alice.whispers, ['only you can see this: you said "psst"'])
    const answer = alice.transcript.find((e) => e.kind === 'private' && e.direction === 'received')
    assert.equal(answer?.nickname, 'echo')
    assert.deepEqual(alice.lines, [])
    assert.deepEqual(bob.transcript, [])
  })

  it('/help explains the bot instead of echoing it', async () => {
    alice.clear()
    await alice.say('/help')
    const help = await alice.expectMessage(/repeat what you say/, { from: 'echo', kind: 'public' })
    assert.match(help.text, /Commands: \/help/)
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: /help', `echo: ${help.text}`])
  })

  it('ignores commands meant for other bots (lines starting with "/")', async () => {
    alice.clear()
    await alice.say('/rules')
    await alice.say('/kick bob')
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: /rules', 'alice: /kick bob'])
  })

  it('answers each person in turn, in order', async () => {
    alice.clear()
    await alice.say('one')
    await bob.say('two')
    await alice.say('three')
    await chat.settled()
    assert.deepEqual(alice.lines.filter((l) => l.startsWith('echo:')), ['echo: you said: one', 'echo: you said: two', 'echo: you said: three'])
  })

  it('welcomes nobody and says nothing when someone joins or leaves (it only answers)', async () => {
    const carol = await chat.participant('carol')
    alice.clear()
    await carol.join()
    await carol.leave()
    await chat.settled()
    assert.deepEqual(alice.transcript, [])
  })

  it('echoes a direct MESSAGE to its own address, and a 1:1 chat, each on its own path', async () => {
    alice.clear()
    await alice.message('echo', 'outside the room')
    await alice.expectMessage('you said: outside the room', { kind: 'direct', from: 'sip:echo@example.test' })
    const session = await alice.chatWith('echo')
    await session.send('just us')
    await alice.expectMessage('you said: just us', { kind: 'direct' })
    await session.close()
    await chat.settled()
    // Nothing of it reached the room.
    assert.deepEqual(bob.transcript.filter((e) => /outside the room|just us/.test(e.text)), [])
  })

  it('joins a room it is invited to, and echoes there', async () => {
    const dana = await chat.participant('dana')
    await dana.join('dev')
    const dev = await chat.invite(bot, dana)
    assert.equal(dev.uri, chat.roomUri('dev'))
    await dana.say('anyone here?')
    await dana.expectMessage('you said: anyone here?', { from: 'echo' })
    await dana.leave()
  })
})
