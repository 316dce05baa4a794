import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Backoff } from '../../src/chat/backoff.ts'

describe('Backoff', () => {
  it('grows exponentially to the cap, with the jitter the random source gives; reset starts over', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, random: () => 0 })
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [50, 100, 200, 400, 500])
    assert.equal(b.attempts, 5)
    b.reset()
    assert.equal(b.next(), 50)
  })

  it('stays within [base*(1-jitter), base] for any random value (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.integer({ min: 0, max: 12 }), (r, n) => {
        const b = new Backoff({ initialMs: 10, maxMs: 5000, jitter: 0.5, random: () => r })
        let delay = 0
        for (let i = 0; i <= n; i++) delay = b.next()
        const base = Math.min(5000, 10 * 2 ** n)
        return delay >= Math.floor(base * 0.5) && delay <= Math.ceil(base)
      }),
      { numRuns: 100 },
    )
  })
})
