import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { NonInviteServerTransaction } from '../../../src/sip/transaction/server-non-invite.ts'
import type { SipResponse } from '../../../src/sip/message.ts'
import { UDP, TCP, context, request, response } from './helpers.ts'

test('trying absorbs retransmissions; later ones get the last response; Timer J', () => {
  const { ctx, port, clock } = context()
  const req = request('MESSAGE')
  const tx = new NonInviteServerTransaction(req, 'k', UDP, ctx)
  tx.receiveRequest(req)
  assert.equal(port.sent.length, 0)
  tx.respond(response(req, 100))
  assert.equal(tx.state, 'proceeding')
  tx.receiveRequest(req)
  tx.respond(response(req, 200))
  assert.equal(tx.state, 'completed')
  tx.receiveRequest(req)
  tx.respond(response(req, 500)) // after a final response: ignored
  assert.deepEqual(port.sent.map((s) => (s.message as SipResponse).status), [100, 100, 200, 200])
  clock.advance(31999)
  assert.equal(tx.state, 'completed')
  clock.advance(1)
  assert.equal(tx.state, 'terminated')
})

test('reliable transports terminate at the final response', () => {
  const { ctx } = context()
  const req = request('OPTIONS')
  const tx = new NonInviteServerTransaction(req, 'k', TCP, ctx)
  tx.respond(response(req, 200))
  assert.equal(tx.state, 'terminated')
})
