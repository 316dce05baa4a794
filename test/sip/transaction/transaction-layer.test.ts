import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { TransactionLayer } from '../../../src/sip/transaction/transaction-layer.ts'
import { InviteServerTransaction } from '../../../src/sip/transaction/server-invite.ts'
import { buildCancel } from '../../../src/sip/transaction/cancel.ts'
import { parseSipMessage } from '../../../src/sip/parser.ts'
import type { SipRequest } from '../../../src/sip/message.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { UDP, context, request, response } from './helpers.ts'

const vector = (name: string): SipRequest =>
  parseSipMessage(readFileSync(new URL(`../../../../shared/vectors/sip-torture/${name}.dat`, import.meta.url)), { datagram: true }) as SipRequest

test('responses match a client transaction by branch and CSeq method (§17.1.3)', () => {
  const { ctx } = context()
  const layer = new TransactionLayer(ctx)
  const got: number[] = []
  const invite = request('INVITE', 'z9hG4bKaaa')
  layer.sendRequest(invite, UDP, { onResponse: (r) => got.push(r.status), onFailure() {} })
  const cancel = buildCancel(invite)
  layer.sendRequest(cancel, UDP, { onResponse: (r) => got.push(-r.status), onFailure() {} })
  assert.equal(layer.receiveResponse(response(invite, 180)), true)
  assert.equal(layer.receiveResponse(response(cancel, 200)), true)
  assert.equal(layer.receiveResponse(response(request('INVITE', 'z9hG4bKother'), 180)), false)
  assert.deepEqual(got, [180, -200])
  assert.throws(() => layer.sendRequest(invite, UDP, { onResponse() {}, onFailure() {} }), { code: 'SIP_DUPLICATE_BRANCH' })
})

test('requests match server transactions by branch + sent-by + method; ACK finds its INVITE (§17.2.3)', () => {
  const { ctx } = context()
  const layer = new TransactionLayer(ctx)
  const invite = request('INVITE', 'z9hG4bKsrv')
  const tx = layer.createServer(invite, UDP)
  assert.equal(layer.findServer(invite), tx)
  assert.equal(layer.findServer(request('ACK', 'z9hG4bKsrv')), tx)
  assert.equal(layer.findServer(request('INVITE', 'z9hG4bKsrv2')), undefined)
  // Same branch from another sent-by is another transaction.
  const otherHost = parseSipMessage(Buffer.from(
    'INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP evil.example.com;branch=z9hG4bKsrv\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n',
  )) as SipRequest
  assert.equal(layer.findServer(otherHost), undefined)
  // A CANCEL is its own transaction but finds the INVITE it cancels (§9.2).
  const cancel = buildCancel(invite)
  assert.equal(layer.findServer(cancel), undefined)
  assert.equal(layer.findInviteForCancel(cancel), tx)
  assert.ok(tx instanceof InviteServerTransaction)
})

test('RFC 2543 fallback matching for a branch without the magic cookie (RFC 4475 badbranch)', () => {
  const { ctx } = context()
  const layer = new TransactionLayer(ctx)
  const options = vector('badbranch')
  const tx = layer.createServer(options, UDP)
  assert.match(tx.key, /^2543/)
  // The retransmission (same bytes) matches.
  assert.equal(layer.findServer(vector('badbranch')), tx)
  // A different CSeq is a new request.
  const bytes = readFileSync(new URL('../../../../shared/vectors/sip-torture/badbranch.dat', import.meta.url))
  const next = parseSipMessage(Buffer.from(bytes.toString('latin1').replace('CSeq: 8 OPTIONS', 'CSeq: 9 OPTIONS'), 'latin1'), { datagram: true }) as SipRequest
  assert.equal(layer.findServer(next), undefined)
})

test('RFC 2543 INVITE: the ACK matches with the To tag of our response', () => {
  const { ctx } = context()
  const layer = new TransactionLayer(ctx)
  const invite = vector('inv2543')
  const tx = layer.createServer(invite, UDP)
  const busy = response(invite, 486, 'ourtag')
  tx.respond(busy)
  const ackText = `ACK ${invite.uri} SIP/2.0\r\nVia: ${invite.headers.get('Via')}\r\nFrom: ${invite.headers.get('From')}\r\n` +
    `To: ${busy.headers.get('To')}\r\nCall-ID: ${invite.headers.get('Call-ID')}\r\nCSeq: 56 ACK\r\nContent-Length: 0\r\n\r\n`
  const ack = parseSipMessage(Buffer.from(ackText)) as SipRequest
  assert.equal(layer.findServer(ack), tx)
  const wrongTag = parseSipMessage(Buffer.from(ackText.replace('tag=ourtag', 'tag=other'))) as SipRequest
  assert.equal(layer.findServer(wrongTag), undefined)
  tx.receiveRequest(ack)
  assert.equal(tx.state, 'confirmed')
})

test('terminated transactions leave the layer', () => {
  const { ctx, clock } = context()
  const layer = new TransactionLayer(ctx)
  const req = request('OPTIONS', 'z9hG4bKgone')
  const server = layer.createServer(req, UDP)
  server.respond(response(req, 200))
  layer.sendRequest(request('MESSAGE', 'z9hG4bKcli'), UDP, { onResponse() {}, onFailure() {} })
  assert.deepEqual(layer.size, { clients: 1, servers: 1 })
  clock.advance(64 * 500)
  assert.deepEqual(layer.size, { clients: 0, servers: 0 })
  assert.equal(layer.findServer(req), undefined)
})

test('CANCEL built per §9.1', () => {
  const invite = request('INVITE', 'z9hG4bKc', 'Route: <sip:p1.example.com;lr>\r\n')
  const cancel = buildCancel(invite)
  assert.equal(cancel.uri, invite.uri)
  assert.deepEqual(readCSeq(cancel.headers), { seq: 2, method: 'CANCEL' })
  assert.equal(cancel.headers.get('Via'), invite.headers.get('Via'))
  assert.equal(cancel.headers.get('Route'), '<sip:p1.example.com;lr>')
  for (const h of ['From', 'To', 'Call-ID']) assert.equal(cancel.headers.get(h), invite.headers.get(h))
})
