// bots/standup.ts on `msrp-bot/testing`, its schedule on a FakeClock: it asks each person three
// questions privately at STANDUP_ASK (a conversation), posts the summary at STANDUP_POST, never
// twice, also when the bot is reloaded (the old bot stopped, a new one started, as `msrp-bot dev`
// does) or restarted mid-dialogue with its answers and progress in files.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { FakeClock } from 'msrp-bot'
import type { Bot, Context } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat } from 'msrp-bot/testing'
import { FIRST_QUESTION, QUESTIONS, THANKS, createStandupBot } from '../../bots/standup.ts'

process.env['MSRP_BOT_LOG_LEVEL'] ??= 'warn'
const MINUTE = 60_000
/** 2030-01-07 08:59 local time: the wall clock every bot here starts from. */
const T0 = new Date(2030, 0, 7, 8, 59).getTime()

describe('bots/standup.ts', () => {
  let chat: TestChat | undefined
  let dir: string | undefined
  afterEach(async () => {
    await chat?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  async function standup(clock: FakeClock, c: TestChat, storageDir?: string): Promise<Bot<Context>> {
    const made = createStandupBot(
      { uri: 'sip:standup@example.test', askAt: '09:00', postAt: '09:30', storageDir },
      { clock, wallClock: { now: () => T0 + clock.now() } },
    )
    const bot = c.attach(made as unknown as Bot<Context>)
    await bot.start()
    await bot.join(c.roomUri('lobby'), { nickname: 'standup' })
    return bot
  }

  const summaries = (lines: readonly string[]) => lines.filter((l) => l.startsWith('standup: Stand-up'))

  it('asks each person (not bots) privately at 09:00, in order, and posts the summary at 09:30, once', async () => {
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
    assert.deepEqual(alice.whispers, [FIRST_QUESTION])
    assert.deepEqual(bob.whispers, [FIRST_QUESTION])
    assert.equal(echoAsked, 0, 'bots are not asked')
    assert.equal(alice.lines.filter((l) => l.includes(QUESTIONS[0].ask) && !l.includes('(private)')).length, 0, 'not in the room')

    for (const text of ['wrote the parser', 'tests', 'none']) {
      await alice.whisper('standup', text)
      await chat.settled()
    }
    assert.deepEqual(alice.whispers.slice(1), [QUESTIONS[1].ask, QUESTIONS[2].ask, THANKS])
    assert.deepEqual(bob.whispers, [FIRST_QUESTION], "alice's answers do not move bob's questions")
    await bob.whisper('standup', '/skip')
    await chat.settled()
    assert.deepEqual(bob.whispers, [FIRST_QUESTION, QUESTIONS[1].ask])

    alice.clear()
    await clock.advanceAsync(30 * MINUTE)
    await chat.settled()
    assert.deepEqual(summaries(alice.lines), [
      'standup: Stand-up summary:\nalice:\n  yesterday: wrote the parser\n  today: tests\n  blockers: none\n' +
        'bob:\n  yesterday: -\n  today: (no answer)\n  blockers: (no answer)',
    ])
    await clock.advanceAsync(60 * MINUTE)
    await chat.settled()
    assert.equal(summaries(alice.lines).length, 1, 'never twice')
  })

  it('restarted mid-dialogue with STANDUP_STORAGE_DIR, it asks the next question and the summary has every answer', async () => {
    dir = await mkdtemp(join(tmpdir(), 'standup-'))
    chat = await createTestChat({ rooms: ['lobby'] })
    const clock = new FakeClock()
    const first = await standup(clock, chat, dir)
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob')
    await alice.join()
    await bob.join()
    await chat.settled()
    await clock.advanceAsync(MINUTE)
    await chat.settled()
    await alice.whisper('standup', 'wrote the parser')
    await chat.settled()
    assert.deepEqual(alice.whispers, [FIRST_QUESTION, QUESTIONS[1].ask])

    await first.stop() // a crash or a deploy: only the files remain
    await chat.settled()
    await standup(clock, chat, dir)
    await chat.settled()
    await alice.whisper('standup', 'tests')
    await chat.settled()
    await alice.whisper('standup', 'none')
    await chat.settled()
    assert.deepEqual(alice.whispers, [FIRST_QUESTION, QUESTIONS[1].ask, QUESTIONS[2].ask, THANKS], 'no question asked twice')

    await clock.advanceAsync(30 * MINUTE)
    await chat.settled()
    assert.deepEqual(summaries(alice.lines), [
      'standup: Stand-up summary:\nalice:\n  yesterday: wrote the parser\n  today: tests\n  blockers: none\nNo answer from: bob',
    ])
  })

  it('/standup starts the questions privately for whoever asks', async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    const clock = new FakeClock()
    await standup(clock, chat)
    const alice = await chat.participant('alice')
    await alice.join()
    await chat.settled()
    await alice.say('/standup')
    await chat.settled()
    assert.deepEqual(alice.whispers, [FIRST_QUESTION])
    await alice.whisper('standup', 'reviews')
    await chat.settled()
    assert.deepEqual(alice.whispers, [FIRST_QUESTION, QUESTIONS[1].ask])
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
    assert.deepEqual(summaries(alice.lines), ['standup: Stand-up: nobody answered today.'])
  })
})
