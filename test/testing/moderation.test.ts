import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createBot, silentLogger } from '../../src/index.ts'
import { createTestChat } from '../../src/testing/index.ts'

describe('a moderator bot on the in-process chat (Room.kick / Room.mute end to end)', () => {
  it('kicks and mutes by nickname; refuses politely without the moderator role', async () => {
    const chat = await createTestChat({ rooms: { lobby: { moderators: ['sip:mod@example.test'] } } })
    const bot = chat.attach(createBot({ uri: 'sip:mod@example.test', rateLimit: false }, { logger: silentLogger }))
    bot.command('kick', async (ctx) => {
      const who = String(ctx.match ?? '').trim()
      await ctx.room!.kick(who)
      await ctx.reply(`${who} was removed`)
    })
    bot.command('mute', async (ctx) => {
      const who = String(ctx.match ?? '').trim()
      await ctx.room!.mute(who)
      await ctx.reply(`${who} is muted`)
    })
    bot.catch(async (err) => {
      await err.ctx.reply(`cannot: ${(err.error as { code?: string }).code ?? 'error'}`)
    })
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'mod' })
    const alice = await chat.participant('alice')
    const troll = await chat.participant('troll')
    await alice.join()
    await troll.join()
    await chat.settled()

    await alice.say('/mute troll')
    await chat.settled()
    assert.ok(alice.lines.includes('mod: troll is muted'))
    await assert.rejects(troll.say('spam'), { code: 'SEND_REJECTED' })

    await alice.say('/kick nobody')
    await chat.settled()
    assert.ok(alice.lines.includes('mod: cannot: PARTICIPANT_NOT_FOUND'))

    await alice.say('/kick troll')
    await chat.settled()
    assert.ok(alice.lines.includes('mod: troll was removed'))
    assert.deepEqual(troll.events.filter((e) => e.type === 'room-closed'), [{ type: 'room-closed', room: chat.roomUri('lobby'), reason: 'kicked' }])
    assert.ok(!bot.room(chat.roomUri('lobby'))!.participants.some((p) => p.nickname === 'troll'))
    await chat.close()
  })

  it('without the role, kick rejects NOT_AUTHORIZED', async () => {
    const chat = await createTestChat()
    const bot = chat.attach(createBot({ uri: 'sip:notmod@example.test', rateLimit: false }, { logger: silentLogger }))
    await bot.start()
    const room = await bot.join(chat.roomUri('lobby'))
    const alice = await chat.participant('alice')
    await alice.join()
    await chat.settled()
    await assert.rejects(room.kick('alice'), { code: 'NOT_AUTHORIZED' })
    await assert.rejects(room.mute('alice'), { code: 'NOT_AUTHORIZED' })
    await chat.close()
  })
})
