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
// bot.ts makes its bot when imported, so the in-memory backend is registered first.
process.env.MSRP_BOT_LOG_LEVEL ??= 'warn'
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
  await bot.join(room.uri, { nickname: 'bot' })
  return room
}
// ---------------------------------------------------------------------------------------------

test('/help answers in the room', async () => {
  const room = await roomWith(['alice'])
  await room.say('alice', '/help')
  assert.deepEqual(room.publicTexts(), ['Hello! I am {{name}}. I do not do much yet.'])
})

test('/help in private answers privately', async () => {
  const room = await roomWith(['alice'])
  await room.whisper('alice', '/help')
  assert.equal(room.privateTexts('alice').length, 1)
  assert.deepEqual(room.publicTexts(), [])
})

test('other messages get no answer (yet)', async () => {
  const room = await roomWith(['alice'])
  await room.say('alice', 'hello')
  assert.deepEqual(room.sent, [])
})
