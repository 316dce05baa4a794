import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AuthThrottle } from '../../src/server/auth-throttle.ts'

test('AuthThrottle: per-user and per-source limits, a window that ends, Retry-After in seconds', () => {
  let now = 0
  const throttle = new AuthThrottle({ perUser: 2, perSource: 3, windowMs: 60_000, now: () => now })
  throttle.fail('192.0.2.1', 'alice')
  assert.equal(throttle.retryAfter('192.0.2.1', 'alice'), 0)
  throttle.fail('192.0.2.2', 'alice')
  assert.equal(throttle.retryAfter('192.0.2.3', 'alice'), 60, 'alice is locked from any source')
  assert.equal(throttle.retryAfter('192.0.2.3', 'bob'), 0)
  throttle.fail('192.0.2.1', 'x')
  throttle.fail('192.0.2.1', 'y')
  assert.equal(throttle.retryAfter('192.0.2.1', undefined), 60, 'the source is locked for every name')
  now = 30_500
  assert.equal(throttle.retryAfter('192.0.2.1', undefined), 30)
  now = 60_000
  assert.equal(throttle.retryAfter('192.0.2.1', 'alice'), 0, 'the window ended')
})

test('AuthThrottle: the counters stay within maxTracked under a flood of names and sources', () => {
  let now = 0
  const throttle = new AuthThrottle({ maxTracked: 100, windowMs: 1000, now: () => now })
  for (let i = 0; i < 10_000; i++) {
    throttle.fail(`198.51.100.${i % 250}`, `user${i}`)
    if (i % 1000 === 0) now += 10
    assert.ok(throttle.size <= 100)
  }
  now += 2000
  throttle.fail('192.0.2.1', undefined)
  assert.ok(throttle.size <= 100)
})
