// bot.every / bot.at on a FakeClock: timers start with the bot, stop with it, and a reloaded bot
// (stop the old one, start a new one with the same jobs) never runs a job twice.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Bot } from '../../src/bot/bot.ts'
import { FakeClock } from '../../src/clock.ts'
import { ALICE, LOBBY, setup } from './helpers.ts'

/** 2030-01-07 08:00 local time: the wall-clock origin of every test here. */
const T0 = new Date(2030, 0, 7, 8, 0, 0, 0).getTime()

async function running(clock: FakeClock, register: (bot: Bot) => void) {
  const s = setup({}, { clock, wallClock: { now: () => T0 + clock.now() } })
  register(s.bot)
  await s.bot.start()
  await s.lobby.add(ALICE, 'alice')
  await s.bot.join(LOBBY, { nickname: 'echo' })
  return s
}

describe('bot.every', () => {
  it('runs at each interval on the bot clock, in every joined room, and stops with the bot', async () => {
    const clock = new FakeClock()
    const { bot, lobby } = await running(clock, (b) => b.every(1000, (ctx) => ctx.room.send(`tick ${ctx.firedAt.getTime() - T0}`)))
    await clock.advanceAsync(999)
    assert.deepEqual(lobby.publicTexts(), [])
    await clock.advanceAsync(1)
    assert.deepEqual(lobby.publicTexts(), ['tick 1000'])
    await clock.advanceAsync(2000)
    assert.deepEqual(lobby.publicTexts(), ['tick 1000', 'tick 2000', 'tick 3000'])
    await bot.stop()
    await clock.advanceAsync(10_000)
    assert.equal(lobby.publicTexts().length, 3, 'no tick after stop()')
  })

  it('a job cancelled does not run again', async () => {
    const clock = new FakeClock()
    let job: { cancel(): void } | undefined
    const { lobby } = await running(clock, (b) => {
      job = b.every(1000, (ctx) => ctx.room.send('tick'))
    })
    await clock.advanceAsync(1000)
    job?.cancel()
    await clock.advanceAsync(5000)
    assert.deepEqual(lobby.publicTexts(), ['tick'])
  })

  it('a job that throws is logged and stays scheduled', async () => {
    const clock = new FakeClock()
    let runs = 0
    const { logger } = await running(clock, (b) => b.every(1000, () => {
      runs++
      throw new Error('boom')
    }))
    await clock.advanceAsync(2000)
    assert.equal(runs, 2)
    assert.ok(logger.entries.some((e) => e.msg?.includes('a scheduled job threw')))
  })

  it('refuses an interval that is not a positive number, saying what to write', () => {
    const { bot } = setup()
    assert.throws(() => bot.every(0, () => {}), /positive number of milliseconds.*60_000/)
    assert.throws(() => bot.every(Number.NaN, () => {}), RangeError)
  })
})

describe('bot.at', () => {
  it('posts at the fake clock time, once', async () => {
    const clock = new FakeClock()
    const { lobby } = await running(clock, (b) => b.at(new Date(T0 + 60_000), (ctx) => ctx.room.send('now')))
    await clock.advanceAsync(59_999)
    assert.deepEqual(lobby.publicTexts(), [])
    await clock.advanceAsync(1)
    assert.deepEqual(lobby.publicTexts(), ['now'])
    await clock.advanceAsync(24 * 3_600_000)
    assert.deepEqual(lobby.publicTexts(), ['now'])
  })

  it('never twice across a reload: the old bot stops, the new one skips a date already past', async () => {
    const clock = new FakeClock()
    const register = (b: Bot) => b.at(new Date(T0 + 60_000), (ctx) => ctx.room.send('now'))
    const first = await running(clock, register)
    await clock.advanceAsync(60_000)
    await first.bot.stop()
    const second = await running(clock, register)
    await clock.advanceAsync(3_600_000)
    assert.deepEqual([...first.lobby.publicTexts(), ...second.lobby.publicTexts()], ['now'])
  })

  it('a reload before the time: only the new bot posts, once', async () => {
    const clock = new FakeClock()
    const register = (b: Bot) => b.at(new Date(T0 + 60_000), (ctx) => ctx.room.send('now'))
    const first = await running(clock, register)
    await clock.advanceAsync(30_000)
    await first.bot.stop()
    const second = await running(clock, register)
    await clock.advanceAsync(3_600_000)
    assert.deepEqual(first.lobby.publicTexts(), [])
    assert.deepEqual(second.lobby.publicTexts(), ['now'])
  })

  it("'HH:MM' runs every day at that local time", async () => {
    const clock = new FakeClock()
    const { lobby } = await running(clock, (b) => b.at('09:00', (ctx) => ctx.room.send(new Date(ctx.firedAt).toTimeString().slice(0, 5))))
    await clock.advanceAsync(3_600_000 - 1)
    assert.deepEqual(lobby.publicTexts(), [])
    await clock.advanceAsync(1)
    assert.deepEqual(lobby.publicTexts(), ['09:00'])
    await clock.advanceAsync(24 * 3_600_000)
    assert.deepEqual(lobby.publicTexts(), ['09:00', '09:00'])
  })

  it('only in the room named, and skips (with a warning) when the bot is not there', async () => {
    const clock = new FakeClock()
    const { lobby, logger } = await running(clock, (b) => {
      b.at(new Date(T0 + 1000), (ctx) => ctx.room.send('lobby only'), { room: LOBBY })
      b.at(new Date(T0 + 1000), (ctx) => ctx.room.send('elsewhere'), { room: 'sip:other@chat.example.test' })
    })
    await clock.advanceAsync(1000)
    assert.deepEqual(lobby.publicTexts(), ['lobby only'])
    assert.ok(logger.entries.some((e) => e.msg?.includes('the bot is not in that room')))
  })

  it('refuses an invalid date or time of day', () => {
    const { bot } = setup()
    assert.throws(() => bot.at(new Date('nonsense'), () => {}), /invalid Date/)
    assert.throws(() => bot.at('25:00', () => {}), /'HH:MM'/)
    assert.throws(() => bot.at('9am', () => {}), /'HH:MM'/)
  })
})
