import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseEvent, serializeEvent, parseSubscriptionState, serializeSubscriptionState } from '../../../src/sip/headers/event.ts'

test('Event package and id', () => {
  const e = parseEvent('presence.winfo;id=42')
  assert.equal(e.package, 'presence.winfo')
  assert.equal(e.id, '42')
  assert.deepEqual(parseEvent(serializeEvent(e)), e)
  assert.throws(() => parseEvent(';id=1'), { code: 'SIP_BAD_EVENT' })
})
test('Subscription-State', () => {
  const s = parseSubscriptionState('terminated;reason=Timeout;retry-after=30')
  assert.equal(s.state, 'terminated')
  assert.equal(s.reason, 'timeout')
  assert.equal(s.retryAfter, 30)
  assert.equal(parseSubscriptionState('active ; expires = 600').expires, 600)
  const again = parseSubscriptionState(serializeSubscriptionState(s))
  assert.deepEqual([again.state, again.reason, again.retryAfter, again.expires], ['terminated', 'timeout', 30, undefined])
  assert.throws(() => parseSubscriptionState('active;expires=x'), { code: 'SIP_BAD_SUBSCRIPTION_STATE' })
})
