import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { Dialog, dialogKey } from '../../src/sip/dialog.ts'
import { parseSipMessage } from '../../src/sip/parser.ts'
import { createResponse } from '../../src/sip/response.ts'
import type { SipRequest } from '../../src/sip/message.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import { readNameAddrHeader, tagOf } from '../../src/sip/headers/name-addr.ts'
import { serializeUri } from '../../src/sip/uri.ts'

const invite = (extra = ''): SipRequest =>
  parseSipMessage(Buffer.from(
    'INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n' +
    'Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
    `Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@pc33.atlanta.example.com>\r\n${extra}Content-Length: 0\r\n\r\n`,
  )) as SipRequest

test('UAC dialog: route set reversed, remote target from Contact, BYE built with loose routing', () => {
  const req = invite()
  const ok = createResponse(req, 200, {
    toTag: 'a6c85cf',
    headers: [['Record-Route', '<sip:p2.example.com;lr>, <sip:p1.example.com;lr>'], ['Contact', '<sip:bob@192.0.2.4>']],
  })
  const d = Dialog.forUac(req, ok)
  assert.equal(d.state, 'confirmed')
  assert.deepEqual(d.id, { callId: 'a84b4c76e66710', localTag: '1928301774', remoteTag: 'a6c85cf' })
  assert.equal(d.key, dialogKey(d.id))
  assert.deepEqual(d.routeSet.map((r) => serializeUri(r.uri)), ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'])
  const bye = d.createRequest('BYE')
  assert.equal(bye.uri, 'sip:bob@192.0.2.4')
  assert.deepEqual(bye.headers.getAllLines('Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'])
  assert.deepEqual(readCSeq(bye.headers), { seq: 314160, method: 'BYE' })
  assert.equal(tagOf(readNameAddrHeader(bye.headers, 'To')!), 'a6c85cf')
  assert.equal(tagOf(readNameAddrHeader(bye.headers, 'From')!), '1928301774')
  assert.equal(bye.headers.has('Contact'), false)
  const ack = d.createAck(314159)
  assert.deepEqual(readCSeq(ack.headers), { seq: 314159, method: 'ACK' })
  assert.equal(d.localSeq, 314160, 'ACK does not consume a CSeq number')
  const reinvite = d.createRequest('INVITE', { body: 'v=0\r\n', contentType: 'application/sdp' })
  assert.equal(reinvite.headers.get('Contact'), '<sip:alice@pc33.atlanta.example.com>')
  assert.equal(reinvite.headers.get('Content-Type'), 'application/sdp')
  assert.equal(readCSeq(reinvite.headers).seq, 314161)
})

test('strict router: first route becomes the Request-URI, remote target goes last in Route', () => {
  const req = invite()
  const ok = createResponse(req, 200, { toTag: 't', headers: [['Record-Route', '<sip:p2.example.com;lr>'], ['Record-Route', '<sip:strict.example.com>'], ['Contact', '<sip:bob@192.0.2.4>']] })
  const d = Dialog.forUac(req, ok)
  const bye = d.createRequest('BYE')
  assert.equal(bye.uri, 'sip:strict.example.com')
  assert.deepEqual(bye.headers.getAllLines('Route'), ['<sip:p2.example.com;lr>', '<sip:bob@192.0.2.4>'])
})

test('early dialog from a 1xx with tag, confirmed by the 2xx whose Record-Route wins', () => {
  const req = invite()
  const ringing = createResponse(req, 180, { toTag: 'x', headers: [['Contact', '<sip:bob@early.example.com>'], ['Record-Route', '<sip:old.example.com;lr>']] })
  const d = Dialog.forUac(req, ringing)
  assert.equal(d.state, 'early')
  d.receiveResponse(createResponse(req, 200, { toTag: 'x', headers: [['Contact', '<sip:bob@final.example.com>'], ['Record-Route', '<sip:new.example.com;lr>']] }), 'INVITE')
  assert.equal(d.state, 'confirmed')
  assert.equal(serializeUri(d.remoteTarget), 'sip:bob@final.example.com')
  assert.deepEqual(d.routeSet.map((r) => serializeUri(r.uri)), ['sip:new.example.com;lr'])
  assert.throws(() => Dialog.forUac(req, createResponse(req, 180)), { code: 'SIP_DIALOG_NO_TAG' })
})

test('UAS dialog: route set in order, CSeq order enforced, re-INVITE refreshes the target', () => {
  const req = invite('Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n')
  const d = Dialog.forUas(req, 'uas-tag', '<sip:bob@192.0.2.4>')
  assert.deepEqual(d.id, { callId: 'a84b4c76e66710', localTag: 'uas-tag', remoteTag: '1928301774' })
  assert.deepEqual(d.routeSet.map((r) => serializeUri(r.uri)), ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'])
  assert.equal(serializeUri(d.remoteTarget), 'sip:alice@pc33.atlanta.example.com')
  // Our first request picks a CSeq of our own; To/From are swapped relative to the INVITE.
  const bye = d.createRequest('BYE')
  assert.equal(readCSeq(bye.headers).seq, 1)
  assert.equal(tagOf(readNameAddrHeader(bye.headers, 'From')!), 'uas-tag')
  assert.equal(bye.uri, 'sip:alice@pc33.atlanta.example.com')

  const inDialog = (method: string, seq: number, contact = 'sip:alice@pc33.atlanta.example.com'): SipRequest =>
    parseSipMessage(Buffer.from(
      `${method} sip:bob@192.0.2.4 SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK${seq}${method}\r\n` +
      'To: <sip:bob@biloxi.example.com>;tag=uas-tag\r\nFrom: <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
      `Call-ID: a84b4c76e66710\r\nCSeq: ${seq} ${method}\r\nContact: <${contact}>\r\nContent-Length: 0\r\n\r\n`,
    )) as SipRequest
  assert.equal(d.receiveRequest(inDialog('ACK', 314159)), undefined)
  assert.equal(d.receiveRequest(inDialog('INVITE', 314160, 'sip:alice@moved.example.com')), undefined)
  assert.equal(serializeUri(d.remoteTarget), 'sip:alice@moved.example.com')
  assert.equal(d.receiveRequest(inDialog('UPDATE', 314161, 'sip:alice@again.example.com')), undefined)
  assert.equal(serializeUri(d.remoteTarget), 'sip:alice@again.example.com')
  assert.equal(d.receiveRequest(inDialog('INFO', 314100))?.status, 500)
  assert.equal(d.remoteSeq, 314161)
})

test('481 or 408 to an in-dialog request terminates the dialog', () => {
  const req = invite()
  const d = Dialog.forUac(req, createResponse(req, 200, { toTag: 't', headers: [['Contact', '<sip:bob@192.0.2.4>']] }))
  const info = d.createRequest('INFO')
  d.receiveResponse(createResponse(info, 481), 'INFO')
  assert.equal(d.state, 'terminated')
  assert.throws(() => d.createRequest('BYE'), { code: 'SIP_DIALOG_TERMINATED' })
})

test('re-INVITE glare: 491 while ours is pending, 500 + Retry-After while theirs is (§14)', () => {
  const req = invite()
  const d = Dialog.forUac(req, createResponse(req, 200, { toTag: 't', headers: [['Contact', '<sip:bob@192.0.2.4>']] }))
  const theirs = (seq: number): SipRequest =>
    parseSipMessage(Buffer.from(
      `INVITE sip:alice@pc33.atlanta.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK${seq}\r\n` +
      `To: <sip:alice@atlanta.example.com>;tag=1928301774\r\nFrom: <sip:bob@biloxi.example.com>;tag=t\r\nCall-ID: a84b4c76e66710\r\nCSeq: ${seq} INVITE\r\nContent-Length: 0\r\n\r\n`,
    )) as SipRequest
  const ours = d.createRequest('INVITE')
  assert.equal(d.receiveRequest(theirs(10))?.status, 491)
  d.receiveResponse(createResponse(ours, 200, { toTag: 't' }), 'INVITE')
  assert.equal(d.receiveRequest(theirs(11)), undefined)
  const busy = d.receiveRequest(theirs(12))
  assert.equal(busy?.status, 500)
  assert.equal(typeof busy?.retryAfter, 'number')
  d.answered('INVITE', 200)
  assert.equal(d.receiveRequest(theirs(13)), undefined)
})
