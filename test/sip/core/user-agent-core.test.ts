import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import type { IncomingRequest } from '../../../src/sip/core/incoming-request.ts'
import { readTopVia } from '../../../src/sip/headers/via.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { TransactionTimeoutError } from '../../../src/sip/transaction/errors.ts'
import type { SipResponse } from '../../../src/sip/message.ts'
import { TestNetwork, settle } from './network.ts'

const ALICE = 'sip:alice@10.0.0.1:5060'
function setup() {
  const net = new TestNetwork()
  const alice = net.node('10.0.0.1', 5060)
  const bob = net.node('10.0.0.2', 5070)
  const received: IncomingRequest[] = []
  return { net, alice, bob, received }
}
const request = (core: ReturnType<typeof setup>['alice'], method: string, extra: ReadonlyArray<readonly [string, string]> = []) =>
  core.createRequest(method, 'sip:bob@10.0.0.2:5070', { from: `<${ALICE}>`, headers: extra })

describe('UserAgentCore', () => {
  test('sendRequest completes the request, the UAS stamps received/rport, the response comes back by Via', async () => {
    const { net, alice, bob, received } = setup()
    bob.onRequest((req) => {
      received.push(req)
      req.respond(200)
    })
    const req = request(alice, 'OPTIONS')
    const res = await Promise.all([alice.sendRequest(req), settle()]).then(([r]) => r)
    assert.equal(res.status, 200)
    const via = readTopVia(req.headers)
    assert.match(via.branch!, /^z9hG4bK.{8,}/)
    assert.equal(via.rport, true)
    assert.equal(req.headers.get('Max-Forwards'), '70')
    assert.match(req.headers.get('From')!, /;tag=/)
    assert.deepEqual(readCSeq(req.headers), { seq: 1, method: 'OPTIONS' })
    // Bob saw the Via stamped (RFC 3581): received=source address, rport=source port.
    const seen = readTopVia(received[0]!.message.headers)
    assert.equal(seen.received, '10.0.0.1')
    assert.equal(seen.rport, 5060)
    assert.match(res.headers.get('To')!, /;tag=/)
  })

  test('unknown methods get 405 with Allow; unknown in-dialog requests get 481', async () => {
    const { alice, bob } = setup()
    bob.onRequest((req) => req.respond(200))
    const [res405] = await Promise.all([alice.sendRequest(request(alice, 'FOO')), settle()])
    assert.equal(res405.status, 405)
    assert.match(res405.headers.get('Allow')!, /INVITE/)
    const bye = request(alice, 'BYE')
    bye.headers.set('To', '<sip:bob@10.0.0.2:5070>;tag=nosuchdialog')
    const [res481] = await Promise.all([alice.sendRequest(bye), settle()])
    assert.equal(res481.status, 481)
  })

  test('Timer F: a request into the void rejects with a 408-like timeout', async () => {
    const { net, alice } = setup()
    const req = alice.createRequest('MESSAGE', 'sip:nobody@10.9.9.9', { from: `<${ALICE}>`, body: 'hi', contentType: 'text/plain' })
    const outcome = alice.sendRequest(req).then(() => 'resolved', (e: unknown) => e)
    await settle()
    net.clock.advance(32000)
    const error = await outcome
    assert.ok(error instanceof TransactionTimeoutError)
    assert.equal(error.status, 408)
    assert.equal(net.summary().filter((m) => m === 'MESSAGE').length, 11)
  })

  test('INVITE → 180 → 200 → ACK, dialog, BYE; a lost ACK means 2xx retransmissions, each ACKed again', async () => {
    const { net, alice, bob } = setup()
    let bobDialog: ReturnType<typeof bob.createUasDialog> | undefined
    bob.onRequest((req) => {
      if (req.method !== 'INVITE') return
      req.respond(180)
      bobDialog = bob.createUasDialog(req, '<sip:bob@10.0.0.2:5070>', (inDialog) => {
        if (inDialog.method === 'BYE') inDialog.respond(200) // the core ends and forgets the dialog
      })
      req.respond(200, { headers: [['Contact', '<sip:bob@10.0.0.2:5070>']], body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' })
    })
    const invite = request(alice, 'INVITE', [['Contact', `<${ALICE}>`]])
    const provisional: number[] = []
    // Drop the first ACK so Bob retransmits his 2xx.
    let acks = 0
    net.drop = (w) => w.message.kind === 'request' && w.message.method === 'ACK' && acks++ === 0
    const pending = alice.sendRequest(invite, { onProvisional: (r) => provisional.push(r.status) })
    await settle()
    const ok: SipResponse = await pending
    assert.deepEqual(provisional, [180])
    assert.equal(ok.status, 200)
    const dialog = alice.createUacDialog(invite, ok)
    await alice.sendAck(dialog.createAck(readCSeq(invite.headers).seq))
    await settle()
    net.clock.advance(500) // Bob's 2xx retransmission (T1), Alice re-sends the ACK
    await settle()
    net.clock.advance(10000) // the ACK arrived: no more retransmissions
    await settle()
    assert.deepEqual(net.summary('10.0.0.2:5070'), ['180', '200', '200'])
    assert.deepEqual(net.summary('10.0.0.1:5060'), ['INVITE', 'ACK', 'ACK'])
    assert.equal(bob.dialogCount, 1)
    assert.equal(alice.dialogCount, 1)
    const [byeRes] = await Promise.all([alice.sendRequest(dialog.createRequest('BYE'), { dialog }), settle()])
    assert.equal(byeRes.status, 200)
    assert.equal(bob.dialogCount, 0)
    assert.equal(alice.dialogCount, 0, 'a 2xx to BYE removes the dialog')
    assert.equal(dialog.state, 'terminated')
    assert.equal(bobDialog?.state, 'terminated')
    assert.equal(bobDialog?.remoteSeq, readCSeq(invite.headers).seq + 1)
  })

  test('CANCEL after a provisional: 200 to the CANCEL, 487 to the INVITE (RFC 3261 §9)', async () => {
    const { net, alice, bob } = setup()
    const cancelled: string[] = []
    bob.onRequest((req) => {
      if (req.method !== 'INVITE') return
      req.onCancel(() => cancelled.push(req.message.headers.get('Call-ID')!))
      // Never answers finally: rings until cancelled.
      req.respond(180)
    })
    const invite = request(alice, 'INVITE', [['Contact', `<${ALICE}>`]])
    const pending = alice.sendRequest(invite)
    assert.equal(alice.cancel(invite), true) // no provisional yet: the CANCEL waits for one
    await settle()
    const res = await pending
    assert.equal(res.status, 487)
    assert.equal(cancelled.length, 1)
    assert.deepEqual(net.summary('10.0.0.1:5060'), ['INVITE', 'CANCEL', 'ACK'])
    assert.deepEqual(net.summary('10.0.0.2:5070').sort(), ['180', '200', '487'].sort())
    assert.equal(alice.cancel(invite), false)
  })

  test('a response whose top Via is not ours is discarded (§18.1.2)', async () => {
    const { alice, bob } = setup()
    bob.onRequest((req) => req.respond(200))
    const req = request(alice, 'OPTIONS')
    const pending = alice.sendRequest(req)
    await settle()
    assert.equal((await pending).status, 200)
    const forged = (await import('../../../src/sip/response.ts')).createResponse(req, 200)
    forged.headers.set('Via', 'SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKforged')
    alice.receive(forged, { host: '203.0.113.9', port: 5060, transport: 'UDP' })
    assert.deepEqual(alice.transactions.size, { clients: 1, servers: 0 }) // only the finished OPTIONS in Timer K
  })

  test('a request over 1300 bytes goes over TCP unless the URI names UDP (§18.1.1)', async () => {
    const { net, alice, bob } = setup()
    bob.onRequest((req) => req.respond(200))
    const big = alice.createRequest('MESSAGE', 'sip:bob@10.0.0.2:5070', { from: `<${ALICE}>`, body: 'x'.repeat(2000), contentType: 'text/plain' })
    const [res] = await Promise.all([alice.sendRequest(big), settle()])
    assert.equal(res.status, 200)
    assert.equal(net.log[0]!.to.transport, 'TCP')
    assert.equal(readTopVia(big.headers).transport, 'TCP')
    const pinned = alice.createRequest('MESSAGE', 'sip:bob@10.0.0.2:5070;transport=udp', { from: `<${ALICE}>`, body: 'x'.repeat(2000), contentType: 'text/plain' })
    assert.equal(pinned.headers.get('To'), '<sip:bob@10.0.0.2:5070>', 'transport stays out of To (§19.1.1)')
    await Promise.all([alice.sendRequest(pinned), settle()])
    assert.equal(net.log[2]!.to.transport, 'UDP')
  })

  test('a request arriving twice through different branches (forking) gets 482 the second time (§8.2.2.2)', async () => {
    const { net, alice, bob } = setup()
    const seen: string[] = []
    bob.onRequest((req) => seen.push(req.method)) // leaves the first one unanswered (in progress)
    const first = request(alice, 'MESSAGE')
    void alice.sendRequest(first).catch(() => {})
    await settle()
    // Same From tag, Call-ID, CSeq, new branch: what a forking proxy would deliver.
    const copy = request(alice, 'MESSAGE')
    for (const name of ['From', 'Call-ID', 'CSeq']) copy.headers.set(name, first.headers.get(name)!)
    const [res] = await Promise.all([alice.sendRequest(copy), settle()])
    assert.equal(res.status, 482)
    assert.deepEqual(seen, ['MESSAGE'])
    alice.close()
    assert.ok(net.log.length >= 3)
  })

  test('without handlers a request gets 480; close() rejects pending requests', async () => {
    const { alice } = setup()
    const [res] = await Promise.all([alice.sendRequest(request(alice, 'MESSAGE')), settle()])
    assert.equal(res.status, 480)
    const pending = alice.sendRequest(alice.createRequest('OPTIONS', 'sip:x@10.9.9.9', { from: `<${ALICE}>` }))
    alice.close()
    await assert.rejects(pending, { code: 'SIP_REQUEST_CANCELLED' })
  })
})
