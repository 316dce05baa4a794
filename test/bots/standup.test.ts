// bots/standup.ts on `msrp-bot/testing`, its schedule on a FakeClock: it asks each person three
// questions privately at STANDUP_ASK, posts the summary at STANDUP_POST, never twice, also when
// the bot is reloaded (the old bot stopped, a new one started, as `msrp-bot dev` does).
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { FakeClock } from 'msrp-bot'
import type { Bot } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat } from 'msrp-bot/testing'
import { QUESTIONS, createStandupBot } from '../../bots/standup.ts'

process.env['MSRP_BOT_LOG_LEVEL'] ??= 'warn'
const MINUTE = 60_000
/** 2030-01-07 08:59 local time: the wall clock every bot here starts from. */
const T0 = new Date(2030, 0, 7, 8, 59).getTime()

describe('bots/standup.ts', () => {
  let chat: TestChat | undefined
  afterEach(() => chat?.close())

  async function standup(clock: FakeClock, c: TestChat): Promise<Bot> {
    const bot = c.attach(createStandupBot({ uri: 'sip:standup@example.test', askAt: '09:00', postAt: '09:30' }, { clock, wallClock: { now: () => T0 + clock.now() } }))
    await bot.start()
    await bot.join(c.roomUri('lobby'), { nickname: 'standup' })
    return bot
  }

  it('asks each person (not bots) privately at 09:00 and posts the summary at 09:30, once', async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    const clock = new FakeClock()
    await standup(clock, chat)
    const echo = chat.createBot({ uri: 'sip:echo@example.test' })
    let echoAsked = 0
    echo.on('private', () => void echoAsked++)
    await echo.start()
    await echo.join(chat.roomUri('lobby'), { nickname: 'echo' })
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob')
    await alice.join()
    await bob.join()
    await chat.settled()

    await clock.advanceAsync(MINUTE - 1)
    await chat.settled()
    assert.deepEqual(alice.whispers, [], 'nothing before 09:00')
    await clock.advanceAsync(1)
    await chat.settled()
    assert.deepEqual(alice.whispers, [`Stand-up time! ${QUESTIONS[0].ask} (/skip to skip a question)`])
    assert.equal(bob.whispers.length, 1)
    assert.equal(echoAsked, 0, 'bots are not asked')

    for (const text of ['wrote the parser', 'tests', 'none']) {
      await alice.whisper('standup', text)
      await chat.settled()
    }
    assert.deepEqual(alice.whispers.slice(1), [QUESTIONS[1].ask, QUESTIONS[2].ask, 'Thanks! Your answers go to the room with the summary.'])
    alice.clear()
    await clock.advanceAsync(30 * MINUTE)
    await chat.settled()
    const posted = alice.lines.filter((l) => l.startsWith('standup: '))
    assert.deepEqual(posted, ['standup: Stand-up summary:\nalice:\n  yesterday: wrote the parser\n  today: tests\n  blockers: none\nNo answer from: bob'])
    await clock.advanceAsync(60 * MINUTE)
    await chat.settled()
    assert.equal(alice.lines.filter((l) => l.startsWith('standup: ')).length, 1, 'never twice')
  })

  it('reloaded after posting, the new bot does not post again that day', async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    const clock = new FakeClock()
    const first = await standup(clock, chat)
    const alice = await chat.participant('alice')
    await alice.join()
    await chat.settled()
    await clock.advanceAsync(31 * MINUTE)
    await chat.settled()
    await first.stop()
    await standup(clock, chat)
    await chat.settled()
    await clock.advanceAsync(60 * MINUTE)
    await chat.settled()
    assert.deepEqual(alice.lines.filter((l) => l.startsWith('standup: Stand-up')), ['standup: Stand-up: nobody answered today.'])
  })
})
