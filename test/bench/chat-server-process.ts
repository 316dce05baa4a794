/**
 * The chat server (`startChatServer`, sockets mode on loopback, default options but the
 * per-source connection cap) in a process of its own, for benchmarks that measure the server's
 * own CPU and memory (fanout-wire.bench.ts). One room, `bench`.
 *
 * Driven over IPC by its parent: answers `{ ready, sipPort, room }` once listening (the
 * delivery mode is `process.env.BENCH_DELIVERY_MODE`, default the server's default),
 * `{ usage: { cpuMicros, maxRssKiB, bound } }` to `{ cmd: 'usage' }` (bound: participants in the
 * room), and closes the server and exits on `{ cmd: 'close' }` (or when the parent goes away).
 *
 * @module
 */
import { startChatServer, type DeliveryMode } from '../../src/server/index.ts'

const mode = process.env.BENCH_DELIVERY_MODE as DeliveryMode | undefined
const server = await startChatServer({
  domain: 'bench.test',
  rooms: ['bench'],
  ...(mode === undefined ? {} : { deliveryMode: mode }),
  // BENCH_SERVER_LOG=1 logs the server's warnings and errors to stderr (to see why a run lost messages).
  ...(process.env.BENCH_SERVER_LOG === '1' ? { logger: { debug() {}, info() {}, warn: console.warn } } : {}),
  // Every client connects from 127.0.0.1: lift the per-source cap (docs/security.md) above the crowd.
  limits: { maxConnectionsPerSource: 10_000 },
  transport: { kind: 'sockets', host: '127.0.0.1', port: 0 },
})
const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')
if (tcp === undefined) throw new Error('chat server process: the server has no SIP TCP listener')

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'usage') {
    const cpu = process.cpuUsage()
    process.send?.({ usage: { cpuMicros: cpu.user + cpu.system, maxRssKiB: process.resourceUsage().maxRSS, bound: server.room('bench')?.participants().length ?? 0 } })
  } else if (message.cmd === 'close') {
    void server.close().finally(() => process.exit(0))
  }
})
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true, sipPort: tcp.port, room: server.roomUri('bench') })
