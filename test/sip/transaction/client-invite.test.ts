import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { InviteClientTransaction } from '../../../src/sip/transaction/client-invite.ts'
import { TransactionTimeoutError, TransactionTransportError } from '../../../src/sip/transaction/errors.ts'
import type { SipResponse } from '../../../src/sip/message.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { readTopVia } from '../../../src/sip/headers/via.ts'
import { UDP, TCP, context, request, response, tick } from './helpers.ts'

function start(dest = UDP) {
  const env = context()
  const got: SipResponse[] = []
  const failures: Error[] = []
  const invite = request('INVITE')
  const tx = new InviteClientTransaction(invite, 'k', dest, { onResponse: (r) => got.push(r), onFailure: (e) => failures.push(e) }, env.ctx)
  tx.start()
  return { ...env, tx, invite, got, failures }
}

test('Timer A doubles from T1 until Timer B (64*T1) times out with a 408-like error', () => {
  const { clock, port, tx, failures } = start()
  clock.advance(64 * 500)
  // Sent at 0, then after 500, 1000, 2000, 4000, 8000, 16000 ms (RFC 3261 §17.1.1.2).
  assert.deepEqual(port.times((m) => m.kind === 'request'), [0, 500, 1500, 3500, 7500, 15500, 31500])
  assert.equal(tx.state, 'terminated')
  assert.equal(failures.length, 1)
  assert.ok(failures[0] instanceof TransactionTimeoutError)
  assert.equal((failures[0] as TransactionTimeoutError).status, 408)
  assert.equal(clock.pending, 0)
})

test('no retransmission on a reliable transport, Timer B still runs', () => {
  const { clock, port, tx, failures } = start(TCP)
  clock.advance(31999)
  assert.equal(port.sent.length, 1)
  assert.equal(tx.state, 'calling')
  clock.advance(1)
  assert.equal(failures.length, 1)
})

test('a provisional stops Timer A; 2xx goes up and the transaction waits in accepted', () => {
  const { clock, port, tx, got, invite } = start()
  tx.receiveResponse(response(invite, 180))
  assert.equal(tx.state, 'proceeding')
  assert.equal(tx.provisionalReceived, true)
  clock.advance(10000)
  assert.equal(port.sent.length, 1)
  tx.receiveResponse(response(invite, 200))
  assert.equal(tx.state, 'accepted')
  tx.receiveResponse(response(invite, 200)) // retransmitted 2xx reaches the TU, which ACKs it
  assert.deepEqual(got.map((r) => r.status), [180, 200, 200])
  assert.equal(port.sent.length, 1, 'the transaction never ACKs a 2xx')
  clock.advance(64 * 500)
  assert.equal(tx.state, 'terminated')
})

test('a non-2xx final response is ACKed by the transaction (§17.1.1.3), retransmissions re-ACKed, Timer D', () => {
  const { clock, port, tx, got, invite } = start()
  const busy = response(invite, 486)
  tx.receiveResponse(busy)
  assert.equal(tx.state, 'completed')
  const ack = port.sent[1]!.message
  assert.equal(ack.kind === 'request' && ack.method, 'ACK')
  assert.equal(ack.kind === 'request' && ack.uri, invite.uri)
  assert.deepEqual(readCSeq(ack.headers), { seq: 2, method: 'ACK' })
  assert.equal(readTopVia(ack.headers).branch, readTopVia(invite.headers).branch)
  assert.equal(ack.headers.get('To'), busy.headers.get('To'))
  assert.match(ack.headers.get('To')!, /tag=srv1/)
  tx.receiveResponse(busy)
  assert.equal(port.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK').length, 2)
  assert.deepEqual(got.map((r) => r.status), [486])
  clock.advance(31999)
  assert.equal(tx.state, 'completed')
  clock.advance(1)
  assert.equal(tx.state, 'terminated')
})

test('Timer D is 0 on reliable transports', () => {
  const { tx, invite } = start(TCP)
  tx.receiveResponse(response(invite, 603))
  assert.equal(tx.state, 'terminated')
})

test('a transport failure terminates with a 503-like error', async () => {
  const env = context()
  env.port.fail = true
  const failures: Error[] = []
  const tx = new InviteClientTransaction(request('INVITE'), 'k', UDP, { onResponse() {}, onFailure: (e) => failures.push(e) }, env.ctx)
  tx.start()
  await tick()
  assert.equal(tx.state, 'terminated')
  assert.ok(failures[0] instanceof TransactionTransportError)
  assert.equal((failures[0] as TransactionTransportError).status, 503)
})

test('once proceeding, Timer B no longer applies; after a CANCEL, 64*T1 without a final response ends it', () => {
  const { clock, tx, invite, failures } = start()
  tx.receiveResponse(response(invite, 180))
  clock.advance(120000)
  assert.equal(tx.state, 'proceeding')
  assert.equal(failures.length, 0)
  tx.cancelSent()
  clock.advance(32000)
  assert.equal(tx.state, 'terminated')
  assert.ok(failures[0] instanceof TransactionTimeoutError)
})
