import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock } from '../../src/clock.ts'
import { Backoff } from '../../src/chat/backoff.ts'
import { RejoinSchedule } from '../../src/chat/rejoin-schedule.ts'
import { silentLogger } from '../../src/logger.ts'

function setup(outcomes: Array<'fail' | 'ok'>) {
  const clock = new FakeClock()
  const work: Promise<void>[] = []
  const state = { suspended: true, online: true, attempts: 0 }
  const schedule = new RejoinSchedule({
    uri: 'sip:lobby@example.test',
    clock,
    log: silentLogger,
    online: () => state.online,
    suspended: () => state.suspended,
    rejoin: async () => {
      state.attempts++
      if (outcomes.shift() === 'fail') throw new Error('503')
      state.suspended = false
    },
    track: (w) => void work.push(w),
    newBackoff: () => new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0, random: () => 0 }),
  })
  /** Awaits the work counted so far (a new backoff wait it schedules stays pending). */
  const settle = async (): Promise<void> => {
    await Promise.all(work.splice(0))
  }
  return { clock, state, schedule, settle }
}

describe('RejoinSchedule', () => {
  it('re-joins after the delay, and after the backoff while that fails', async () => {
    const { clock, state, schedule } = setup(['fail', 'ok'])
    schedule.schedule(2000)
    await clock.advanceAsync(1999)
    assert.equal(state.attempts, 0)
    await clock.advanceAsync(1) // fires, fails, schedules the next try after the backoff
    assert.equal(state.attempts, 1)
    assert.equal(clock.pending, 1)
    await clock.advanceAsync(100)
    assert.equal(state.attempts, 2)
    assert.equal(state.suspended, false)
    assert.equal(clock.pending, 0)
  })

  it('does nothing when cancelled, or when signalling went down meanwhile', async () => {
    const cancelled = setup(['ok'])
    cancelled.schedule.schedule(10)
    cancelled.schedule.cancel()
    await cancelled.settle() // the wait counted as work has ended
    await cancelled.clock.advanceAsync(100)
    assert.equal(cancelled.state.attempts, 0)

    const offline = setup(['ok'])
    offline.schedule.schedule(10)
    offline.state.online = false
    await offline.clock.advanceAsync(10)
    await offline.settle()
    assert.equal(offline.state.attempts, 0)
  })
})
