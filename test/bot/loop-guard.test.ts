// No bot loops: ignoreBots for participants the roster marks as bots, and the loop guard for
// servers that cannot say who is a bot.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock } from '../../src/clock.ts'
import { LoopGuard } from '../../src/bot/loop-guard.ts'
import { validateConfig } from '../../src/bot/config.ts'
import { started } from './helpers.ts'

const OTHER_BOT = 'sip:parrot@example.test'
const CAROL = 'sip:carol@example.test'

describe('ignoreBots', () => {
  it('public messages from a participant the roster marks as a bot are not handled; private ones are', async () => {
    const { lobby } = await started((bot) => bot.on(['message', 'private'], (ctx) => ctx.reply(`you said: ${ctx.text}`)))
    await lobby.add(OTHER_BOT, 'parrot', { isBot: true })
    await lobby.say('parrot', 'hello')
    assert.deepEqual(lobby.publicTexts(), [])
    await lobby.whisper('parrot', 'psst')
    assert.deepEqual(lobby.privateTexts(OTHER_BOT), ['you said: psst'])
  })

  it('ignoreBots: false hands them to the handlers (the loop guard still applies)', async () => {
    const { lobby } = await started((bot) => bot.on('message', (ctx) => ctx.reply('ok')), { ignoreBots: false })
    await lobby.add(OTHER_BOT, 'parrot', { isBot: true })
    await lobby.say('parrot', 'hello')
    assert.deepEqual(lobby.publicTexts(), ['ok'])
  })
})

describe('the loop guard (servers that cannot say who is a bot)', () => {
  it('stops answering one participant after maxAnswers answers within the window', async () => {
    const clock = new FakeClock()
    const { lobby } = await started((bot) => bot.on('message', (ctx) => ctx.reply(`re: ${ctx.text}`)), { loopGuard: { maxAnswers: 3, windowMs: 10_000 } }, { clock })
    await lobby.add(OTHER_BOT, 'parrot')
    for (let i = 1; i <= 6; i++) await lobby.say('parrot', `m${i}`)
    assert.deepEqual(lobby.publicTexts(), ['re: m1', 're: m2', 're: m3'])
    await lobby.say('alice', 'me too')
    assert.equal(lobby.publicTexts().at(-1), 're: me too', 'others are still answered')
    await clock.advanceAsync(10_000)
    await lobby.say('parrot', 'm7')
    assert.equal(lobby.publicTexts().at(-1), 're: m7', 'answered again once the window passed')
  })

  it('messages the bot did not answer do not count', async () => {
    const { lobby } = await started((bot) => bot.hears('ping', (ctx) => ctx.reply('pong')), { loopGuard: { maxAnswers: 1, windowMs: 10_000 } })
    for (let i = 0; i < 5; i++) await lobby.say('alice', 'chatter')
    await lobby.say('alice', 'ping')
    assert.deepEqual(lobby.publicTexts(), ['pong'])
  })

  it('a person speaking (roster: not a bot) resets the counts of the room', async () => {
    const { lobby } = await started((bot) => bot.on('message', (ctx) => ctx.reply('ok')), { loopGuard: { maxAnswers: 1, windowMs: 60_000 } })
    await lobby.add(CAROL, 'carol', { isBot: false })
    await lobby.say('alice', 'one')
    await lobby.say('alice', 'two')
    assert.equal(lobby.publicTexts().length, 1)
    await lobby.say('carol', 'hello')
    await lobby.say('alice', 'three')
    assert.deepEqual(lobby.publicTexts(), ['ok', 'ok', 'ok'])
  })

  it('loopGuard: false turns it off; defaults are 5 answers in 60 s', async () => {
    assert.deepEqual(validateConfig({ uri: 'sip:a@example.test' }).loopGuard, { maxAnswers: 5, windowMs: 60_000 })
    const { lobby } = await started((bot) => bot.on('message', (ctx) => ctx.reply('ok')), { loopGuard: false })
    for (let i = 0; i < 8; i++) await lobby.say('alice', `m${i}`)
    assert.equal(lobby.publicTexts().length, 8)
  })

  it('tracks a bounded number of participants', () => {
    const guard = new LoopGuard({ maxAnswers: 1, windowMs: 60_000 })
    for (let i = 0; i < 20_000; i++) guard.answered('room', `sip:u${i}@x`, 0)
    assert.equal(guard.allows('room', 'sip:u0@x', 1, false), true, 'the oldest were forgotten')
    assert.equal(guard.allows('room', 'sip:u19999@x', 1, false), false)
  })

  it('a bad loopGuard setting is a config error', () => {
    assert.throws(() => validateConfig({ uri: 'sip:a@example.test', loopGuard: { maxAnswers: 0 } }), /loopGuard/)
  })
})
