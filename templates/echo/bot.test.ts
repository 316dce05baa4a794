/**
 * Tests for bot.ts, on a chat server running inside the test (no network): `npm test`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Bot } from 'msrp-bot'
import { createTestChat, roomWith as roomWithIn } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

// --- Harness: bot.ts in a chat room on msrp-bot's in-process chat server ---------------------
// The tests below only use roomWith(), the people it returns (say, whisper, lines, whispers)
// and chat.settled(), which waits until every message, and the bot's answers, arrived.
// bot.ts makes its bot when imported, so its identity is set first.
process.env.SIP_URI = 'sip:echo@localhost'
let chat: TestChat
let bot: Bot

before(async () => {
  chat = await createTestChat({ domain: 'localhost', autoCreateRooms: true })
  bot = chat.attach((await import('./bot.ts')).default)
  await bot.start()
})

after(() => chat.close())

/** A fresh room with the bot and these people (sip:<name>@localhost, nickname <name>) in it. */
const roomWith = <Name extends string>(names: Name[]): Promise<Record<Name, TestParticipant>> => roomWithIn(chat, bot, names)
// ---------------------------------------------------------------------------------------------

test('repeats what people say in the room', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.say('hello everyone')
  await chat.settled()
  assert.deepEqual(bob.lines, ['alice: hello everyone', 'echo: you said: hello everyone'])
})

test('answers a private message privately', async () => {
  const { alice, bob } = await roomWith(['alice', 'bob'])
  await alice.whisper('echo', 'psst')
  await chat.settled()
  assert.deepEqual(alice.whispers, ['only you can see this: you said "psst"'])
  assert.deepEqual(bob.whispers, [])
  assert.deepEqual(bob.lines, [])
})

test('/help explains the bot instead of echoing', async () => {
  const { alice } = await roomWith(['alice'])
  await alice.say('/help')
  await chat.settled()
  assert.equal(alice.lines.length, 2)
  assert.match(alice.lines[1] ?? '', /^echo: I repeat what you say/)
})

test('commands for other bots (lines starting with "/") are not echoed', async () => {
  const { alice } = await roomWith(['alice'])
  await alice.say('/rules')
  await chat.settled()
  assert.deepEqual(alice.lines, ['alice: /rules'])
})
