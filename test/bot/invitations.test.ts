// bot.on('invitation'): a participant asks the room to invite the bot (RFC 4579 §5.5); the room
// calls the bot; accepting joins the room as bot.join does, anything else declines. Bounded:
// at most maxRooms rooms, one invitation per room at a time.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createMemoryLogger } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

type Rejection = { code?: string; statusCode?: number }

describe('a bot invited to a room', () => {
  let chat: TestChat
  let alice: TestParticipant

  before(async () => {
    chat = await createTestChat({ rooms: ['lobby', 'dev', 'ops', 'qa'] })
    alice = await chat.participant('alice')
    await alice.join('lobby')
  })

  after(() => chat.close())

  it('accepts in its handler, joins the room and answers there; a reconnect re-joins it', async () => {
    const logger = createMemoryLogger('info')
    const bot = chat.createBot({ uri: 'sip:echo@example.test' }, { logger })
    const seen: Array<[string, string | undefined]> = []
    bot.on('invitation', async (ctx) => {
      seen.push([ctx.invitation.room, ctx.invitation.by])
      assert.equal(ctx.room, undefined)
      const room = await ctx.invitation.accept({ nickname: 'echo' })
      assert.equal(room, bot.room(ctx.invitation.room))
    })
    bot.on('message:text', (ctx) => ctx.reply(`you said: ${ctx.text}`))
    await bot.start()
    const room = await chat.invite(bot, alice)
    assert.deepEqual(seen, [[chat.roomUri('lobby'), 'sip:alice@example.test']])
    assert.equal(room.uri, chat.roomUri('lobby'))
    assert.equal(room.nickname, 'echo')
    assert.deepEqual(bot.rooms.map((r) => r.uri), [chat.roomUri('lobby')])
    assert.ok(alice.room!.participants.some((p) => p.uri === 'sip:echo@example.test' && p.nickname === 'echo'))
    await alice.say('hi')
    await alice.expectMessage('you said: hi', { from: 'echo' })
    assert.ok(logger.entries.some((e) => e.msg === 'invitation accepted'))

    // Invited again while in the room: the room does not call it, nothing changes.
    assert.equal(await chat.invite(bot, alice), room)
    assert.deepEqual(seen.length, 1)

    // Joined through an invitation, re-joined after the server restarts, like any joined room.
    await chat.restartServer()
    await alice.say('still there?')
    await alice.expectMessage('you said: still there?', { from: 'echo' })
    await bot.stop()
    await chat.settled()
    assert.ok(!alice.room!.participants.some((p) => p.uri === 'sip:echo@example.test'))
  })

  it('without a handler or acceptInvitations it declines (603) and stays out', async () => {
    const logger = createMemoryLogger('info')
    const bot = chat.createBot({ uri: 'sip:shy@example.test' }, { logger })
    await bot.start()
    await assert.rejects(alice.invite('shy'), (e: Rejection) => e.code === 'INVITATION_DECLINED' && e.statusCode === 603)
    assert.deepEqual(bot.rooms, [])
    assert.ok(logger.entries.some((e) => e.msg === 'invitation declined (603): no handler accepted it'))
    await bot.stop()
  })

  it('ctx.invitation.decline(486) is what the inviter hears', async () => {
    const bot = chat.createBot({ uri: 'sip:busy@example.test' }, { logger: createMemoryLogger() })
    bot.on('invitation', (ctx) => ctx.invitation.decline(486))
    await bot.start()
    await assert.rejects(chat.invite(bot, alice), (e: Rejection) => e.code === 'INVITATION_DECLINED' && e.statusCode === 486)
    assert.deepEqual(bot.rooms, [])
    await bot.stop()
  })

  it('a handler that throws: the invitation is declined and the error logged', async () => {
    const logger = createMemoryLogger('info')
    const bot = chat.createBot({ uri: 'sip:broken@example.test' }, { logger })
    bot.on('invitation', () => {
      throw new Error('no idea what to do')
    })
    await bot.start()
    await assert.rejects(alice.invite('broken'), (e: Rejection) => e.code === 'INVITATION_DECLINED' && e.statusCode === 603)
    assert.deepEqual(bot.rooms, [])
    const logged = logger.entries.find((e) => e.level === 'error' && String(e.fields['err']).includes('no idea what to do'))
    assert.ok(logged, 'the handler error is logged')
    assert.equal(logged.fields['kind'], 'invitation')
    await bot.stop()
  })

  it('acceptInvitations: a function decides the invitations handlers left unanswered', async () => {
    const asked: string[] = []
    const bot = chat.createBot({
      uri: 'sip:picky@example.test',
      acceptInvitations: async (invitation) => {
        asked.push(invitation.by ?? '')
        return invitation.room === chat.roomUri('dev')
      },
    }, { logger: createMemoryLogger() })
    await bot.start()
    const bob = await chat.participant('bob')
    await bob.join('dev')
    const dev = await chat.invite(bot, bob)
    assert.equal(dev.uri, chat.roomUri('dev'))
    await assert.rejects(chat.invite(bot, alice), (e: Rejection) => e.code === 'INVITATION_DECLINED' && e.statusCode === 603)
    assert.deepEqual(asked, ['sip:bob@example.test', 'sip:alice@example.test'])
    assert.deepEqual(bot.rooms.map((r) => r.uri), [chat.roomUri('dev')])
    await bot.stop()
    await bob.leave()
  })

  it('a flood is bounded by maxRooms: beyond it 486 and a warning, and no handler runs', async () => {
    const logger = createMemoryLogger('info')
    const bot = chat.createBot({ uri: 'sip:greedy@example.test', acceptInvitations: true, maxRooms: 2 }, { logger })
    let handled = 0
    bot.on('invitation', () => {
      handled++
    })
    await bot.start()
    await bot.join(chat.roomUri('qa'))
    const inviters = await Promise.all(['dev', 'ops', 'lobby'].map(async (room) => {
      const p = await chat.participant(`flood-${room}`)
      await p.join(room)
      return p
    }))
    const results = await Promise.allSettled(inviters.map((p) => p.invite('greedy')))
    await chat.settled()
    const joined = results.filter((r) => r.status === 'fulfilled').length
    const busy = results.filter((r) => r.status === 'rejected' && (r.reason as Rejection).statusCode === 486).length
    assert.equal(joined, 1, 'one room more fits under maxRooms: 2 (qa was joined explicitly)')
    assert.equal(busy, 2)
    assert.equal(bot.rooms.length, 2)
    assert.equal(handled, 1, 'invitations turned away never reach the handlers')
    assert.equal(logger.entries.filter((e) => e.level === 'warn' && /maxRooms \(2\)/.test(e.msg ?? '')).length, 2)
    await bot.stop()
    await Promise.all(inviters.map((p) => p.leave()))
  })
})
