/**
 * Tests for bot.ts, on an in-memory chat room (no network): `npm test`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { FakeChatBackend, setDefaultBackendFactory } from 'msrp-bot'
import type { Bot, FakeRoom } from 'msrp-bot'

// --- Harness: bot.ts in an in-memory chat room ----------------------------------------------
// The tests below only use roomWith() and the room's add/say/whisper/publicTexts/privateTexts;
// to run them on another test room (e.g. msrp-bot's in-process chat server), change this part.
// bot.ts makes its bot (and reads its settings) when imported, so set those up first.
process.env.MSRP_BOT_LOG_LEVEL ??= 'warn'
process.env.BOT_OWNERS = 'sip:owner@localhost'
process.env.BANNED_WORDS = 'spam,scam'
let bot: Bot
let backend: FakeChatBackend
let rooms = 0

before(async () => {
  setDefaultBackendFactory((config) => new FakeChatBackend({ uri: config.uri }))
  bot = (await import('./bot.ts')).default
  assert.ok(bot.backend instanceof FakeChatBackend)
  backend = bot.backend
  await bot.start()
})

after(async () => {
  await bot.stop()
  setDefaultBackendFactory(undefined)
})

/** A fresh room with these people (nickname → sip:<nickname>@localhost) and the bot in it. */
async function roomWith(people: string[]): Promise<FakeRoom> {
  const room = backend.room(`sip:room${++rooms}@localhost`)
  for (const nickname of people) await room.add(`sip:${nickname}@localhost`, nickname)
  await bot.join(room.uri, { nickname: 'moderator' })
  return room
}
// ---------------------------------------------------------------------------------------------

test('welcomes people by nickname', async () => {
  const room = await roomWith([])
  await room.add('sip:carol@localhost', 'carol')
  assert.deepEqual(room.publicTexts(), ['Welcome, carol! Send me /rules to read the room rules.'])
})

test('sends the rules privately, even when asked in the room', async () => {
  const room = await roomWith(['alice', 'bob'])
  await room.say('alice', '/rules')
  assert.equal(room.privateTexts('alice').length, 1)
  assert.match(room.privateTexts('alice')[0] ?? '', /Room rules/)
  assert.deepEqual(room.publicTexts(), [])
  assert.deepEqual(room.privateTexts('bob'), [])
})

test('warns on the first banned word and removes on the second', async () => {
  const room = await roomWith(['alice', 'bob'])
  await room.say('alice', 'hello')
  await room.say('bob', 'buy my SPAM now')
  assert.deepEqual(room.publicTexts(), ['bob, please mind the words you use (/rules). Next time you will be removed.'])
  assert.deepEqual(room.removed, [])
  await room.say('bob', 'this is not a scam')
  assert.deepEqual(room.removed, ['sip:bob@localhost'])
  assert.equal(room.publicTexts().at(-1), 'bob was removed.')
})

test('owners can /kick, /mute and /unmute by nickname; others cannot', async () => {
  const room = await roomWith(['owner', 'alice', 'bob'])
  await room.say('alice', '/kick bob')
  assert.deepEqual(room.removed, [])
  assert.deepEqual(room.privateTexts('alice'), ['Only room owners can /kick.'])

  await room.say('owner', '/mute alice')
  assert.deepEqual([...room.muted], ['sip:alice@localhost'])
  await room.say('owner', '/unmute alice')
  assert.deepEqual([...room.muted], [])
  await room.say('owner', '/kick bob')
  assert.deepEqual(room.removed, ['sip:bob@localhost'])
  assert.deepEqual(room.publicTexts(), ['alice was muted.', 'alice was unmuted.', 'bob was removed.'])

  await room.say('owner', '/kick nobody')
  assert.deepEqual(room.privateTexts('owner'), ['Nobody called nobody is here.'])
})

test('says so when the focus does not let it moderate', async () => {
  const room = await roomWith(['owner', 'bob'])
  room.botIsModerator = false
  await room.say('owner', '/kick bob')
  assert.deepEqual(room.privateTexts('owner'), ['I cannot kick bob: I am not a moderator of this room.'])
  assert.deepEqual(room.removed, [])

  room.botIsModerator = true
  room.muteSupported = false
  await room.say('owner', '/mute bob')
  assert.deepEqual(room.privateTexts('owner').at(-1), 'I cannot mute bob: this room does not support it.')
})
