import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SendError } from '../../src/chat/backend-errors.ts'
import { FakeClock, flushMicrotasks } from '../../src/clock.ts'
import { OutboundQueue } from '../../src/bot/outbound-queue.ts'
import { ALICE, LOBBY, started } from './helpers.ts'

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

  it('a held send is also tried again on its own (0.2 s doubling to 2 s): it goes out once the room is back, even with no resume()', async () => {
    const clock = new FakeClock()
    const queue = queueOn(clock, 30_000)
    let online = false
    let tries = 0
    const sent = queue.push(async () => {
      tries++
      if (!online) throw down()
      return 'sent'
    })
    await flushMicrotasks()
    assert.equal(tries, 1)
    await clock.advanceAsync(200)
    assert.equal(tries, 2, 'first probe after 200 ms')
    await clock.advanceAsync(399)
    assert.equal(tries, 2)
    await clock.advanceAsync(1)
    assert.equal(tries, 3, 'second probe 400 ms later')
    online = true
    await clock.advanceAsync(800)
    assert.equal(await sent, 'sent')
    assert.equal(tries, 4)
  })

  it('probes stop at the reconnect wait, counted from the first refusal: then SEND_DISCONNECTED', async () => {
    const clock = new FakeClock()
    const queue = queueOn(clock, 10_000)
    let tries = 0
    const result = queue.push(() => {
      tries++
      return Promise.reject(down())
    })
    const settled = result.then(() => 'sent', (e: { code?: string }) => e.code)
    await clock.advanceAsync(9_999)
    let done = false
    void settled.then(() => (done = true))
    await flushMicrotasks()
    assert.equal(done, false)
    await clock.advanceAsync(1)
    assert.equal(await settled, 'SEND_DISCONNECTED')
    // 0, 200, 600, 1400, 3000, then every 2 s: 5000, 7000, 9000, and the last try at 10 000.
    assert.equal(tries, 9)
  })

  it('a handler awaiting its own reply during an outage is not stuck until the reconnect wait when "reconnected" cannot reach the bot first', async () => {
    const clock = new FakeClock()
    let online = false
    let handled = false
    const { bot, backend, lobby } = await started(
      (b) => {
        b.on('message', async (ctx) => {
          await ctx.reply(`you said: ${ctx.text ?? ''}`)
          handled = true
        })
      },
      {},
      { clock },
    )
    backend.sendHook = () => {
      if (!online) throw down()
    }
    await backend.disconnect()
    // A backend that delivers events one at a time would hold 'reconnected' behind this
    // handler, which awaits its reply: the reply must not need that event to go out.
    const saying = lobby.say('alice', 'hello')
    await flushMicrotasks()
    assert.equal(handled, false)
    online = true
    await clock.advanceAsync(200)
    await saying
    assert.equal(handled, true)
    assert.deepEqual(lobby.publicTexts(), ['you said: hello'])
    await bot.stop()
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

  it('a kick fails held, in-handler and later sends at once with SEND_DISCONNECTED until the bot re-joins', async () => {
    let fromHandler: Promise<unknown> | undefined
    const { bot, backend, lobby, room } = await started((b) => {
      b.on('room-closed', (ctx) => {
        // Not awaited before the fix this would wait for a reconnect that never comes.
        fromHandler = ctx.room.send('bye').then(() => 'sent', (e: unknown) => e)
      })
    })
    backend.sendHook = () => {
      throw down()
    }
    const held = room.send('lost before the BYE').then(() => 'sent', (e: unknown) => e)
    await flushMicrotasks()
    backend.sendHook = undefined
    await lobby.close('kicked')
    await flushMicrotasks()
    const removed = { code: 'SEND_DISCONNECTED', message: /removed from .*lobby.* by a moderator/ }
    let settled = false
    void Promise.all([held, fromHandler]).then(() => (settled = true))
    await flushMicrotasks()
    assert.equal(settled, true, 'held sends settled without waiting for a reconnect')
    assert.ok((await held) instanceof SendError)
    assert.match(((await held) as Error).message, removed.message)
    assert.match(((await fromHandler) as Error).message, removed.message)
    await assert.rejects(room.send('later'), removed)
    assert.deepEqual(lobby.publicTexts(), [])
    const again = await bot.join(LOBBY, { nickname: 'echo' })
    await again.send('back')
    assert.deepEqual(lobby.publicTexts(), ['back'])
    await bot.stop()
  })

  it('a closed room fails later sends with a message saying the room was closed', async () => {
    const { bot, lobby, room } = await started(() => {})
    await lobby.close('closed')
    await assert.rejects(room.send('too late'), { code: 'SEND_DISCONNECTED', message: /room .*lobby.* was closed/ })
    await bot.stop()
  })
})
