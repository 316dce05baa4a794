import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { SipHeaders } from '../../src/sip/header-list.ts'
import type { SipRequest, SipResponse } from '../../src/sip/message.ts'
import { serializeSipMessage } from '../../src/sip/serializer.ts'

test('writes start line, canonical names and a correct Content-Length in place', () => {
  const req: SipRequest = {
    kind: 'request', method: 'MESSAGE', uri: 'sip:bob@example.com', version: 'SIP/2.0',
    headers: new SipHeaders([['v', 'SIP/2.0/TCP h;branch=z9hG4bK1'], ['l', '999'], ['i', 'abc'], ['Content-Length', '3']]),
    body: Buffer.from('héllo'),
  }
  assert.equal(
    serializeSipMessage(req).toString(),
    'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 6\r\nCall-ID: abc\r\n\r\nhéllo',
  )
})
test('appends Content-Length when absent; response status line', () => {
  const res: SipResponse = { kind: 'response', status: 200, reason: 'OK', version: 'SIP/2.0', headers: new SipHeaders([['CSeq', '1 BYE']]), body: Buffer.alloc(0) }
  assert.equal(serializeSipMessage(res).toString(), 'SIP/2.0 200 OK\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n')
})
test('refuses header values that would inject lines', () => {
  const res: SipResponse = { kind: 'response', status: 200, reason: 'OK', version: 'SIP/2.0', headers: new SipHeaders([['Subject', 'a\r\nVia: evil']]), body: Buffer.alloc(0) }
  assert.throws(() => serializeSipMessage(res), TypeError)
})
