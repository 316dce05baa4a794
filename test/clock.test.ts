import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock, flushMicrotasks, systemClock, unrefClock } from '../src/clock.ts'

describe('FakeClock', () => {
  it('starts where told and fires due timers in time order, ties in creation order', () => {
    const clock = new FakeClock(1_000)
    const fired: string[] = []
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200)
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100)
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 200)
    clock.advance(150)
    assert.deepEqual(fired, ['a@1100'])
    assert.equal(clock.now(), 1150)
    clock.advance(50)
    assert.deepEqual(fired, ['a@1100', 'b@1200', 'c@1200'])
    assert.equal(clock.pending, 0)
  })

  it('fires timers that callbacks set within the window, and honours clearTimeout', () => {
    const clock = new FakeClock()
    const fired: number[] = []
    const cancelled = clock.setTimeout(() => fired.push(-1), 50)
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 30), 40)
    clock.clearTimeout(cancelled)
    clock.clearTimeout('unknown')
    clock.advance(100)
    assert.deepEqual(fired, [70])
  })

  it('refuses to go back', () => {
    const clock = new FakeClock()
    assert.throws(() => clock.advance(-1), RangeError)
    assert.throws(() => clock.advance(Number.NaN), RangeError)
  })

  it('runNext jumps to the next timer', () => {
    const clock = new FakeClock()
    assert.equal(clock.runNext(), undefined)
    let fired = false
    clock.setTimeout(() => { fired = true }, 300)
    assert.equal(clock.runNext(), 300)
    assert.equal(fired, true)
  })

  it('advanceAsync lets promise callbacks set timers that fire within the window', async () => {
    const clock = new FakeClock()
    const fired: number[] = []
    clock.setTimeout(() => {
      void Promise.resolve().then(() => clock.setTimeout(() => fired.push(clock.now()), 100))
    }, 100)
    await clock.advanceAsync(250)
    assert.deepEqual(fired, [200])
    assert.equal(clock.now(), 250)
  })
})

describe('real clocks', () => {
  it('systemClock fires timers, reads monotonic time, and its timers keep the process alive', async () => {
    const before = systemClock.now()
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1))
    assert.ok(systemClock.now() >= before)
    const handle = systemClock.setTimeout(() => assert.fail('cleared timer fired'), 0) as NodeJS.Timeout
    assert.equal(handle.hasRef(), true)
    systemClock.clearTimeout(handle)
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5))
  })

  it('unrefClock timers never keep the process alive on their own (the SIP stack default)', async () => {
    const handle = unrefClock.setTimeout(() => assert.fail('cleared timer fired'), 0) as NodeJS.Timeout
    assert.equal(handle.hasRef(), false)
    unrefClock.clearTimeout(handle)
    await flushMicrotasks()
    assert.equal(typeof unrefClock.now(), 'number')
  })
})
