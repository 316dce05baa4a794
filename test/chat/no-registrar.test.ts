// A backend with registrar: false: no REGISTER and no PUBLISH, rooms work as usual, presence says why not.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { client, DOMAIN, LOBBY, startServer, until } from './helpers.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'

describe('SipChatBackend without a registrar', () => {
  it('joins and chats without registering or publishing; setPresence rejects NOT_SUPPORTED', async () => {
    const server = await startServer()
    const alice = await client(server, 'alice')
    const bot = createNodeChatBackend({ uri: `sip:bot@${DOMAIN}`, transport: 'tcp', registrar: false }, { memory: server.network!, reconnect: false })
    const events: BackendEvent[] = []
    bot.subscribe((e) => void events.push(e))
    try {
      await bot.start()
      assert.equal(bot.state, 'online')
      assert.equal(server.registrar.locate(`sip:bot@${DOMAIN}`).length, 0, 'no REGISTER')
      assert.equal(server.registrar.locate(`sip:alice@${DOMAIN}`).length, 1, 'alice (with a registrar) did register')
      const room = await bot.join(LOBBY, { nickname: 'bot' })
      const aliceRoom = await alice.backend.join(LOBBY, { nickname: 'alice' })
      await aliceRoom.send('hi bot')
      await until(server, [bot, alice.backend], () => events.some((e) => e.type === 'message' && e.body === 'hi bot'), 'the message to reach the bot')
      await room.send('hi alice')
      await until(server, [bot, alice.backend], () => alice.texts().includes('bot: hi alice'), 'the answer to reach alice')
      await assert.rejects(bot.setPresence({ status: 'away' }), { code: 'NOT_SUPPORTED', message: /without a registrar/ })
    } finally {
      await bot.stop()
      await alice.backend.stop()
      await server.close()
    }
  })
})
