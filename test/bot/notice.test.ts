// The 'notice' update: what the room itself says reaches handlers as a notice, never as a message.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validateConfig } from '../../src/bot/config.ts'
import { started } from './helpers.ts'

describe("bot.on('notice')", () => {
  it('gets the room\'s notices with ctx.text and ctx.notice; message handlers never see them', async () => {
    const notices: Array<[string, string | undefined, string | undefined]> = []
    const { lobby } = await started((bot) => {
      bot.on('notice', (ctx) => {
        // narrowed: text is a string, room is set
        notices.push([ctx.text, ctx.notice, ctx.room.uri])
      })
      bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
    })
    await lobby.notice('Welcome! You are the first participant in the conference.')
    await lobby.notice('alice <alice@example.test> has joined the room with chat', 'status')
    await lobby.say('alice', 'hello')
    assert.deepEqual(notices, [
      ['Welcome! You are the first participant in the conference.', 'info', 'sip:lobby@chat.example.test'],
      ['alice <alice@example.test> has joined the room with chat', 'status', 'sip:lobby@chat.example.test'],
    ])
    assert.deepEqual(lobby.publicTexts(), ['you said: hello'], 'no answer to a notice')
  })

  it('a notice has no sender: replyPrivately throws, reply goes to the room', async () => {
    const errors: string[] = []
    const { lobby } = await started((bot) => {
      bot.on('notice', async (ctx) => {
        assert.equal(ctx.kind, 'notice')
        assert.equal(ctx.sender, undefined)
        try {
          await ctx.replyPrivately('x')
        } catch (error) {
          errors.push((error as { code?: string }).code ?? '')
        }
        await ctx.reply('noted')
      })
    })
    await lobby.notice('the room will close at 18:00')
    assert.deepEqual(errors, ['BOT_NO_RECIPIENT'])
    assert.deepEqual(lobby.publicTexts(), ['noted'])
  })
})

describe('registrar: false', () => {
  it('is a valid config (no registration, reachable only in rooms); a bad registrar still says how to fix it', () => {
    assert.equal(validateConfig({ uri: 'sip:echo@example.test', registrar: false }).registrar, false)
    assert.throws(() => validateConfig({ uri: 'sip:echo@example.test', registrar: 'example.test' }), /registrar: must be a sip: or sips: URI .*add the scheme: 'sip:example.test'/)
    assert.throws(() => validateConfig({ uri: 'sip:echo@example.test', registrar: true }), /registrar: must be a SIP URI such as 'sip:example.test', or false/)
  })
})

describe('ignoreHistory', () => {
  it('by default skips messages the room replays from before the bot joined; ignoreHistory: false shows them with ctx.isHistory', async () => {
    const { lobby } = await started((bot) => bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}${ctx.isHistory ? ' (earlier)' : ''}`)))
    await lobby.say('alice', 'old news', { history: true, timestamp: new Date(Date.now() - 60_000) })
    await lobby.say('alice', 'fresh')
    assert.deepEqual(lobby.publicTexts(), ['you said: fresh'])

    const all = await started((bot) => bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}${ctx.isHistory ? ' (earlier)' : ''}`)), { ignoreHistory: false })
    await all.lobby.say('alice', 'old news', { history: true })
    assert.deepEqual(all.lobby.publicTexts(), ['you said: old news (earlier)'])
  })
})
