// The 'history' update: messages the room replays from before the bot joined reach history
// handlers and room.history(), never message handlers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_ROOM_HISTORY } from '../../src/bot/room.ts'
import { started } from './helpers.ts'

describe("bot.on('history')", () => {
  it('gets replayed messages; message handlers, commands and hears never do', async () => {
    const seen: string[] = []
    const answered: string[] = []
    const { room: joined, lobby } = await started((b) => {
      b.on('history', (ctx) => {
        // narrowed: text is a string, the room is set
        seen.push(`${ctx.kind}:${ctx.isHistory}:${ctx.sender.uri}:${ctx.text}`)
      })
      b.on('message', (ctx) => {
        answered.push(ctx.text)
      })
      b.command('help', (ctx) => ctx.reply('help!'))
      b.hears(/old/, (ctx) => ctx.reply('heard'))
    })
    const when = new Date('2026-12-01T10:00:00Z')
    await lobby.say('alice', 'old question?', { history: true, timestamp: when })
    await lobby.say('bob', '/help', { history: true })
    await lobby.say('alice', 'fresh')
    assert.deepEqual(seen, ['history:true:sip:alice@example.test:old question?', 'history:true:sip:bob@example.test:/help'])
    assert.deepEqual(answered, ['fresh'])
    assert.deepEqual(lobby.publicTexts(), [], 'no command or hears answered yesterday')
    const room = joined
    assert.deepEqual(room.history().map((m) => [m.sender.uri, m.text]), [['sip:alice@example.test', 'old question?'], ['sip:bob@example.test', '/help']])
    assert.equal(room.history()[0]!.timestamp.toISOString(), when.toISOString())
  })

  it("'history:text' and 'history:media' filter like the message ones", async () => {
    const kinds: string[] = []
    const { lobby } = await started((b) => {
      b.on('history:text', (ctx) => { kinds.push(`text ${ctx.body.length}`) })
      b.on('history:media', (ctx) => { kinds.push(`media ${ctx.body.byteLength}`) })
    })
    await lobby.say('alice', 'words', { history: true })
    await lobby.say('alice', { contentType: 'image/png', body: new Uint8Array([1, 2, 3]) }, { history: true })
    assert.deepEqual(kinds, ['text 5', 'media 3'])
  })

  it('room.history() keeps the latest messages only', async () => {
    const { room, lobby } = await started(() => undefined)
    for (let i = 0; i < MAX_ROOM_HISTORY + 5; i++) await lobby.say('alice', `m${i}`, { history: true })
    const history = room.history()
    assert.equal(history.length, MAX_ROOM_HISTORY)
    assert.equal(history[0]!.text, 'm5')
  })

  it('with ignoreHistory: false replays reach message handlers (ctx.isHistory), not history ones', async () => {
    const seen: string[] = []
    const { lobby } = await started((b) => {
      b.on('history', () => { seen.push('history') })
      b.on('message', (ctx) => { seen.push(`message ${ctx.isHistory}`) })
    }, { ignoreHistory: false })
    await lobby.say('alice', 'old', { history: true })
    assert.deepEqual(seen, ['message true'])
  })
})
