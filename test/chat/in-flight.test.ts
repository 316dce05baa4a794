import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InFlight } from '../../src/chat/in-flight.ts'

describe('InFlight', () => {
  it('is idle at once with nothing in flight', async () => {
    const inFlight = new InFlight()
    await inFlight.idle()
    assert.equal(inFlight.busy, 0)
  })

  it('counts tracked work until it settles, rejected work included, and wakes idle() then', async () => {
    const inFlight = new InFlight()
    let finish!: () => void
    const work = inFlight.track(new Promise<void>((resolve) => (finish = resolve)))
    const failing = inFlight.track(Promise.reject(new Error('no'))).catch(() => undefined)
    assert.equal(inFlight.busy, 2)
    let idle = false
    const waiting = inFlight.idle().then(() => (idle = true))
    await failing
    assert.equal(idle, false)
    finish()
    await work
    await waiting
    assert.equal(inFlight.busy, 0)
    assert.ok(inFlight.activity >= 4, 'start and end of each piece of work count as activity')
  })

  it('counts begin/end work the same way', async () => {
    const inFlight = new InFlight()
    inFlight.begin()
    const waiting = inFlight.idle()
    inFlight.end()
    await waiting
    inFlight.touch()
    assert.equal(inFlight.activity, 1)
  })
})
