import { test } from 'node:test'
import assert from 'node:assert/strict'
import { aggregateDelivery } from '../../../src/server/core/index.ts'

test('aggregateDelivery: all delivered is 200; nobody to deliver to is 200 for public, 404 for private', () => {
  const all = aggregateDelivery('public', [{ participantId: 'a', ok: true }, { participantId: 'b', ok: true }])
  assert.deepEqual([all.status, all.partial, all.delivered, all.failed], [200, false, ['a', 'b'], []])
  assert.equal(aggregateDelivery('public', []).status, 200)
  const gone = aggregateDelivery('private', [])
  assert.equal(gone.status, 404)
})

test('aggregateDelivery: partial public delivery is 200 but says partial and lists failures', () => {
  const r = aggregateDelivery('public', [{ participantId: 'a', ok: true }, { participantId: 'b', ok: false, status: 408 }])
  assert.equal(r.status, 200)
  assert.equal(r.partial, true)
  assert.deepEqual(r.failed, [{ participantId: 'b', status: 408 }])
})

test('aggregateDelivery: total failure reports the shared status, else 408 if any timed out, else the most common', () => {
  const same = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 415 }, { participantId: 'b', ok: false, status: 415, reason: 'no' }])
  assert.deepEqual([same.status, same.reason, same.partial], [415, 'Media type not supported', false])
  assert.deepEqual(same.failed[1], { participantId: 'b', status: 415, reason: 'no' })
  const mixed = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 403 }, { participantId: 'b', ok: false, status: 408 }])
  assert.equal(mixed.status, 408)
  const common = aggregateDelivery('public', [
    { participantId: 'a', ok: false, status: 403 },
    { participantId: 'b', ok: false, status: 415 },
    { participantId: 'c', ok: false, status: 415 },
  ])
  assert.equal(common.status, 415)
  const priv = aggregateDelivery('private', [{ participantId: 'b', ok: false, status: 413 }])
  assert.deepEqual([priv.status, priv.reason], [413, 'Message too large'])
})

test('aggregateDelivery: recipients that left mid-delivery never give the sender a 481', () => {
  // The only recipient answered 481 (its session closed as the copy arrived): nobody is left, 200.
  const onlyLeft = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 481 }])
  assert.deepEqual([onlyLeft.status, onlyLeft.partial, onlyLeft.left, onlyLeft.failed], [200, false, ['a'], []])
  const flagged = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 408, left: true }, { participantId: 'b', ok: true }])
  assert.deepEqual([flagged.status, flagged.partial, flagged.delivered, flagged.left], [200, false, ['b'], ['a']])
  const withFailure = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 506 }, { participantId: 'b', ok: false, status: 413 }])
  assert.equal(withFailure.status, 413)
  // A private message's addressee that left: its URI no longer resolves (RFC 7701 §6.2).
  assert.equal(aggregateDelivery('private', [{ participantId: 'a', ok: false, status: 481 }]).status, 404)
  // A leg code that says nothing about the message is not passed on as is.
  assert.equal(aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 501 }]).status, 403)
  for (const status of [481, 506, 501, 400, 403, 408, 413, 415]) {
    for (const kind of ['public', 'private'] as const) assert.notEqual(aggregateDelivery(kind, [{ participantId: 'x', ok: false, status }]).status, 481)
  }
})
