/**
 * Heap held per completed UDP non-INVITE server transaction (RFC 3261 §17.2.2: Timer J keeps it
 * for 64·T1 = 32 s). Feeds N distinct MESSAGE requests through a {@link UserAgentCore} on a fake
 * port (no sockets; the bytes are dropped), answers each 200, and reports the heap delta (and
 * the delta of Buffer memory, outside the heap) after a forced GC divided by N while every
 * transaction is still held in Completed. Needs global.gc:
 *
 *   node --expose-gc --import tsx test/bench/udp-transaction-memory.ts [count]
 *
 * Also measured over TCP, where Timer J is 0 and nothing is held (the baseline).
 */
import { UserAgentCore } from '../../src/sip/core/index.ts'
import type { SipMessage } from '../../src/sip/message.ts'
import type { Destination, TransportPort } from '../../src/sip/transaction/transport-port.ts'

/** Bytes of heap per transaction held after `count` MESSAGEs over `transport`. */
export async function measure(count: number, transport: 'UDP' | 'TCP'): Promise<{ perTransaction: number; buffersPerTransaction: number; held: number }> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc --import tsx test/bench/udp-transaction-memory.ts')
  let sent = 0
  const port: TransportPort & { sentBy(t: string): { host: string; port: number } } = {
    send(_message: SipMessage, _destination: Destination) {
      sent++
      return Promise.resolve()
    },
    sendBytes(_bytes: Buffer, _destination: Destination) {
      sent++
      return Promise.resolve()
    },
    isReliable: (t) => t.toUpperCase() !== 'UDP',
    sentBy: () => ({ host: '127.0.0.1', port: 5060 }),
  }
  const core = new UserAgentCore({ port })
  core.onRequest((request) => request.respond(200))
  const source: Destination = { host: '127.0.0.1', port: 40000, transport: transport }
  const lower = transport.toLowerCase()
  const message = (i: number): Buffer =>
    Buffer.from(
      `MESSAGE sip:bot@127.0.0.1:5060 SIP/2.0\r\n` +
        `Via: SIP/2.0/${transport} 127.0.0.1:40000;branch=z9hG4bK-mem-${i};rport\r\n` +
        'Max-Forwards: 70\r\n' +
        `From: sipp <sip:sipp@127.0.0.1:40000>;tag=${i}SIPpTag00${i}\r\n` +
        'To: bot <sip:bot@127.0.0.1:5060>\r\n' +
        `Call-ID: ${i}-memory@127.0.0.1\r\n` +
        'CSeq: 1 MESSAGE\r\n' +
        `Contact: <sip:sipp@127.0.0.1:40000;transport=${lower}>\r\n` +
        'Content-Type: text/plain\r\n' +
        'Content-Length: 38\r\n\r\n' +
        'Hello from sipp, a load-test message.\r\n',
    )
  // Warm up (JIT, lazily created structures), then let those transactions go.
  for (let i = 0; i < 2000; i++) core.receiveBytes(message(-1 - i), source, transport === 'UDP')
  core.transactions.close()
  await settle()
  gc()
  gc()
  const before = process.memoryUsage()
  for (let i = 0; i < count; i++) core.receiveBytes(message(i), source, transport === 'UDP')
  // Let the sends' promise reactions run: pending ones still reference their transactions.
  await settle()
  gc()
  gc()
  const after = process.memoryUsage()
  const held = core.transactions.size.servers
  if (sent < count) throw new Error(`only ${sent} responses were sent for ${count} requests`)
  core.close()
  return {
    perTransaction: (after.heapUsed - before.heapUsed) / count,
    buffersPerTransaction: (after.arrayBuffers - before.arrayBuffers) / count,
    held,
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 20_000)
  for (const transport of ['UDP', 'TCP'] as const) {
    const { perTransaction, buffersPerTransaction, held } = await measure(count, transport)
    console.log(
      `${transport}: ${count} MESSAGEs, ${held} server transactions held, ` +
        `${Math.round(perTransaction)} bytes of heap + ${Math.round(buffersPerTransaction)} bytes of buffers per transaction`,
    )
  }
}
