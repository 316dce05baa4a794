/**
 * Tests for bot.ts, on a chat server running inside the test (no network): `npm test`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Bot } from 'msrp-bot'
import { createTestChat, roomWith as roomWithIn } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

// --- Harness: bot.ts in a chat room on msrp-bot's in-process chat server ---------------------
// The tests below only use roomWith(), the people it returns (say, whisper, lines, whispers,
// events) and chat.settled(), which waits until every message, and the bot's answers, arrived.
// bot.ts makes its bot (and reads its settings) when imported, so they are set first.
process.env.SIP_URI = 'sip:moderator@localhost'
process.env.BOT_OWNERS = 'sip:owner@localhost'
process.env.BANNED_WORDS = 'spam,scam'
process.env.FLOOD_MAX = '3'
process.env.FLOOD_SECONDS = '60'
let chat: TestChat
let bot: Bot

before(async () => {
  chat = await createTestChat({
    domain: 'localhost',
    // Every new room makes the bot a moderator (so it may remove and mute people),
    // except "unmoderated".
    autoCreateRooms: { moderators: ['sip:moderator@localhost'] },
    rooms: ['unmoderated'],
  })
  bot = chat.attach((await import('./bot.ts')).default)
  await bot.start()
})

after(() => chat.close())

/** A room (a fresh one by default) with the bot and these people (sip:<name>@localhost, nickname <name>) in it. */
const roomWith = <Name extends string>(names: Name[], room?: string): Promise<Record<Name, TestParticipant>> =>
  roomWithIn(chat, bot, names, room === undefined ? {} : { room })

/** Whether `person` was removed from their room by the focus. */
function wasRemoved(person: TestParticipant): boolean {
  return person.events.some((e) => e.type === 'room-closed' && e.reason === 'kicked')
}
// ---------------------------------------------------------------------------------------------

test('welcomes people by nickname', async () => {
  const { alice } = await roomWith(['alice'])
  const carol = await chat.participant('carol')
  await carol.join(alice.room!.uri) // the room alice is in
  await chat.settled()
  assert.deepEqual(alice.lines, ['moderator: Welcome, carol! Send me /rules to read the room rules.'])
})

test('sends the rules privately, even when asked in the room', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.say('/rules')
  await chat.settled()
  assert.equal(alice.whispers.length, 1)
  assert.match(alice.whispers[0] ?? '', /Room rules/)
  assert.deepEqual(bob.lines, ['alice: /rules'])
  assert.deepEqual(bob.whispers, [])
})

test('warns on the first banned word and removes on the second', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.say('hello')
  await bob.say('buy my SPAM now')
  await chat.settled()
  assert.deepEqual(alice.lines, [
    'alice: hello',
    'bob: buy my SPAM now',
    'moderator: bob, please mind the words you use (/rules). Next time you will be removed.',
  ])
  assert.equal(wasRemoved(bob), false)

  // bob may be gone before the room confirms this message, so its send may fail: ignore that.
  await bob.say('this is not a scam').catch(() => {})
  await chat.settled()
  assert.equal(wasRemoved(bob), true)
  assert.equal(alice.lines.at(-1), 'moderator: bob was removed.')
  assert.ok(!alice.room?.participants.some((p) => p.nickname === 'bob'))
})

test('warns people who flood the room (more than FLOOD_MAX messages in FLOOD_SECONDS)', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  for (const text of ['one', 'two', 'three', 'four']) await bob.say(text)
  await chat.settled()
  assert.equal(alice.lines.at(-1), 'moderator: bob, please slow down (/rules). Next time you will be removed.')
})

test('owners can /kick, /mute and /unmute by nickname; others cannot', async () => {
  const { owner, alice, bob } = await roomWith(['owner', 'alice', 'bob'])
  await alice.say('/kick bob')
  await chat.settled()
  assert.deepEqual(alice.whispers, ['Only room owners can /kick.'])
  assert.equal(wasRemoved(bob), false)

  await owner.say('/mute alice')
  await chat.settled()
  await assert.rejects(alice.say('can anyone hear me?'), { code: 'SEND_REJECTED' })
  await owner.say('/unmute alice')
  await chat.settled()
  await alice.say('I am back')
  await owner.say('/kick bob')
  await chat.settled()
  assert.equal(wasRemoved(bob), true)
  assert.deepEqual(owner.lines, [
    'alice: /kick bob',
    'owner: /mute alice',
    'moderator: alice was muted.',
    'owner: /unmute alice',
    'moderator: alice was unmuted.',
    'alice: I am back',
    'owner: /kick bob',
    'moderator: bob was removed.',
  ])

  await owner.say('/kick nobody')
  await chat.settled()
  assert.deepEqual(owner.whispers, ['Nobody called nobody is here.'])
})

test('says so when the room does not let it moderate', async () => {
  const { owner, bob } = await roomWith(['owner', 'bob'], 'unmoderated')
  await owner.say('/kick bob')
  await chat.settled()
  assert.deepEqual(owner.whispers, ['I cannot kick bob: I am not a moderator of this room.'])
  assert.equal(wasRemoved(bob), false)
})
