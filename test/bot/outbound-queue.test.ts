import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { SendError } from '../../src/chat/backend-errors.ts'
import { FakeClock, flushMicrotasks } from '../../src/clock.ts'
import { OutboundQueueError } from '../../src/bot/errors.ts'
import { OutboundQueue } from '../../src/bot/outbound-queue.ts'
import type { OutboundQueueOptions } from '../../src/bot/outbound-queue.ts'
import { started } from './helpers.ts'

function makeQueue(clock: FakeClock, overrides: Partial<OutboundQueueOptions> = {}) {
  const counts = { sent: 0, failed: 0 }
  const queue = new OutboundQueue({
    clock,
    maxPending: 100,
    maxAttempts: 3,
    retryDelayMs: 100,
    maxRetryDelayMs: 1000,
    rate: false,
    onSent: () => counts.sent++,
    onFailed: () => counts.failed++,
    ...overrides,
  })
  return { queue, counts }
}

const rateLimited = (retryAfterMs?: number) =>
  new SendError('rate-limited', '429-ish: slow down', retryAfterMs === undefined ? {} : { retryAfterMs })

describe('OutboundQueue', () => {
  it('sends one at a time, in order, and never drops (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (failures) => {
        const clock = new FakeClock()
        const { queue } = makeQueue(clock)
        const order: number[] = []
        let inFlight = 0
        const results = failures.map((fail, i) =>
          queue
            .push(async () => {
              inFlight++
              assert.equal(inFlight, 1, 'only one send in flight')
              await flushMicrotasks()
              inFlight--
              order.push(i)
              if (fail) throw new SendError('rejected', `no ${i}`)
              return i
            })
            .then(
              (v) => ({ ok: v }),
              (e: unknown) => ({ err: e }),
            ),
        )
        const settled = await Promise.all(results)
        assert.deepEqual(order, failures.map((_, i) => i))
        settled.forEach((r, i) => {
          if (failures[i]) assert.ok('err' in r && r.err instanceof SendError)
          else assert.deepEqual(r, { ok: i })
        })
      }),
      { numRuns: 30 },
    )
  })

  it('retries rate-limited sends after the delay the peer asked for, on the injected clock', async () => {
    const clock = new FakeClock()
    const { queue, counts } = makeQueue(clock)
    let attempts = 0
    const result = queue.push(async () => {
      attempts++
      if (attempts < 3) throw rateLimited(500)
      return 'ok'
    })
    await flushMicrotasks()
    assert.equal(attempts, 1)
    await clock.advanceAsync(499)
    assert.equal(attempts, 1, 'must wait the full retryAfterMs')
    await clock.advanceAsync(1)
    assert.equal(attempts, 2)
    await clock.advanceAsync(500)
    assert.equal(await result, 'ok')
    assert.equal(attempts, 3)
    assert.deepEqual(counts, { sent: 1, failed: 0 })
  })

  it('backs off exponentially when the peer gives no delay, capped at maxRetryDelayMs', async () => {
    const clock = new FakeClock()
    const { queue } = makeQueue(clock, { maxAttempts: 6, retryDelayMs: 300, maxRetryDelayMs: 1000 })
    const times: number[] = []
    const result = queue.push(async () => {
      times.push(clock.now())
      if (times.length < 5) throw rateLimited()
      return 'done'
    })
    await clock.advanceAsync(10_000)
    assert.equal(await result, 'done')
    assert.deepEqual(times, [0, 300, 900, 1900, 2900])
  })

  it('gives up after maxAttempts with a typed SEND_GAVE_UP carrying the last error', async () => {
    const clock = new FakeClock()
    const { queue, counts } = makeQueue(clock, { maxAttempts: 3 })
    const result = queue.push(async () => {
      throw rateLimited(10)
    })
    result.catch(() => {}) // observed before it settles; assert.rejects below still sees it
    const later = queue.push(async () => 'next one still goes')
    await clock.advanceAsync(100)
    await assert.rejects(result, (err: unknown) => {
      assert.ok(err instanceof OutboundQueueError)
      assert.equal(err.code, 'SEND_GAVE_UP')
      assert.equal(err.attempts, 3)
      assert.ok(err.cause instanceof SendError)
      return true
    })
    assert.equal(await later, 'next one still goes')
    assert.deepEqual(counts, { sent: 1, failed: 1 })
  })

  it('other backend errors reject at once, unchanged', async () => {
    const clock = new FakeClock()
    const { queue } = makeQueue(clock)
    const error = new SendError('timeout', 'no 200 OK within 30 s')
    await assert.rejects(queue.push(async () => Promise.reject(error)), (e: unknown) => e === error)
  })

  it('refuses sends beyond maxPending with SEND_QUEUE_FULL instead of dropping silently', async () => {
    const clock = new FakeClock()
    const { queue, counts } = makeQueue(clock, { maxPending: 2 })
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const a = queue.push(() => gate)
    const b = queue.push(async () => 'b')
    await assert.rejects(queue.push(async () => 'c'), { code: 'SEND_QUEUE_FULL' })
    release()
    await a
    assert.equal(await b, 'b')
    assert.equal(counts.failed, 1)
  })

  it('paces sends with the token bucket', async () => {
    const clock = new FakeClock()
    const { queue } = makeQueue(clock, { rate: { messagesPerSecond: 2, burst: 2 } })
    const times: number[] = []
    const all = Promise.all(
      [1, 2, 3, 4].map(() =>
        queue.push(async () => {
          times.push(clock.now())
        }),
      ),
    )
    await clock.advanceAsync(2000)
    await all
    assert.deepEqual(times, [0, 0, 500, 1000])
  })

  it('drain() resolves once everything settled; close() cancels what is waiting', async () => {
    const clock = new FakeClock()
    const { queue } = makeQueue(clock)
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const first = queue.push(() => gate)
    const second = queue.push(async () => 'never sent')
    let drained = false
    const draining = queue.drain().then(() => (drained = true))
    await flushMicrotasks()
    assert.equal(drained, false)
    queue.close('room closed')
    await assert.rejects(second, { code: 'SEND_CANCELLED' })
    await assert.rejects(queue.push(async () => 1), { code: 'SEND_CANCELLED' })
    release()
    await first
    await draining
    assert.equal(queue.size, 0)
    await queue.drain() // already idle
  })
})

describe('outbound flow control through the bot', () => {
  it('a rate-limited reply is retried and delivered, never dropped', async () => {
    const clock = new FakeClock()
    const { lobby, backend, bot } = await started(
      (b) => {
        b.on('message', (ctx) => ctx.reply(`re: ${ctx.text}`))
      },
      { queue: { maxAttempts: 5, retryDelayMs: 1000 } },
      { clock },
    )
    backend.sendHook = (_m, attempt) => {
      if (attempt === 1) throw rateLimited(2000)
    }
    const said = lobby.say('alice', 'x')
    await flushMicrotasks()
    assert.deepEqual(lobby.publicTexts(), [])
    await clock.advanceAsync(2000)
    await said
    assert.deepEqual(lobby.publicTexts(), ['re: x'])
    assert.equal(bot.metrics.snapshot().sendFailures, 0)
  })
})
