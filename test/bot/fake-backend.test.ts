import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createBot } from '../../src/bot/bot.ts'
import { FakeChatBackend } from '../../src/bot/fake-backend.ts'
import { silentLogger } from '../../src/logger.ts'
import { ALICE, BOT_URI, LOBBY } from './helpers.ts'

describe('FakeChatBackend', () => {
  it('runs the DESIGN.md echo bot end to end', async () => {
    const backend = new FakeChatBackend({ uri: BOT_URI })
    const bot = createBot({ uri: BOT_URI }, { backend, logger: silentLogger })
    bot.command('help', (ctx) => ctx.reply('I echo what you say'))
    bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
    bot.on('private', (ctx) => ctx.replyPrivately('only you see this'))
    bot.on('join', (ctx) => ctx.reply(`welcome ${ctx.participant.nickname}`))
    await bot.start()
    const lobby = backend.room(LOBBY)
    await bot.join(LOBBY, { nickname: 'echo' })
    await lobby.add(ALICE, 'alice')
    await lobby.say('alice', 'hello')
    await lobby.say('alice', '/help')
    await lobby.whisper('alice', 'secret')
    assert.deepEqual(lobby.publicTexts(), ['welcome alice', 'you said: hello', 'I echo what you say'])
    assert.deepEqual(lobby.privateTexts('alice'), ['only you see this'])
    assert.deepEqual(
      lobby.participants.map((p) => p.nickname),
      ['echo', 'alice'],
    )
    await bot.stop()
    assert.equal(backend.presence?.status, 'offline')
  })

  it('refuses calls before start() with BACKEND_NOT_STARTED', async () => {
    const backend = new FakeChatBackend({ uri: BOT_URI })
    await assert.rejects(backend.join(LOBBY, {}), { code: 'BACKEND_NOT_STARTED' })
    await assert.rejects(backend.watch(ALICE), { code: 'BACKEND_NOT_STARTED' })
  })

  it('handles keep the RoomHandle contract: typed errors for unknown recipients and dead rooms', async () => {
    const backend = new FakeChatBackend({ uri: BOT_URI })
    await backend.start()
    const handle = await backend.join(LOBBY, { nickname: 'echo' })
    assert.equal(handle.nickname, 'echo')
    await assert.rejects(handle.sendPrivate('sip:ghost@example.test', 'x'), { code: 'PARTICIPANT_NOT_FOUND' })
    await assert.rejects(handle.setNickname(''), { code: 'NICKNAME_INVALID' })
    await handle.leave()
    await handle.leave() // idempotent
    await assert.rejects(handle.send('x'), { code: 'SEND_DISCONNECTED' })
  })

  it('updates that arrive while the bot stops are not dispatched', async () => {
    const backend = new FakeChatBackend({ uri: BOT_URI })
    const bot = createBot({ uri: BOT_URI }, { backend, logger: silentLogger })
    const seen: string[] = []
    bot.on('presence', (ctx) => {
      seen.push(ctx.presence.status)
    })
    await bot.start()
    await backend.contactPresence(ALICE, { status: 'away' })
    await bot.stop()
    await backend.contactPresence(ALICE, { status: 'busy' })
    assert.deepEqual(seen, ['away'])
  })
})
