// cooldown(): per-person limits for commands and handlers, on the bot's clock.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RateWindow, cooldown } from '../../src/bot/cooldown.ts'
import { FakeClock } from '../../src/clock.ts'
import { ALICE, BOB, started } from './helpers.ts'

describe('cooldown', () => {
  it('lets each person through `limit` times per window, per person, on the bot clock', async () => {
    const clock = new FakeClock()
    const { lobby } = await started(
      (bot) => bot.command('roll', 'roll a die', cooldown({ limit: 2, windowMs: 10_000, onLimited: (ctx, ms) => ctx.replyPrivately(`wait ${ms / 1000} s`) }), (ctx) => ctx.reply(`rolled for ${ctx.sender.nickname}`)),
      {},
      { clock },
    )
    await lobby.say('alice', '/roll')
    await clock.advanceAsync(4000)
    await lobby.say('alice', '/roll')
    await lobby.say('alice', '/roll')
    await lobby.say('bob', '/roll')
    assert.deepEqual(lobby.publicTexts(), ['rolled for alice', 'rolled for alice', 'rolled for bob'])
    assert.deepEqual(lobby.privateTexts(ALICE), ['wait 6 s'])
    await clock.advanceAsync(6000)
    await lobby.say('alice', '/roll')
    assert.equal(lobby.publicTexts().at(-1), 'rolled for alice', 'the first roll left the window')
    assert.deepEqual(lobby.privateTexts(BOB), [])
  })

  it('over the limit without onLimited the update is dropped and later middleware does not run', async () => {
    const clock = new FakeClock()
    const { lobby } = await started((bot) => {
      bot.on('message', cooldown({ windowMs: 1000 }), (ctx) => ctx.reply('once'))
    }, {}, { clock })
    await lobby.say('alice', 'a')
    await lobby.say('alice', 'b')
    assert.deepEqual(lobby.publicTexts(), ['once'])
  })

  it('tracks a bounded number of people (an attacker with many identities cannot grow it)', () => {
    const window = new RateWindow(1, 60_000, 3)
    for (let i = 0; i < 100; i++) window.hit(`sip:user${i}@example.test`, 0)
    assert.equal(window.size, 3)
    assert.equal(window.hit('sip:user99@example.test', 1), 59_999, 'the most recent are kept')
    assert.equal(window.hit('sip:user0@example.test', 1), 0, 'the oldest were forgotten')
  })

  it('refuses nonsense settings with RangeError', () => {
    assert.throws(() => cooldown({ limit: 0, windowMs: 1000 }), RangeError)
    assert.throws(() => cooldown({ windowMs: -1 }), RangeError)
    assert.throws(() => new RateWindow(1, 1000, 0), RangeError)
  })
})
