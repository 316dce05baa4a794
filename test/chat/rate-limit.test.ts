// A room's rate limit reaches the bot as SEND_RATE_LIMITED with the focus's retry delay, so the
// bot's outbound queue waits and retries instead of giving up (src/bot/outbound-queue.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { client, LOBBY, startServer } from './helpers.ts'

test('the focus throttles a fast sender: 403 with a retry delay becomes SEND_RATE_LIMITED + retryAfterMs', async () => {
  const server = await startServer({ rooms: { lobby: { rateLimit: { burst: 2, perSecond: 0.5 } } } })
  const alice = await client(server, 'alice')
  try {
    const room = await alice.backend.join(LOBBY, { nickname: 'alice' })
    await room.send('one')
    await room.send('two')
    await assert.rejects(room.send('three'), (error: Error & { code?: string; retryAfterMs?: number; statusCode?: number }) => {
      assert.equal(error.code, 'SEND_RATE_LIMITED')
      assert.equal(error.statusCode, 403)
      assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 0 && error.retryAfterMs <= 2000, `retryAfterMs ${error.retryAfterMs}`)
      return true
    })
  } finally {
    await alice.backend.stop()
    await server.close()
  }
})
