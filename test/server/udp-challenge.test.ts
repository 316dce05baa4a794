/**
 * Issue 16 item 5: a challenge to an INVITE over UDP is one datagram. A stateful 401 would be
 * retransmitted (Timer G) until an ACK that a spoofed source never sends: 11 datagrams for one.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { FakeClock } from '../../src/clock.ts'
import { startChatServer } from '../../src/server/index.ts'

test('an unauthenticated INVITE over UDP gets one 401, never retransmitted; refusals (403 foreign, 404 unregistered) likewise', async () => {
  const clock = new FakeClock(Date.now())
  const server = await startChatServer({ domain: 'example.test', users: { alice: 'secret' }, rooms: ['lobby'], clock, transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
  const socket = createSocket('udp4')
  try {
    socket.bind(0, '127.0.0.1')
    await once(socket, 'listening')
    const port = socket.address().port
    const received: string[] = []
    let waiter: ((text: string) => void) | undefined
    socket.on('message', (bytes) => {
      const text = bytes.toString('utf8')
      received.push(text)
      waiter?.(text)
    })
    const next = (match: RegExp): Promise<string> => new Promise((resolve) => {
      const found = received.find((t) => match.test(t))
      if (found !== undefined) resolve(found)
      else waiter = (text) => { if (match.test(text)) resolve(text) }
    })
    const sip = server.addresses.sip.find((a) => a.transport === 'udp')!
    const send = (lines: string[]): void => { socket.send(Buffer.from(lines.join('\r\n')), sip.port, '127.0.0.1') }
    send([
      'INVITE sip:lobby@example.test SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-udp-challenge;rport`,
      'Max-Forwards: 70',
      'From: <sip:alice@example.test>;tag=a1',
      'To: <sip:lobby@example.test>',
      'Call-ID: udp-challenge-1',
      'CSeq: 1 INVITE',
      `Contact: <sip:alice@127.0.0.1:${port}>`,
      'Content-Length: 0',
      '', '',
    ])
    assert.match(await next(/^SIP\/2\.0 401 /), /WWW-Authenticate: Digest/)
    const invite = (target: string, callId: string): string[] => [
      `INVITE ${target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${callId};rport`,
      'Max-Forwards: 70',
      'From: <sip:guest@elsewhere.test>;tag=g1',
      `To: <${target}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:guest@127.0.0.1:${port}>`,
      'Content-Length: 0',
      '', '',
    ]
    send(invite('sip:someone@elsewhere.test', 'udp-refusal-foreign'))
    assert.match(await next(/^SIP\/2\.0 403 [^]*udp-refusal-foreign/), /Not a relay/)
    // No ACK: a stateful transaction would now retransmit for 32 s (Timer G, then H).
    await clock.advanceAsync(40_000)
    send([
      'OPTIONS sip:example.test SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-udp-barrier;rport`,
      'Max-Forwards: 70',
      'From: <sip:probe@elsewhere.test>;tag=p1',
      'To: <sip:example.test>',
      'Call-ID: udp-challenge-barrier',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '', '',
    ])
    await next(/^SIP\/2\.0 200 [^]*udp-challenge-barrier/)
    assert.equal(received.filter((t) => t.startsWith('SIP/2.0 401')).length, 1)
    assert.equal(received.filter((t) => t.startsWith('SIP/2.0 403')).length, 1)
  } finally {
    socket.close()
    await server.close()
  }
})
