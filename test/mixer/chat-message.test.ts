import { test } from 'node:test'
import assert from 'node:assert/strict'
import { aggregateDelivery, categorize, isAcceptedType, mediaType } from '../../src/mixer/index.ts'

test('categorize by encapsulated Content-Type', () => {
  assert.equal(categorize('text/plain;charset=UTF-8'), 'message')
  assert.equal(categorize('Application/IM-isComposing+XML'), 'is-composing')
  assert.equal(categorize('message/imdn+xml; charset=utf-8'), 'imdn')
  assert.equal(categorize(undefined), 'message')
  assert.equal(mediaType(' Text/Plain ; charset=x'), 'text/plain')
})

test('isAcceptedType handles *, type/* and exact matches', () => {
  assert.ok(isAcceptedType('image/png', ['*']))
  assert.ok(isAcceptedType(undefined, ['*/*']))
  assert.ok(isAcceptedType('text/html', ['text/*']))
  assert.ok(!isAcceptedType('texty/html', ['text/*']))
  assert.ok(isAcceptedType('TEXT/PLAIN;charset=utf-8', ['text/plain']))
  assert.ok(!isAcceptedType(undefined, ['text/plain']))
})

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
  const same = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 481 }, { participantId: 'b', ok: false, status: 481, reason: 'gone' }])
  assert.deepEqual([same.status, same.reason, same.partial], [481, 'Session does not exist', false])
  assert.deepEqual(same.failed[1], { participantId: 'b', status: 481, reason: 'gone' })
  const mixed = aggregateDelivery('public', [{ participantId: 'a', ok: false, status: 481 }, { participantId: 'b', ok: false, status: 408 }])
  assert.equal(mixed.status, 408)
  const common = aggregateDelivery('public', [
    { participantId: 'a', ok: false, status: 481 },
    { participantId: 'b', ok: false, status: 415 },
    { participantId: 'c', ok: false, status: 415 },
  ])
  assert.equal(common.status, 415)
  const priv = aggregateDelivery('private', [{ participantId: 'b', ok: false, status: 413 }])
  assert.deepEqual([priv.status, priv.reason], [413, 'Message too large'])
})
