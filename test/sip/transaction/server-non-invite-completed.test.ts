// A UDP non-INVITE server transaction in Completed keeps only the key, the destination and the
// final response's bytes (RFC 3261 §17.2.2; memory figures in docs/performance.md).
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { FakeClock } from '../../../src/clock.ts'
import type { SipMessage, SipResponse } from '../../../src/sip/message.ts'
import { serializeSipMessage } from '../../../src/sip/serializer.ts'
import { sipTimers } from '../../../src/sip/timers.ts'
import { ExpiryQueue } from '../../../src/sip/transaction/expiry-queue.ts'
import { NonInviteServerTransaction } from '../../../src/sip/transaction/server-non-invite.ts'
import { TransactionLayer } from '../../../src/sip/transaction/transaction-layer.ts'
import type { TransactionContext } from '../../../src/sip/transaction/transaction.ts'
import type { Destination, TransportPort } from '../../../src/sip/transaction/transport-port.ts'
import { UDP, context, request, response, tick } from './helpers.ts'

/** A port that records serialized bytes, whether they came as a message or as bytes. */
class BytesPort implements TransportPort {
  readonly sent: Array<{ bytes: Buffer; destination: Destination; how: 'message' | 'bytes' }> = []
  send(message: SipMessage, destination: Destination): Promise<void> {
    this.sent.push({ bytes: serializeSipMessage(message), destination, how: 'message' })
    return Promise.resolve()
  }
  sendBytes(bytes: Buffer, destination: Destination): Promise<void> {
    this.sent.push({ bytes: Buffer.from(bytes), destination, how: 'bytes' })
    return Promise.resolve()
  }
}

function bytesContext(): { clock: FakeClock; port: BytesPort; ctx: TransactionContext } {
  const clock = new FakeClock()
  const port = new BytesPort()
  return { clock, port, ctx: { clock, port, timers: sipTimers() } }
}

/** Answers a MESSAGE 200 in a new transaction, keeping no reference to the request or response. */
function answered(ctx: TransactionContext, refs: { request?: WeakRef<object>; response?: WeakRef<object> } = {}) {
  const req = request('MESSAGE', 'z9hG4bKheld', 'Content-Type: text/plain\r\n')
  const tx = new NonInviteServerTransaction(req, 'k', UDP, ctx)
  const res: SipResponse = response(req, 200)
  refs.request = new WeakRef(req)
  refs.response = new WeakRef(res)
  tx.respond(res)
  return { tx, expected: serializeSipMessage(res) }
}

test('a completed UDP transaction resends the identical bytes and no longer holds the request', () => {
  const { ctx, port, clock } = bytesContext()
  const { tx, expected } = answered(ctx)
  assert.equal(tx.state, 'completed')
  assert.equal(tx.finalSent, true)
  assert.equal(tx.method, 'MESSAGE')
  assert.equal(tx.holdsRequest, false)
  assert.equal(tx.lastResponse, undefined)
  assert.throws(() => tx.request, { code: 'SIP_TRANSACTION_RELEASED' })
  tx.receiveRequest(request('MESSAGE', 'z9hG4bKheld'))
  tx.receiveRequest(request('MESSAGE', 'z9hG4bKheld'))
  assert.equal(port.sent.length, 3)
  for (const sent of port.sent) {
    assert.equal(sent.how, 'bytes')
    assert.deepEqual(sent.bytes, expected)
    assert.deepEqual(sent.destination, UDP)
  }
  assert.deepEqual(tx.runningTimers, []) // Timer J lives in the shared expiry queue
  clock.advance(64 * 500 - 1)
  assert.equal(tx.state, 'completed')
  clock.advance(1)
  assert.equal(tx.state, 'terminated')
})

test('the released request and response can be garbage-collected while the transaction is held', async () => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const { ctx } = bytesContext()
  const refs: { request?: WeakRef<object>; response?: WeakRef<object> } = {}
  const { tx } = answered(ctx, refs)
  await tick() // WeakRef targets stay alive until the current job ends
  gc()
  assert.equal(tx.state, 'completed')
  assert.equal(refs.request?.deref(), undefined, 'the request is still referenced')
  assert.equal(refs.response?.deref(), undefined, 'the response is still referenced')
})

test('without port.sendBytes the transaction keeps the response but still releases the request', () => {
  const { ctx, port } = context()
  const req = request('MESSAGE')
  const tx = new NonInviteServerTransaction(req, 'k', UDP, ctx)
  const res = response(req, 202)
  tx.respond(res)
  tx.receiveRequest(req)
  assert.equal(tx.holdsRequest, false)
  assert.deepEqual(port.sent.map((s) => s.message), [res, res])
})

test('1xx in Proceeding and reliable transports keep the request (no release before Completed on UDP)', () => {
  const { ctx } = bytesContext()
  const req = request('MESSAGE')
  const tx = new NonInviteServerTransaction(req, 'k', UDP, ctx)
  tx.respond(response(req, 100))
  assert.equal(tx.state, 'proceeding')
  assert.equal(tx.request, req)
})

test('the layer still matches retransmissions of a released transaction (RFC 3261 and RFC 2543 keys)', () => {
  const { ctx, port } = bytesContext()
  const layer = new TransactionLayer(ctx)
  const tx = layer.createServer(request('MESSAGE', 'z9hG4bKlayer'), UDP)
  tx.respond(response(request('MESSAGE', 'z9hG4bKlayer'), 200))
  assert.equal(layer.findServer(request('MESSAGE', 'z9hG4bKlayer')), tx)
  // RFC 2543 peer (no magic cookie): matched by key and the request's To tag (§17.2.3).
  const old = request('MESSAGE', 'oldbranch1')
  const tx2543 = layer.createServer(old, UDP)
  assert.match(tx2543.key, /^2543/)
  tx2543.respond(response(old, 200))
  assert.equal(tx2543.holdsRequest, false)
  assert.equal(layer.findServer(request('MESSAGE', 'oldbranch1')), tx2543)
  const tagged = request('MESSAGE', 'oldbranch1')
  tagged.headers.set('To', 'Bob <sip:bob@biloxi.example.com>;tag=other')
  assert.equal(layer.findServer(tagged), undefined)
  assert.equal(layer.size.servers, 2)
  assert.equal(port.sent.length, 2)
  layer.close()
  assert.equal(layer.size.servers, 0)
})

test('ExpiryQueue ends items after the delay, in order, with one timer', () => {
  const clock = new FakeClock()
  const queue = new ExpiryQueue(clock, 100)
  const ended: string[] = []
  const item = (name: string) => ({ terminate: () => ended.push(name) })
  queue.add(item('a'))
  clock.advance(30)
  queue.add(item('b'))
  queue.add(item('c'))
  assert.equal(clock.pending, 1)
  clock.advance(69)
  assert.deepEqual(ended, [])
  clock.advance(1)
  assert.deepEqual(ended, ['a'])
  clock.advance(30)
  assert.deepEqual(ended, ['a', 'b', 'c'])
  assert.equal(queue.size, 0)
  assert.equal(clock.pending, 0)
  queue.add(item('d'))
  clock.advance(100)
  assert.deepEqual(ended, ['a', 'b', 'c', 'd'])
})
