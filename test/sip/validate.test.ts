import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseSipMessage } from '../../src/sip/parser.ts'
import type { SipRequest, SipResponse } from '../../src/sip/message.ts'
import { validateRequest, validateResponse } from '../../src/sip/validate.ts'

const request = (method: string, extra = '', body = ''): SipRequest =>
  parseSipMessage(Buffer.from(
    `${method} sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:bob@example.com>\r\n` +
    `From: <sip:alice@example.com>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )) as SipRequest

test('a well-formed request passes', () => assert.equal(validateRequest(request('MESSAGE', 'Content-Type: text/plain\r\n', 'hi'), { contentTypes: ['text/plain'] }), undefined))
test('405 lists the allowed methods', () => {
  assert.deepEqual(validateRequest(request('PUBLISH'), { methods: ['MESSAGE', 'OPTIONS'] }), { status: 405, reason: 'Method Not Allowed', headers: [['Allow', 'MESSAGE, OPTIONS']] })
})
test('a body without Content-Type is a 400', () => assert.equal(validateRequest(request('MESSAGE', '', 'hi'))?.status, 400))
test('Require is not checked on ACK and CANCEL; supported extensions pass', () => {
  assert.equal(validateRequest(request('ACK', 'Require: foo\r\n')), undefined)
  assert.equal(validateRequest(request('INVITE', 'Require: 100rel\r\n'), { extensions: ['100rel'] }), undefined)
})
test('406 only when Accept covers none of the answer types', () => {
  assert.equal(validateRequest(request('OPTIONS', 'Accept: application/*\r\n'), { answerTypes: ['application/sdp'] }), undefined)
})
test('responses with exactly one Via are kept', () => {
  const res = parseSipMessage(Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n')) as SipResponse
  assert.equal(validateResponse(res), undefined)
})
