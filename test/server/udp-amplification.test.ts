/**
 * Issue 16 item 5 over real UDP sockets: a small REGISTER query for an AOR with many long
 * contacts gets a small answer, an AOR holds at most 10 contacts, and requests for a binding go
 * back to where its REGISTER came from, never to a third party its Contact names.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { startChatServer } from '../../src/server/index.ts'
import { TestParticipant } from './participant.ts'

async function udpSocket(): Promise<{ socket: Socket; port: number; next: (match: RegExp) => Promise<string> }> {
  const socket = createSocket('udp4')
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  const received: string[] = []
  const waiters: Array<{ match: RegExp; resolve: (text: string) => void }> = []
  socket.on('message', (bytes) => {
    const text = bytes.toString('utf8')
    const waiter = waiters.findIndex((w) => w.match.test(text))
    if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(text)
    else received.push(text)
  })
  const next = (match: RegExp): Promise<string> => new Promise((resolve) => {
    const found = received.findIndex((t) => match.test(t))
    if (found >= 0) resolve(received.splice(found, 1)[0]!)
    else waiters.push({ match, resolve })
  })
  return { socket, port: socket.address().port, next }
}

const register = (port: number, cseq: number, contacts: string[], callId = 'amp-1'): Buffer => Buffer.from([
  'REGISTER sip:example.test SIP/2.0',
  `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-amp-${callId}-${cseq};rport`,
  'Max-Forwards: 70',
  'From: <sip:bob@example.test>;tag=amp',
  'To: <sip:bob@example.test>',
  `Call-ID: ${callId}`,
  `CSeq: ${cseq} REGISTER`,
  ...contacts.map((c) => `Contact: <${c}>`),
  'Expires: 600',
  'Content-Length: 0',
  '', '',
].join('\r\n'))

test('UDP: a small query gets a small answer; at most 10 contacts per AOR; requests go to the registering source', async () => {
  const server = await startChatServer({ domain: 'example.test', transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
  const registrant = await udpSocket()
  const victim = await udpSocket()
  const alice = await TestParticipant.create(server, 'alice', { transport: 'tcp' })
  try {
    const sipPort = server.addresses.sip.find((a) => a.transport === 'udp')!.port
    const send = (s: Socket, bytes: Buffer): void => { s.send(bytes, sipPort, '127.0.0.1') }
    // Ten long contacts, all naming the victim's address.
    const long = (i: number) => `sip:${'x'.repeat(400)}${i}@127.0.0.1:${victim.port}`
    send(registrant.socket, register(registrant.port, 1, Array.from({ length: 10 }, (_, i) => long(i))))
    const stored = await registrant.next(/^SIP\/2\.0 /)
    assert.match(stored, /^SIP\/2\.0 200 /)
    send(registrant.socket, register(registrant.port, 2, [long(10)]))
    assert.match(await registrant.next(/^SIP\/2\.0 /), /^SIP\/2\.0 403 /, 'the 11th contact is refused')
    // The query (no Contact), as a spoofed victim would receive its answer.
    const query = register(victim.port, 1, [], 'amp-query')
    send(victim.socket, query)
    const answer = await victim.next(/^SIP\/2\.0 200 /)
    assert.ok(Buffer.byteLength(answer) < 2 * query.length + 300, `${Buffer.byteLength(answer)} B answer to a ${query.length} B query`)
    // Requests for bob go back to the registrant, not to the host its contacts name.
    const locations = server.registrar.locate('sip:bob@example.test')
    assert.equal(locations.length, 10)
    for (const l of locations) assert.deepEqual([l.destination.host, l.destination.port], ['127.0.0.1', registrant.port])
    const sent = alice.request('MESSAGE', 'sip:bob@example.test', { body: 'hi bob', contentType: 'text/plain' })
    const relayed = await registrant.next(/^MESSAGE /)
    assert.match(relayed, /hi bob$/)
    // Answer it, so the proxy's transaction ends.
    const via = relayed.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l))
    send(registrant.socket, Buffer.from(['SIP/2.0 200 OK', ...via, 'Content-Length: 0', '', ''].join('\r\n')))
    assert.equal((await sent).response.status, 200)
  } finally {
    await alice.close()
    registrant.socket.close()
    victim.socket.close()
    await server.close()
  }
})
