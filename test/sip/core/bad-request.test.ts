import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ParseError } from '../../../src/errors.ts'
import { badRequestFor } from '../../../src/sip/core/bad-request.ts'
import { parseSipMessage } from '../../../src/sip/parser.ts'
import { TestNetwork, settle } from './network.ts'

const vector = (name: string): Buffer => readFileSync(new URL(`../../../../shared/vectors/sip-torture/${name}.dat`, import.meta.url))
const errorOf = (bytes: Buffer): ParseError => {
  try {
    parseSipMessage(bytes, { datagram: true })
  } catch (error) {
    if (error instanceof ParseError) return error
  }
  throw new Error('expected a ParseError')
}

test('clerr over UDP: a 400 naming the fault, with the request\'s Via, From, To, Call-ID, CSeq', () => {
  const bytes = vector('clerr')
  const res = badRequestFor(bytes, errorOf(bytes))!
  assert.equal(res.status, 400)
  assert.equal(res.reason, 'Bad Request (SIP_BODY_TRUNCATED)')
  assert.equal(res.headers.get('Call-ID'), 'clerr.0ha0isndaksdjweiafasdk3')
  assert.equal(res.headers.get('CSeq'), '8 INVITE')
  assert.equal(res.headers.has('Contact'), false)
})

test('responses and Via-less garbage get nothing', () => {
  const bytes = vector('bigcode')
  assert.equal(badRequestFor(bytes, errorOf(bytes)), undefined)
  const garbage = Buffer.from('INVITE sip:a@b SIP/2.0\r\nCSeq: x\r\n\r\n')
  assert.equal(badRequestFor(garbage, errorOf(garbage)), undefined)
})

test('the UA core answers an unparseable UDP request with a stateless 400', async () => {
  const net = new TestNetwork()
  const bob = net.node('10.0.0.2', 5060)
  bob.receiveBytes(vector('mismatch01'), { host: '10.0.0.7', port: 5099, transport: 'UDP' }, true)
  await settle()
  assert.equal(net.log.length, 1)
  const sent = net.log[0]!
  assert.equal(sent.message.kind === 'response' && sent.message.reason, 'Bad Request (SIP_CSEQ_METHOD_MISMATCH)')
  // Sent to the source address (host.example.com is not where it came from: received applies).
  assert.deepEqual(sent.to, { host: '10.0.0.7', port: 5060, transport: 'UDP' })
})
