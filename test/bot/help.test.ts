// bot.command(name, description, handler) and the default /help built from the descriptions.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Composer } from '../../src/bot/composer.ts'
import { ALICE, setup, started } from './helpers.ts'

describe('commands describe themselves', () => {
  it('a description before the handlers is listed by the default /help, nested composers too', async () => {
    const admin = new Composer()
    admin.command('kick', 'remove someone', () => {})
    const { lobby } = await started((bot) => {
      bot.command('roll', 'roll a die', (ctx) => ctx.reply('4'))
      bot.command(['stats', 'count'], 'show the counters', () => {})
      bot.filter(() => true).command('hidden-ish', () => {})
      bot.use(admin)
    })
    await lobby.say('alice', '/roll')
    await lobby.say('alice', '/help')
    assert.deepEqual(lobby.publicTexts(), [
      '4',
      ['Commands:', '/roll: roll a die', '/stats: show the counters', '/count: show the counters', '/hidden-ish', '/kick: remove someone', '/help: list the commands'].join('\n'),
    ])
  })

  it('a help command of your own replaces the default one', async () => {
    const { bot, lobby } = await started((b) => {
      b.command('help', 'what I do', (ctx) => ctx.reply('my own help'))
    })
    await lobby.say('alice', '/help')
    assert.deepEqual(lobby.publicTexts(), ['my own help'])
    assert.deepEqual(bot.commands(), [{ name: 'help', description: 'what I do' }])
  })

  it('/help answers privately when asked privately', async () => {
    const { lobby } = await started((b) => b.command('ping', 'answer pong', (ctx) => ctx.reply('pong')))
    await lobby.whisper('alice', '/help')
    assert.deepEqual(lobby.privateTexts(ALICE), ['Commands:\n/ping: answer pong\n/help: list the commands'])
    assert.deepEqual(lobby.publicTexts(), [])
  })

  it('a second description among the handlers is refused with the fix', () => {
    const { bot } = setup()
    assert.throws(() => (bot.command as (...a: unknown[]) => unknown)('x', 'one', 'two', () => {}), /give one description, right after the name/)
  })
})
