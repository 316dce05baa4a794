import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseMaxForwards, parseDeltaSeconds, parseContentLength, parseCallId, parseSipDate, serializeSipDate, readTokenList } from '../../../src/sip/headers/scalars.ts'
import { SipHeaders } from '../../../src/sip/header-list.ts'

test('Max-Forwards 0..255', () => {
  assert.equal(parseMaxForwards('0068'), 68)
  assert.equal(parseMaxForwards('255'), 255)
  for (const bad of ['256', '-1', 'x', '']) assert.throws(() => parseMaxForwards(bad), { code: 'SIP_BAD_MAX_FORWARDS' })
})
test('Expires up to 2^32-1', () => {
  assert.equal(parseDeltaSeconds('4294967295'), 4294967295)
  assert.throws(() => parseDeltaSeconds('4294967296'), { code: 'SIP_BAD_EXPIRES' })
  assert.throws(() => parseDeltaSeconds('1'.repeat(100)), { code: 'SIP_BAD_EXPIRES' })
})
test('Content-Length', () => {
  assert.equal(parseContentLength(' 150 '), 150)
  assert.throws(() => parseContentLength('-999'), { code: 'SIP_BAD_CONTENT_LENGTH' })
})
test('Call-ID is word[@word]', () => {
  assert.equal(parseCallId('a84b4c76e66710@pc33.atlanta.com'), 'a84b4c76e66710@pc33.atlanta.com')
  for (const bad of ['a b', 'a@b@c', '', 'a;b']) assert.throws(() => parseCallId(bad), { code: 'SIP_BAD_CALL_ID' })
})
test('Date is RFC 1123 in GMT', () => {
  const d = parseSipDate('Sat, 13 Nov 2010 23:29:00 GMT')
  assert.equal(d.toISOString(), '2010-11-13T23:29:00.000Z')
  assert.equal(serializeSipDate(d), 'Sat, 13 Nov 2010 23:29:00 GMT')
  assert.throws(() => parseSipDate('Fri, 01 Jan 2010 16:00:00 EST'), { code: 'SIP_BAD_DATE' })
})
test('token lists across lines', () => {
  assert.deepEqual(readTokenList(new SipHeaders([['Supported', 'timer, 100rel'], ['k', 'path']]), 'Supported'), ['timer', '100rel', 'path'])
})
