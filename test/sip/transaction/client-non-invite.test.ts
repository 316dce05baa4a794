import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { NonInviteClientTransaction } from '../../../src/sip/transaction/client-non-invite.ts'
import { TransactionTimeoutError } from '../../../src/sip/transaction/errors.ts'
import type { SipResponse } from '../../../src/sip/message.ts'
import { UDP, TCP, context, request, response } from './helpers.ts'

function start(dest = UDP) {
  const env = context()
  const got: SipResponse[] = []
  const failures: Error[] = []
  const req = request('MESSAGE')
  const tx = new NonInviteClientTransaction(req, 'k', dest, { onResponse: (r) => got.push(r), onFailure: (e) => failures.push(e) }, env.ctx)
  tx.start()
  return { ...env, tx, req, got, failures }
}

test('Timer E doubles up to T2, Timer F times out at 64*T1', () => {
  const { clock, port, failures, tx } = start()
  clock.advance(32000)
  // 0, +500, +1000, +2000, +4000, then every T2 = 4000 (RFC 3261 §17.1.2.2).
  assert.deepEqual(port.times(() => true), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
  assert.equal(tx.state, 'terminated')
  assert.ok(failures[0] instanceof TransactionTimeoutError)
  assert.match(failures[0]!.message, /Timer F/)
})

test('after a provisional Timer E fires every T2', () => {
  const { clock, port, tx, req } = start()
  clock.advance(600) // sent at 0 and 500
  tx.receiveResponse(response(req, 100))
  assert.equal(tx.state, 'proceeding')
  clock.advance(900) // E fires at 1500 (armed with 1000 before the 100)
  clock.advance(8000)
  assert.deepEqual(port.times(() => true), [0, 500, 1500, 5500, 9500])
})

test('final response: completed, Timer K (T4) absorbs retransmissions', () => {
  const { clock, tx, req, got } = start()
  tx.receiveResponse(response(req, 202))
  tx.receiveResponse(response(req, 202))
  assert.deepEqual(got.map((r) => r.status), [202])
  assert.equal(tx.state, 'completed')
  clock.advance(4999)
  assert.equal(tx.state, 'completed')
  clock.advance(1)
  assert.equal(tx.state, 'terminated')
})

test('reliable: no retransmission, terminated at once on the final response', () => {
  const { clock, port, tx, req } = start(TCP)
  clock.advance(20000)
  assert.equal(port.sent.length, 1)
  tx.receiveResponse(response(req, 404))
  assert.equal(tx.state, 'terminated')
})
