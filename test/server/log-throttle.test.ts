import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { FakeClock } from '../../src/clock.ts'
import { ThrottledWarnings } from '../../src/server/log-throttle.ts'
import { startChatServer } from '../../src/server/index.ts'

test('ThrottledWarnings: the first line of a kind, then one summary per interval while it goes on', () => {
  const clock = new FakeClock()
  const lines: string[] = []
  const warnings = new ThrottledWarnings({ debug() {}, info() {}, warn: (l) => { lines.push(l) } }, { clock, intervalMs: 1000 })
  for (let i = 0; i < 300; i++) warnings.warn('bad datagrams', `bad datagram ${i}`)
  warnings.warn('other', 'other 0')
  assert.deepEqual(lines, ['bad datagram 0', 'other 0'])
  clock.advance(1000)
  assert.deepEqual(lines.slice(2), ['299 more bad datagrams in the last 1 s (logged once per interval)'])
  warnings.warn('bad datagrams', 'bad datagram 300')
  clock.advance(1000)
  assert.equal(lines.length, 4, 'still flooding: counted, summarized')
  clock.advance(1000)
  warnings.warn('bad datagrams', 'bad datagram 301')
  assert.equal(lines.at(-1), 'bad datagram 301', 'a quiet interval later, the next one is logged again')
  warnings.close()
})

test('300 malformed UDP datagrams make at most a few log lines (issue 16 item 11)', async () => {
  const lines: string[] = []
  const server = await startChatServer({
    domain: 'example.test',
    logger: { debug() {}, info() {}, warn: (l) => { lines.push(l) } },
    transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 },
  })
  const socket = createSocket('udp4')
  try {
    socket.bind(0, '127.0.0.1')
    await once(socket, 'listening')
    const port = server.addresses.sip.find((a) => a.transport === 'udp')!.port
    const answered = new Promise<void>((resolve) => socket.on('message', (b) => { if (b.toString('utf8').includes('after-flood')) resolve() }))
    for (let i = 0; i < 300; i++) {
      await new Promise<void>((resolve) => socket.send(Buffer.from(`GARBAGE ${i} \x00\x01 not sip\r\n\r\n`), port, '127.0.0.1', () => resolve()))
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve))
    }
    // A valid request after the flood, resent as a UA would (Timer E) until answered: the socket
    // buffer may have dropped datagrams, never reordered them.
    const options = Buffer.from(['OPTIONS sip:example.test SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=z9hG4bK-after-flood;rport`, 'Max-Forwards: 70', 'From: <sip:probe@example.test>;tag=p', 'To: <sip:example.test>', 'Call-ID: after-flood', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'))
    const resend = setInterval(() => socket.send(options, port, '127.0.0.1'), 500)
    socket.send(options, port, '127.0.0.1')
    await answered
    clearInterval(resend)
    assert.ok(lines.length >= 1 && lines.length <= 2, `${lines.length} lines: ${lines.slice(0, 3).join(' | ')}`)
  } finally {
    socket.close()
    await server.close()
  }
  assert.ok(lines.some((l) => /more .* in the last 60 s/.test(l)), 'the summary comes out at close at the latest')
})
