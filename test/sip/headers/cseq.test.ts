import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseCSeq, serializeCSeq, readCSeq, MAX_CSEQ } from '../../../src/sip/headers/cseq.ts'
import { SipHeaders } from '../../../src/sip/header-list.ts'

test('parses number and method with free white space', () => {
  assert.deepEqual(parseCSeq('  0009   INVITE '), { seq: 9, method: 'INVITE' })
  assert.equal(serializeCSeq({ seq: 4711, method: 'BYE' }), '4711 BYE')
})
test('bounds: 2^31-1 is the largest', () => {
  assert.equal(parseCSeq(`${MAX_CSEQ} ACK`).seq, MAX_CSEQ)
  assert.throws(() => parseCSeq(`${MAX_CSEQ + 1} ACK`), { code: 'SIP_BAD_CSEQ' })
})
for (const bad of ['INVITE', '12', '12INVITE', '-1 INVITE', '1 INV ITE', '1 INVITE;x']) {
  test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseCSeq(bad), { code: 'SIP_BAD_CSEQ' }))
}
test('missing CSeq', () => assert.throws(() => readCSeq(new SipHeaders()), { code: 'SIP_MISSING_CSEQ' }))
