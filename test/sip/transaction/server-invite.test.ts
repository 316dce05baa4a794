import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { InviteServerTransaction } from '../../../src/sip/transaction/server-invite.ts'
import type { SipResponse } from '../../../src/sip/message.ts'
import { UDP, TCP, context, request, response } from './helpers.ts'

const statusOf = (m: { kind: string }) => (m as SipResponse).status

test('100 Trying after 200 ms when the TU is silent; not when it answers first', () => {
  const a = context()
  const invite = request('INVITE')
  const tx = new InviteServerTransaction(invite, 'k', UDP, a.ctx)
  a.clock.advance(199)
  assert.equal(a.port.sent.length, 0)
  a.clock.advance(1)
  assert.deepEqual(a.port.sent.map((s) => statusOf(s.message)), [100])
  assert.equal(tx.state, 'proceeding')

  const b = context()
  const tx2 = new InviteServerTransaction(invite, 'k', UDP, b.ctx)
  tx2.respond(response(invite, 180))
  b.clock.advance(1000)
  assert.deepEqual(b.port.sent.map((s) => statusOf(s.message)), [180])

  const c = context()
  new InviteServerTransaction(invite, 'k', UDP, c.ctx, {}, { tryingDelayMs: 0 })
  assert.deepEqual(c.port.sent.map((s) => statusOf(s.message)), [100])
})

test('retransmitted INVITE gets the last provisional again', () => {
  const { ctx, port } = context()
  const invite = request('INVITE')
  const tx = new InviteServerTransaction(invite, 'k', UDP, ctx)
  tx.respond(response(invite, 180))
  tx.receiveRequest(invite)
  assert.deepEqual(port.sent.map((s) => statusOf(s.message)), [180, 180])
})

test('non-2xx final: Timer G retransmits (T1 doubling to T2) until the ACK; then confirmed and Timer I', () => {
  const { ctx, port, clock } = context()
  const invite = request('INVITE')
  const tx = new InviteServerTransaction(invite, 'k', UDP, ctx)
  const acks: unknown[] = []
  tx.onAck = (a) => acks.push(a)
  tx.respond(response(invite, 486))
  assert.equal(tx.state, 'completed')
  clock.advance(12000)
  assert.deepEqual(port.times(() => true), [0, 500, 1500, 3500, 7500, 11500])
  tx.receiveRequest(request('ACK'))
  assert.equal(tx.state, 'confirmed')
  assert.equal(acks.length, 1)
  tx.receiveRequest(request('ACK')) // absorbed
  clock.advance(4999)
  assert.equal(tx.state, 'confirmed')
  assert.equal(port.sent.length, 6, 'no more retransmissions once confirmed')
  clock.advance(1)
  assert.equal(tx.state, 'terminated')
})

test('Timer H: no ACK within 64*T1 terminates and reports', () => {
  const { ctx, clock } = context()
  const invite = request('INVITE')
  const failures: Error[] = []
  const tx = new InviteServerTransaction(invite, 'k', TCP, ctx, { onFailure: (e) => failures.push(e) })
  tx.respond(response(invite, 500))
  clock.advance(32000)
  assert.equal(tx.state, 'terminated')
  assert.equal((failures[0] as { code?: string }).code, 'SIP_ACK_TIMEOUT')
})

test('2xx: accepted; retransmitted INVITEs absorbed, TU 2xx retransmissions pass, Timer L ends it', () => {
  const { ctx, port, clock } = context()
  const invite = request('INVITE')
  const tx = new InviteServerTransaction(invite, 'k', UDP, ctx)
  const ok = response(invite, 200)
  tx.respond(ok)
  assert.equal(tx.state, 'accepted')
  tx.receiveRequest(invite)
  tx.respond(ok)
  assert.equal(port.sent.length, 2)
  clock.advance(32000)
  assert.equal(tx.state, 'terminated')
})

test('respondStateless: a non-2xx final goes out once, the transaction ends, nothing is retransmitted (RFC 3261 §8.2.7)', () => {
  const { ctx, port, clock } = context()
  const invite = request('INVITE')
  const tx = new InviteServerTransaction(invite, 'k', UDP, ctx)
  tx.respondStateless(response(invite, 401))
  assert.equal(tx.state, 'terminated')
  assert.equal(tx.finalSent, true)
  clock.advance(64_000)
  tx.respond(response(invite, 500))
  assert.deepEqual(port.sent.map((s) => statusOf(s.message)), [401], 'no Timer G, no 100 Trying, nothing after the end')
})
