import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SendError } from '../../src/chat/backend-errors.ts'
import { FakeClock, flushMicrotasks } from '../../src/clock.ts'
import { OutboundQueue } from '../../src/bot/outbound-queue.ts'
import { ALICE, started } from './helpers.ts'

function queueOn(clock: FakeClock, reconnectWaitMs?: number) {
  return new OutboundQueue({ clock, maxPending: 10, maxAttempts: 3, retryDelayMs: 10, maxRetryDelayMs: 100, rate: false, reconnectWaitMs })
}

const down = () => new SendError('disconnected', 'not connected (reconnecting)')

describe('OutboundQueue and SEND_DISCONNECTED', () => {
  it('holds sends refused while disconnected and sends them, in order, after resume()', async () => {
    const clock = new FakeClock()
    const queue = queueOn(clock)
    let online = false
    const delivered: string[] = []
    const send = (text: string) => queue.push(async () => {
      if (!online) throw down()
      delivered.push(text)
      return text
    })
    const a = send('a')
    const b = send('b')
    await flushMicrotasks()
    assert.deepEqual(delivered, [])
    online = true
    queue.resume()
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b'])
    assert.deepEqual(delivered, ['a', 'b'])
  })

  it('rejects with SEND_DISCONNECTED once the reconnect wait runs out', async () => {
    const clock = new FakeClock()
    const queue = queueOn(clock, 1000)
    const result = queue.push(() => Promise.reject(down()))
    const settled = result.then(() => 'sent', (e: { code?: string }) => e.code)
    await clock.advanceAsync(999)
    await clock.advanceAsync(1)
    assert.equal(await settled, 'SEND_DISCONNECTED')
  })

  it('with reconnectWaitMs 0 fails at once; close() ends a held send with its SEND_DISCONNECTED', async () => {
    const clock = new FakeClock()
    const now = queueOn(clock, 0)
    await assert.rejects(now.push(() => Promise.reject(down())), { code: 'SEND_DISCONNECTED' })
    const held = queueOn(clock, 60_000)
    const p = held.push(() => Promise.reject(down()))
    await flushMicrotasks()
    held.close('room gone')
    await assert.rejects(p, { code: 'SEND_DISCONNECTED' })
  })

  it('the bot resumes its rooms on "reconnected"', async () => {
    const { bot, backend, lobby, room } = await started(() => {})
    let online = false
    backend.sendHook = () => {
      if (!online) throw down()
    }
    await backend.disconnect()
    const sent = room.send('during the outage')
    await flushMicrotasks()
    assert.deepEqual(lobby.publicTexts(), [])
    online = true
    await backend.reconnect()
    await sent
    assert.deepEqual(lobby.publicTexts(), ['during the outage'])
    assert.ok(room.find(ALICE))
    await bot.stop()
  })
})
