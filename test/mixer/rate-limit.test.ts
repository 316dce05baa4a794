import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../src/mixer/index.ts'
import { FakeClock } from '../../src/clock.ts'

test('token bucket: burst, then refill at the configured rate, never above burst', () => {
  const clock = new FakeClock()
  const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, clock)
  assert.ok(bucket.take() && bucket.take() && bucket.take())
  assert.ok(!bucket.take())
  assert.equal(bucket.msUntilAvailable(), 500)
  clock.advance(499)
  assert.ok(!bucket.take())
  clock.advance(1)
  assert.ok(bucket.take())
  clock.advance(60_000)
  assert.equal(bucket.available, 3)
  assert.equal(bucket.msUntilAvailable(), 0)
})

test('token bucket refuses nonsense configuration, fake clock refuses going back', () => {
  const clock = new FakeClock()
  assert.throws(() => new TokenBucket({ burst: 0, perSecond: 1 }, clock), RangeError)
  assert.throws(() => new TokenBucket({ burst: 1, perSecond: 0 }, clock), RangeError)
  assert.throws(() => clock.advance(-1), RangeError)
})
