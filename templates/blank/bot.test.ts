/**
 * Tests for bot.ts, on a chat server running inside the test (no network): `npm test`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

// --- Harness: bot.ts in a chat room on msrp-bot's in-process chat server ---------------------
// The tests below only use roomWith(), the people it returns (say, whisper, lines, whispers)
// and chat.settled(), which waits until every message, and the bot's answers, arrived.
// bot.ts makes its bot when imported, so its identity is set first.
process.env.MSRP_BOT_LOG_LEVEL ??= 'warn'
process.env.SIP_URI = 'sip:bot@localhost'
let chat: TestChat
let bot: (typeof import('./bot.ts'))['default']
let rooms = 0
const people = new Map<string, TestParticipant>()

before(async () => {
  chat = await createTestChat({ domain: 'localhost', autoCreateRooms: true })
  bot = chat.attach((await import('./bot.ts')).default)
  await bot.start()
})

after(() => chat.close())

/** A fresh room with the bot and these people (sip:<name>@localhost, nickname <name>) in it. */
async function roomWith<Name extends string>(names: Name[]): Promise<Record<Name, TestParticipant>> {
  const room = chat.roomUri(`room${++rooms}`)
  await bot.join(room, { nickname: 'bot' })
  const joined = {} as Record<Name, TestParticipant>
  for (const name of names) {
    const person = people.get(name) ?? (await chat.participant(name))
    people.set(name, person)
    await person.leave()
    await person.join(room)
    joined[name] = person
  }
  await chat.settled()
  for (const person of people.values()) person.clear()
  return joined
}
// ---------------------------------------------------------------------------------------------

test('/help answers in the room', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.say('/help')
  await chat.settled()
  assert.deepEqual(bob.lines, ['alice: /help', 'bot: Hello! I am {{name}}. I do not do much yet.'])
})

test('/help in private answers privately', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.whisper('bot', '/help')
  await chat.settled()
  assert.deepEqual(alice.whispers, ['Hello! I am {{name}}. I do not do much yet.'])
  assert.deepEqual(bob.lines, [])
  assert.deepEqual(bob.whispers, [])
})

test('other messages get no answer (yet)', async () => {
  const { alice } = await roomWith(['alice'])
  await alice.say('hello')
  await chat.settled()
  assert.deepEqual(alice.lines, ['alice: hello'])
  assert.deepEqual(alice.whispers, [])
})

test('/count remembers each person', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.say('/count')
  await alice.say('/count')
  await bob.say('/count')
  await chat.settled()
  assert.deepEqual(bob.lines.filter((line) => line.startsWith('bot:')), [
    'bot: you have asked 1 time(s)',
    'bot: you have asked 2 time(s)',
    'bot: you have asked 1 time(s)',
  ])
})
