import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createBot, silentLogger } from '../../src/index.ts'
import type { Bot } from '../../src/index.ts'
import { createTestChat } from '../../src/testing/index.ts'
import type { TestChat, TestParticipant } from '../../src/testing/index.ts'

function echoBot(chat: TestChat): Bot {
  const bot = chat.attach(createBot({ uri: 'sip:echo@example.test', rateLimit: false }, { logger: silentLogger }))
  bot.command('help', (ctx) => ctx.reply('I echo what you say'))
  bot.on('private', (ctx) => ctx.replyPrivately(`only you see this: ${ctx.text ?? ''}`))
  bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text ?? ''}`))
  bot.on('join', (ctx) => ctx.reply(`welcome ${ctx.participant?.nickname ?? 'stranger'}`))
  return bot
}

describe('createTestChat with a bot', () => {
  let chat: TestChat
  let bot: Bot
  let alice: TestParticipant

  before(async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    bot = echoBot(chat)
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'echo' })
    alice = await chat.participant('alice')
    await alice.join('lobby')
    await chat.settled()
  })

  after(() => chat.close())

  it('createBot(config) runs on the default SipChatBackend, pointed at the chat by attach()', () => {
    assert.equal(bot.backend.constructor.name, 'SipChatBackend')
    assert.equal(bot.state, 'running')
  })

  it('settled() waits until a message was delivered, handled and the reply arrived', async () => {
    alice.clear()
    await alice.say('hi')
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: hi', 'echo: you said: hi'])
  })

  it('transcripts record public and private messages with who sent them', async () => {
    alice.clear()
    await alice.whisper('echo', 'secret')
    await chat.settled()
    assert.deepEqual(alice.whispers, ['only you see this: secret'])
    const entry = alice.transcript.find((e) => e.kind === 'private' && e.direction === 'received')
    assert.ok(entry !== undefined)
    assert.equal(entry.from, 'sip:echo@example.test')
    assert.equal(entry.nickname, 'echo')
    assert.equal(entry.room, chat.roomUri('lobby'))
  })

  it('a second participant sees the bot welcome them, and both see each other talk', async () => {
    const bob = await chat.participant('bob')
    await bob.join()
    await chat.settled()
    assert.ok(bob.lines.includes('echo: welcome bob') || alice.lines.includes('echo: welcome bob'))
    alice.clear()
    await bob.say('hello all')
    await chat.settled()
    assert.deepEqual(alice.lines, ['bob: hello all', 'echo: you said: hello all'])
    await bob.leave()
    await chat.settled()
  })

  it('expectMessage resolves on a match (past or future) and explains a miss', async () => {
    alice.clear()
    const pending = alice.expectMessage(/I echo/, { from: 'echo' })
    await alice.say('/help')
    const entry = await pending
    assert.equal(entry.text, 'I echo what you say')
    assert.equal((await alice.expectMessage('I echo what you say')).kind, 'public')
    await assert.rejects(alice.expectMessage('never said', { timeoutMs: 20 }), (err: Error) => {
      assert.match(err.message, /alice got no\s+message "never said" within 20 ms/)
      assert.match(err.message, /I echo what you say/)
      return true
    })
  })

  it('typing() shows up as a composing event for the others', async () => {
    const carol = await chat.participant('carol')
    await carol.join()
    await chat.settled()
    alice.clear()
    await carol.typing()
    await carol.typing(false)
    await chat.settled()
    const composing = alice.events.filter((e) => e.type === 'composing')
    assert.deepEqual(composing.map((e) => e.type === 'composing' && e.active), [true, false])
    await carol.leave()
    await chat.settled()
  })

  it('a taken nickname: the participant gets NICKNAME_TAKEN; a bot with retryNicknames gets echo2', async () => {
    const imposter = await chat.participant('imposter', { nickname: 'echo' })
    await assert.rejects(imposter.join(), { code: 'NICKNAME_TAKEN' })
    const second = chat.attach(createBot({ uri: 'sip:echo-two@example.test', rateLimit: false }, { logger: silentLogger }))
    await second.start()
    const room = await second.join(chat.roomUri('lobby'), { nickname: 'echo', retryNicknames: true })
    assert.equal(room.nickname, 'echo2')
    await second.stop()
    await chat.settled()
  })

  it('dropConnection(): the participant reconnects and re-joins with its nickname; nothing it sent is lost', async () => {
    alice.dropConnection()
    await chat.settled()
    assert.equal(alice.nickname, 'alice')
    const states = alice.events.filter((e) => e.type === 'connection').map((e) => e.type === 'connection' && e.state)
    assert.deepEqual(states.slice(-2), ['disconnected', 'reconnected'])
    alice.clear()
    await alice.say('back')
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: back', 'echo: you said: back'])
  })

  it('slow(ms): a slow participant still gets everything, and settled() waits for it', async () => {
    alice.slow(30)
    alice.clear()
    const dave = await chat.participant('dave')
    await dave.join()
    await dave.say('one')
    await dave.say('two')
    await chat.settled()
    alice.slow(0)
    assert.deepEqual(alice.lines.filter((l) => l.startsWith('dave')), ['dave: one', 'dave: two'])
    assert.deepEqual(alice.lines.filter((l) => l.startsWith('echo: you said')), ['echo: you said: one', 'echo: you said: two'])
    await dave.leave()
    await chat.settled()
  })

  it('restartServer(): bot and participants come back to their rooms with their nicknames', async () => {
    await chat.restartServer()
    assert.equal(bot.room(chat.roomUri('lobby'))?.nickname, 'echo')
    assert.equal(alice.nickname, 'alice')
    assert.equal(bot.metrics.snapshot().reconnects >= 1, true)
    alice.clear()
    await alice.say('after the restart')
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: after the restart', 'echo: you said: after the restart'])
  })

  it('restartServer({ graceful: true }): the BYEs say "shutting down", so no one reads it as a kick; all come back', async () => {
    const reconnects = bot.metrics.snapshot().reconnects
    await chat.restartServer({ graceful: true })
    assert.deepEqual(alice.events.filter((e) => e.type === 'room-closed'), [])
    assert.equal(bot.room(chat.roomUri('lobby'))?.nickname, 'echo')
    assert.equal(alice.nickname, 'alice')
    assert.equal(bot.metrics.snapshot().reconnects > reconnects, true)
    alice.clear()
    await alice.say('after a graceful restart')
    await chat.settled()
    assert.deepEqual(alice.lines, ['alice: after a graceful restart', 'echo: you said: after a graceful restart'])
  })
})

describe('createTestChat options', () => {
  it('users: participants authenticate with their password; attach() refuses a bot from another domain', async () => {
    const chat = await createTestChat({ users: { alice: 'pw-a', bob: 'pw-b' } })
    const alice = await chat.participant('alice')
    await alice.join()
    await assert.rejects(chat.participant('mallory', { password: 'guess' }), { code: 'REGISTRATION_FAILED' })
    assert.throws(
      () => chat.attach(createBot({ uri: 'sip:bot@elsewhere.test' }, { logger: silentLogger })),
      /not in this chat's domain example\.test/,
    )
    await chat.close()
  })

  it('chat.createBot() is attach(createBot()) in one step', async () => {
    const chat = await createTestChat({ rooms: ['dev'] })
    const bot = chat.createBot({ uri: 'sip:helper@example.test', rateLimit: false }, { logger: silentLogger })
    bot.hears(/ping/, (ctx) => ctx.reply('pong'))
    await bot.start()
    await bot.join(chat.roomUri('dev'))
    const p = await chat.participant('pat')
    await p.join('dev')
    await p.say('ping')
    await chat.settled()
    assert.deepEqual(p.lines, ['pat: ping', 'helper: pong'])
    await chat.close()
  })

  it('settled() names what is still busy when it cannot settle (a participant cut off from the server)', async () => {
    const chat = await createTestChat()
    const zoe = await chat.participant('zoe')
    await zoe.join()
    chat.network.sip.partition(chat.domain, zoe.backend.userAgent!.localAddress.address)
    zoe.dropConnection()
    await assert.rejects(chat.settled({ timeoutMs: 100 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TEST_NOT_SETTLED')
      assert.match(err.message, /sip:zoe@example\.test \(reconnecting/)
      return true
    })
    chat.network.sip.heal()
    await chat.settled()
    assert.equal(zoe.backend.state, 'online')
    assert.equal(zoe.nickname, 'zoe')
    await chat.close()
  })
})
