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

/** A fresh room with these people (nickname → SIP URI) and the bot in it. */
async function roomWith(people: string[]): Promise<FakeRoom> {
  const room = backend.room(`sip:room${++rooms}@localhost`)
  for (const nickname of people) await room.add(`sip:${nickname}@localhost`, nickname)
  await bot.join(room.uri, { nickname: 'echo' })
  return room
}
// ---------------------------------------------------------------------------------------------

test('repeats what people say in the room', async () => {
  const room = await roomWith(['alice'])
  await room.say('alice', 'hello everyone')
  assert.deepEqual(room.publicTexts(), ['you said: hello everyone'])
})

test('answers a private message privately', async () => {
  const room = await roomWith(['alice', 'bob'])
  await room.whisper('alice', 'psst')
  assert.deepEqual(room.privateTexts('alice'), ['only you can see this: you said "psst"'])
  assert.deepEqual(room.privateTexts('bob'), [])
  assert.deepEqual(room.publicTexts(), [])
})

test('/help explains the bot instead of echoing', async () => {
  const room = await roomWith(['alice'])
  await room.say('alice', '/help')
  assert.equal(room.publicTexts().length, 1)
  assert.match(room.publicTexts()[0] ?? '', /repeat what you say/)
})
