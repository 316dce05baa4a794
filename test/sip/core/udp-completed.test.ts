// Through the UA core: a MESSAGE over UDP answered 200, then retransmitted, gets the same bytes
// from the held (request-free) transaction, and the handler sees it once (RFC 3261 §17.2.2).
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { FakeClock } from '../../../src/clock.ts'
import { UserAgentCore } from '../../../src/sip/core/user-agent-core.ts'
import type { IncomingRequest } from '../../../src/sip/core/incoming-request.ts'
import type { SipMessage } from '../../../src/sip/message.ts'
import type { Destination, TransportPort } from '../../../src/sip/transaction/transport-port.ts'

const MESSAGE = Buffer.from(
  'MESSAGE sip:bot@127.0.0.1:5060 SIP/2.0\r\n' +
    'Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-udp-held;rport\r\n' +
    'Max-Forwards: 70\r\nFrom: <sip:sipp@127.0.0.1>;tag=s1\r\nTo: <sip:bot@127.0.0.1>\r\n' +
    'Call-ID: held-1@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
)

test('a retransmitted UDP MESSAGE gets the identical response bytes; the transaction no longer holds the request', () => {
  const clock = new FakeClock()
  const bytes: Buffer[] = []
  const messages: SipMessage[] = []
  const port: TransportPort & { sentBy(t: string): { host: string; port: number } } = {
    send(message: SipMessage, _destination: Destination) {
      messages.push(message)
      return Promise.resolve()
    },
    sendBytes(b: Buffer, _destination: Destination) {
      bytes.push(Buffer.from(b))
      return Promise.resolve()
    },
    sentBy: () => ({ host: '127.0.0.1', port: 5060 }),
  }
  const core = new UserAgentCore({ port, clock })
  const seen: IncomingRequest[] = []
  core.onRequest((request) => {
    seen.push(request)
    request.respond(200)
  })
  const source: Destination = { host: '127.0.0.1', port: 40000, transport: 'UDP' }
  core.receiveBytes(MESSAGE, source, true)
  core.receiveBytes(MESSAGE, source, true)
  core.receiveBytes(MESSAGE, source, true)
  assert.equal(seen.length, 1)
  assert.equal(messages.length, 0)
  assert.equal(bytes.length, 3)
  assert.match(bytes[0]!.toString(), /^SIP\/2\.0 200 /)
  assert.deepEqual(bytes[1], bytes[0])
  assert.deepEqual(bytes[2], bytes[0])
  const tx = seen[0]!.transaction!
  assert.equal(tx.state, 'completed')
  assert.equal(tx.holdsRequest, false)
  assert.equal(seen[0]!.answered, true)
  assert.equal(core.transactions.size.servers, 1)
  clock.advance(32_000)
  assert.equal(core.transactions.size.servers, 0)
  core.close()
})
