// ctx.invitation on the fake backend: the filter narrows, accept joins as bot.join does, and the
// gate turns invitations away (486) for a room already ringing, a room already joined, and past
// maxRooms, before any handler sees them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createBot, createMemoryLogger, FakeChatBackend } from 'msrp-bot'

const LOBBY = 'sip:lobby@chat.example.test'
const DEV = 'sip:dev@chat.example.test'

test("bot.on('invitation') narrows ctx.invitation; accept() joins with the bot's nickname", async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const bot = createBot({ uri: 'sip:echo@example.test' }, { backend, logger: createMemoryLogger() })
  bot.on('invitation', async (ctx) => {
    assert.equal(ctx.kind, 'invitation')
    assert.equal(ctx.invitation.by, 'sip:alice@example.test')
    const room = await ctx.invitation.accept()
    assert.equal(room.nickname, 'echo')
    await assert.rejects(ctx.invitation.accept(), (e: { code?: string }) => e.code === 'BOT_INVITATION_ANSWERED')
  })
  await bot.start()
  assert.equal(await backend.invite(LOBBY, { by: 'sip:alice@example.test' }), 'accepted')
  assert.deepEqual(bot.rooms.map((r) => r.uri), [LOBBY])
  assert.ok(backend.room(LOBBY).hasMember('sip:echo@example.test'))
  // In the room already: turned away without running the handler again.
  assert.equal(await backend.invite(LOBBY), 486)
  await bot.stop()
})

test('one invitation per room at a time: another to the same room while the first rings gets 486', async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const logger = createMemoryLogger('info')
  const bot = createBot({ uri: 'sip:echo@example.test' }, { backend, logger })
  let started!: () => void
  const ringing = new Promise<void>((resolve) => (started = resolve))
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let handled = 0
  bot.on('invitation', async (ctx) => {
    handled++
    started()
    await held
    await ctx.invitation.accept()
  })
  await bot.start()
  const first = backend.invite(LOBBY)
  await ringing
  assert.equal(await backend.invite(LOBBY), 486)
  release()
  assert.equal(await first, 'accepted')
  assert.equal(handled, 1)
  assert.ok(logger.entries.some((e) => e.msg === 'invitation declined (486): another invitation to that room is being answered'))
  await bot.stop()
})

test('maxRooms counts invitations still ringing: a flood cannot get past it', async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const bot = createBot({ uri: 'sip:echo@example.test', maxRooms: 2 }, { backend, logger: createMemoryLogger() })
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  bot.on('invitation', async (ctx) => {
    await held
    await ctx.invitation.accept()
  })
  await bot.start()
  const rooms = Array.from({ length: 5 }, (_, i) => `sip:room${i}@chat.example.test`)
  const answers = rooms.map((room) => backend.invite(room))
  // The first two ring (handlers waiting); the other three are refused at once.
  assert.deepEqual(await Promise.all(answers.slice(2)), [486, 486, 486])
  release()
  assert.deepEqual(await Promise.all(answers.slice(0, 2)), ['accepted', 'accepted'])
  assert.equal(bot.rooms.length, 2)
  await bot.stop()
})

test('acceptInvitations: true accepts what no handler answered; a decline in a handler wins', async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const bot = createBot({ uri: 'sip:echo@example.test', acceptInvitations: true }, { backend, logger: createMemoryLogger() })
  bot.on('invitation', (ctx) => {
    if (ctx.invitation.room === DEV) ctx.invitation.decline()
  })
  await bot.start()
  assert.equal(await backend.invite(LOBBY), 'accepted')
  assert.equal(await backend.invite(DEV), 603)
  assert.deepEqual(bot.rooms.map((r) => r.uri), [LOBBY])
  await bot.stop()
})

test('acceptInvitations must be a boolean or a function', () => {
  assert.throws(() => createBot({ uri: 'sip:echo@example.test', acceptInvitations: 'yes' as unknown as boolean }), /acceptInvitations: must be true, false, or a function/)
  assert.throws(() => createBot({ uri: 'sip:echo@example.test', maxRooms: 0 }), /maxRooms: must be at least 1/)
})
