// End to end on the in-process chat (msrp-bot/testing): a bot's send is still waiting for the
// focus's 200 when a moderator removes the bot. The handler's await must fail at once with
// SEND_DISCONNECTED (not after the 30 s MSRP transaction timeout), and the failure is logged
// once, as one warning, not a warning plus an "unhandled error in a handler".
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock, createBot, createMemoryLogger } from '../../src/index.ts'
import type { MemoryStream } from '../../src/msrp/memory-stream.ts'
import { createTestChat } from '../../src/testing/index.ts'

describe('a send pending while a moderator removes the bot (msrp-bot/testing)', () => {
  it('rejects the handler at once with SEND_DISCONNECTED and logs the failure once', async () => {
    const clock = new FakeClock()
    const chat = await createTestChat({ rooms: { lobby: { moderators: ['sip:mod@example.test'] } } })
    // The bots' MSRP connections to the focus, so the test can lose what one sends (a focus
    // that does not answer): the victim's SEND then waits for its 200.
    const held = new Set<MemoryStream>()
    const streams: MemoryStream[] = []
    const connect = chat.network.msrp.connect.bind(chat.network.msrp)
    chat.network.msrp.connect = (host, port, options) => {
      const client = connect(host, port, options)
      const write = client._write.bind(client)
      // Only SEND requests are lost (whole frames, RFC 4975 §7.1); responses, such as the
      // victim's 200s to what the focus relays, still go (a write may carry several frames).
      client._write = (chunk, encoding, callback) => {
        if (!held.has(client)) return write(chunk, encoding, callback)
        const kept = String(chunk).replace(/MSRP (\S+) SEND\r\n[\s\S]*?-------\1[$+#]\r\n/g, '')
        return kept.length === 0 ? callback() : write(Buffer.from(kept), encoding, callback)
      }
      streams.push(client)
      return client
    }
    const lobby = chat.roomUri('lobby')
    const logger = createMemoryLogger('info')
    const mod = chat.attach(createBot({ uri: 'sip:mod@example.test', rateLimit: false }))
    const victim = chat.attach(createBot({ uri: 'sip:victim@example.test', rateLimit: false, queue: { maxAttempts: 1 } }, { logger, clock }))
    let failure: ((error: unknown) => void) | undefined
    const failed = new Promise<unknown>((resolve) => (failure = resolve))
    let handlerStarted!: () => void
    const started = new Promise<void>((resolve) => (handlerStarted = resolve))
    victim.command('long', async (ctx) => {
      const sending = ctx.reply('a long answer')
      handlerStarted()
      sending.catch((error: unknown) => failure?.(error))
      await sending // uncaught: the bot's error path must not log it a second time
    })
    try {
      await mod.start()
      await victim.start()
      const modRoom = await mod.join(lobby, { nickname: 'mod' })
      const before = streams.length
      await victim.join(lobby, { nickname: 'victim' })
      const victimStream = streams[before]
      assert.ok(victimStream, 'the victim opened an MSRP connection')
      const alice = await chat.participant('alice')
      await alice.join()
      await chat.settled()

      held.add(victimStream) // what the victim sends from now on is lost: no 200 comes
      await alice.say('/long')
      await started
      await modRoom.kick('victim')
      const error = (await failed) as { code?: string; message?: string }
      assert.equal(error.code, 'SEND_DISCONNECTED')
      assert.match(error.message ?? '', /removed from .*lobby.* by a moderator/)
      assert.equal(clock.now(), 0, 'settled without the transaction timeout running (no fake time passed)')
      await chat.settled()

      const lines = logger.entries.filter((e) => e.level === 'warn' || e.level === 'error').map((e) => `${e.level} ${e.msg}`)
      const aboutTheSend = lines.filter((l) => /send failed|unhandled error/.test(l))
      assert.deepEqual(aboutTheSend, ['warn send failed'], `logged once: ${JSON.stringify(lines)}`)
    } finally {
      await chat.close()
    }
  })
})
