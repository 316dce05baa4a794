// End to end on the in-process chat: a moderator (another bot) kicks a bot; the kicked bot's
// sends fail at once with SEND_DISCONNECTED saying it was removed, not held for a reconnect.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createBot, silentLogger } from '../../src/index.ts'
import { createTestChat } from '../../src/testing/index.ts'

describe('sends of a bot a moderator removed (msrp-bot/testing)', () => {
  it('fail at once with SEND_DISCONNECTED until the bot joins again', async () => {
    const chat = await createTestChat({ rooms: { lobby: { moderators: ['sip:mod@example.test'] } } })
    const lobby = chat.roomUri('lobby')
    const mod = chat.attach(createBot({ uri: 'sip:mod@example.test', rateLimit: false }, { logger: silentLogger }))
    const victim = chat.attach(createBot({ uri: 'sip:victim@example.test', rateLimit: false }, { logger: silentLogger }))
    let farewell: Promise<unknown> | undefined
    victim.on('room-closed', (ctx) => {
      farewell = ctx.room.send('goodbye?').then(() => 'sent', (e: unknown) => e)
    })
    try {
      await mod.start()
      await victim.start()
      const modRoom = await mod.join(lobby, { nickname: 'mod' })
      const room = await victim.join(lobby, { nickname: 'victim' })
      const alice = await chat.participant('alice')
      await alice.join()
      await chat.settled()
      await room.send('hello')
      await chat.settled()
      assert.ok(alice.lines.includes('victim: hello'))

      await modRoom.kick('victim')
      await chat.settled()
      const removed = { code: 'SEND_DISCONNECTED', message: /removed from .*lobby.* by a moderator/ }
      assert.ok(farewell, 'the room-closed handler ran')
      const e = (await farewell) as { code?: string; message?: string }
      assert.equal(e.code, removed.code)
      assert.match(e.message ?? '', removed.message)
      await assert.rejects(room.send('still there?'), removed)
      assert.ok(!alice.lines.includes('victim: still there?'))

      const back = await victim.join(lobby, { nickname: 'victim' })
      await back.send('back again')
      await chat.settled()
      assert.ok(alice.lines.includes('victim: back again'))
    } finally {
      await chat.close()
    }
  })
})
