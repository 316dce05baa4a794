// bot.on('direct') and ctx.reply for direct messages, on the fake backend: the filters narrow,
// the answer goes back on the path the message came, and nothing of it touches a room.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createBot, FakeChatBackend, silentLogger } from 'msrp-bot'

test('direct:text and direct:media narrow; ctx.reply answers on the same path (MESSAGE or session)', async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const bot = createBot({ uri: 'sip:echo@example.test' }, { backend, logger: silentLogger })
  const kinds: string[] = []
  bot.on('direct:text', (ctx) => {
    kinds.push(`${ctx.kind} ${ctx.direct.path} ${ctx.room === undefined}`)
    return ctx.reply(`you said: ${ctx.text}`)
  })
  bot.on('direct:media', (ctx) => ctx.reply(`${ctx.body.byteLength} bytes`))
  bot.on('message', () => assert.fail('a direct message is not a room message'))
  await bot.start()
  await backend.direct('sip:alice@example.test', 'hi')
  await backend.direct('sip:alice@example.test', 'again', { path: 'session', chat: 'c1' })
  await backend.direct('sip:alice@example.test', { contentType: 'application/octet-stream', body: new Uint8Array(4) })
  assert.deepEqual(kinds, ['direct message true', 'direct session true'])
  assert.deepEqual(backend.sentDirect.map((m) => [m.to, m.body]), [
    [{ peer: 'sip:alice@example.test', path: 'message', chat: undefined }, 'you said: hi'],
    [{ peer: 'sip:alice@example.test', path: 'session', chat: 'c1' }, 'you said: again'],
    [{ peer: 'sip:alice@example.test', path: 'message', chat: undefined }, '4 bytes'],
  ])
  assert.deepEqual(backend.sent, [])
  await bot.stop()
})

test('ctx.replyPrivately to a direct message answers on its path too', async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const bot = createBot({ uri: 'sip:echo@example.test' }, { backend, logger: silentLogger })
  bot.on('direct:text', (ctx) => ctx.replyPrivately('just you'))
  await bot.start()
  await backend.direct('sip:alice@example.test', 'hi', { path: 'session', chat: 'c9' })
  assert.deepEqual(backend.sentDirect.map((m) => [m.to.chat, m.body]), [['c9', 'just you']])
  await bot.stop()
})

test('the bot ignores direct messages from itself', async () => {
  const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
  const bot = createBot({ uri: 'sip:echo@example.test' }, { backend, logger: silentLogger })
  bot.on('direct', (ctx) => ctx.reply('loop'))
  await bot.start()
  await backend.direct('sip:echo@example.test', 'me')
  assert.deepEqual(backend.sentDirect, [])
  await bot.stop()
})

test("'direct' is a valid filter query and a typo is caught", () => {
  const bot = createBot({ uri: 'sip:echo@example.test' }, { backend: new FakeChatBackend({ uri: 'sip:echo@example.test' }), logger: silentLogger })
  bot.on(['direct', 'direct-closed'], () => undefined)
  assert.throws(() => bot.on('dircet' as 'direct', () => undefined), /did you mean 'direct'/)
})
