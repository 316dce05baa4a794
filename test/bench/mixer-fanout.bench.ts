/**
 * Chat-room fan-out of the mixer: a room of 100 participants over loopback TCP (SIP and MSRP
 * sockets), public messages relayed to the 99 others. Reports deliveries per second
 * (deliveries = messages × recipients), p50/p99 send-to-delivery latency and peak RSS; in the
 * same run a raw TCP fan-out (one server socket writing the same payloads to 99 client sockets,
 * no protocol) gives the ceiling, and the ratio is reported (goal ≥ 0.5). Because the mixer
 * coalesces the frames of one event-loop turn into one write per connection, a second raw
 * variant gathering 25 messages per write (one per sender in flight) is reported too, with its
 * ratio. Each throughput figure is the median of `MIXER_BENCH_ROUNDS` (default 3) rounds.
 *
 * The clients (SIP UAs, MSRP sessions, raw receivers) run in a child process
 * (test/bench/mixer-clients.ts), so the server has a process to itself and the figures are the
 * server's. Memory per idle participant: 10,000 participants join over loopback TCP (one SIP
 * connection, 10,000 MSRP connections; the fd limit must allow it), the server's finished INVITE
 * transactions are run out on a fake clock, and heap and RSS growth per participant are reported
 * (goal < 20 KiB).
 *
 * `MIXER_BENCH_ONLY_IDLE=1` runs the memory measure alone, `MIXER_BENCH_SKIP_IDLE=1` skips it.
 *
 * Run: `npx tsx test/bench/mixer-fanout.bench.ts` (add `--expose-gc` via NODE_OPTIONS for a
 * steadier memory figure; the file falls back to v8 flags when it is absent).
 */
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startChatServer, type ChatServer, type DeliveryMode } from '../../src/server/index.ts'
import { FakeClock } from '../../src/clock.ts'
import type { BenchResult } from './bench-result.ts'
import { BenchChild } from './bench-child.ts'
import type { FanoutReport } from './mixer-clients.ts'

const PARTICIPANTS = 100
const SENDERS = 25
const MESSAGES_PER_SENDER = 40
const IDLE_PARTICIPANTS = 10_000
/** Measured rounds per figure (median reported): the machine is shared, single rounds are noisy. */
const ROUNDS = Math.max(1, Number(process.env.MIXER_BENCH_ROUNDS ?? 3))
const DOMAIN = 'bench.test'

/** The client process (test/bench/mixer-clients.ts). */
class Clients extends BenchChild {
  constructor() {
    super('./mixer-clients.ts')
  }
}

/** Bound on any one wait for the client process (a join of 10,000 takes the longest). */
const WAIT_MS = 600_000

/** One measured fan-out round. */
interface FanoutRound {
  deliveriesPerSecond: number
  messagesPerSecond: number
  p50: number
  p99: number
  payloadBytes: number
  messages: number
  serverBusy: number
  clientBusy: number
}

/** The round with the median deliveries/s (the machine is shared: single rounds are noisy). */
function median<T>(rounds: readonly T[], key: (r: T) => number): T {
  return [...rounds].sort((x, y) => key(x) - key(y))[Math.floor(rounds.length / 2)]!
}

/**
 * The mixer over loopback TCP, clients in the child process: deliveries/s and latency
 * percentiles, `ROUNDS` measured rounds after a warm-up; all rounds are returned.
 */
async function mixerFanout(clients: Clients, deliveryMode: DeliveryMode): Promise<FanoutRound[]> {
  const server: ChatServer = await startChatServer({ domain: DOMAIN, rooms: ['bench'], deliveryMode, transport: { kind: 'sockets', host: '127.0.0.1', port: 0 } })
  const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
  try {
    clients.send({ cmd: 'join', host: tcp.host, port: tcp.port, room: server.roomUri('bench'), domain: DOMAIN, count: PARTICIPANTS })
    await clients.next('joined', WAIT_MS)
    // Warm-up round (JIT on both sides), not measured.
    clients.send({ cmd: 'fanout', senders: 5, perSender: 10 })
    await clients.next('report', WAIT_MS)
    const rounds: FanoutRound[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      clients.send({ cmd: 'fanout', senders: SENDERS, perSender: MESSAGES_PER_SENDER })
      const r = ((await clients.next('report', WAIT_MS)) as { report: FanoutReport }).report
      if (r.lost + r.duplicated + r.sendErrors > 0) throw new Error(`mixer fan-out lost ${r.lost}, duplicated ${r.duplicated} copies, ${r.sendErrors} sends failed (${r.firstSendError ?? ''})`)
      const cpu = process.cpuUsage(cpu0)
      const serverBusy = (cpu.user + cpu.system) / 1000 / (performance.now() - t0)
      const messages = SENDERS * MESSAGES_PER_SENDER
      rounds.push({ deliveriesPerSecond: r.deliveries / (r.elapsedMs / 1000), messagesPerSecond: messages / (r.elapsedMs / 1000), p50: r.p50, p99: r.p99, payloadBytes: r.payloadBytes, messages, serverBusy, clientBusy: r.clientBusy })
    }
    return rounds
  } finally {
    await server.close()
  }
}

/**
 * The ceiling: the same payloads written by one server socket to 99 client sockets (in the
 * child), newline-framed, no protocol. `batch` 1 writes each message to each socket on its own
 * (the issue's baseline); `batch` n gathers n messages per write, as the mixer's per-turn
 * coalescing can at best (n = SENDERS: one message of each sender in flight).
 */
async function rawFanout(clients: Clients, payloadBytes: number, messages: number, batch = 1): Promise<number> {
  const receivers = PARTICIPANTS - 1
  const accepted: Socket[] = []
  const server = createServer((socket) => {
    socket.setNoDelay(true)
    accepted.push(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  clients.send({ cmd: 'raw', port, receivers, expectedBytes: messages * (payloadBytes + 1) })
  await clients.next('connected', WAIT_MS)
  while (accepted.length < receivers) await new Promise((r) => setImmediate(r))
  const one = Buffer.concat([Buffer.alloc(payloadBytes, 0x61), Buffer.from('\n')])
  const start = performance.now()
  for (let m = 0; m < messages; m += batch) {
    const n = Math.min(batch, messages - m)
    // Gathering n payloads costs a copy per socket, like the mixer's coalesced write.
    let congested = false
    for (const s of accepted) if (!s.write(n === 1 ? one : Buffer.concat(Array.from({ length: n }, () => one)))) congested = true
    if (congested) await Promise.all(accepted.filter((s) => s.writableLength > 0).map((s) => once(s, 'drain')))
  }
  await clients.next('rawDone', WAIT_MS)
  const elapsed = (performance.now() - start) / 1000
  for (const s of accepted) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return (messages * receivers) / elapsed
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) {
    g()
    g()
    return
  }
  setFlagsFromString('--expose-gc')
  const fn = runInNewContext('gc') as () => void
  fn()
  fn()
}

/**
 * Server memory per joined, idle participant: the server runs here on a fake clock (so the
 * finished INVITE transactions can be run out at once), the 10,000 clients in the child process
 * over loopback TCP. Returns heap (JS + external) growth and RSS growth per participant, KiB.
 */
async function idleMemory(clients: Clients): Promise<{ heapKiB: number; rssKiB: number }> {
  const clock = new FakeClock()
  // Every client connects from 127.0.0.1: lift the per-source connection cap (docs/security.md) above the crowd.
  const server = await startChatServer({ domain: DOMAIN, rooms: ['bench'], clock, msrpBindTimeoutMs: 3_600_000, limits: { maxConnectionsPerSource: 2 * IDLE_PARTICIPANTS }, transport: { kind: 'sockets', host: '127.0.0.1', port: 0 } })
  const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
  try {
    gc()
    const before = process.memoryUsage()
    clients.send({ cmd: 'join', host: tcp.host, port: tcp.port, room: server.roomUri('bench'), domain: DOMAIN, count: IDLE_PARTICIPANTS })
    await clients.next('joined', WAIT_MS)
    // Run every INVITE transaction out (Timer L = 64*T1 = 32 s) so only the idle state remains.
    clock.advance(40_000)
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    const joined = server.room('bench')!.participants().length
    if (joined !== IDLE_PARTICIPANTS) throw new Error(`${joined} of ${IDLE_PARTICIPANTS} joined`)
    gc()
    const after = process.memoryUsage()
    const heap = after.heapUsed - before.heapUsed + (after.external - before.external)
    return { heapKiB: heap / IDLE_PARTICIPANTS / 1024, rssKiB: (after.rss - before.rss) / IDLE_PARTICIPANTS / 1024 }
  } finally {
    const closing = server.close()
    for (let i = 0; i < 100 && !(await Promise.race([closing.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))])); i++) clock.advance(1000)
    await closing
  }
}

/** The idle-participant memory measure alone, as reported by {@link run}. */
async function idleResults(): Promise<BenchResult[]> {
  const clients = new Clients()
  await clients.next('ready', WAIT_MS)
  try {
    const idle = await idleMemory(clients)
    return idleFigures(idle)
  } finally {
    await clients.close()
  }
}

function idleFigures(idle: { heapKiB: number; rssKiB: number }): BenchResult[] {
  return [
    { name: 'server heap per idle participant', value: idle.heapKiB, unit: 'KiB', note: `${IDLE_PARTICIPANTS} joined over loopback TCP; JS heap + external; goal < 20 KiB` },
    { name: 'server RSS per idle participant', value: idle.rssKiB, unit: 'KiB', note: 'RSS growth / participants (includes allocator slack)' },
  ]
}

/** Runs the benchmark (see the module comment); `MIXER_BENCH_ONLY_IDLE=1` runs the idle-memory measure alone. */
export async function run(): Promise<BenchResult[]> {
  if (process.env.MIXER_BENCH_ONLY_IDLE === '1') return idleResults()
  let clients = new Clients()
  await clients.next('ready', WAIT_MS)
  let mixerRounds, fastRounds
  const rawRounds: number[] = []
  const batchedRounds: number[] = []
  try {
    mixerRounds = await mixerFanout(clients, 'confirmed')
    await clients.close()
    clients = new Clients()
    await clients.next('ready', WAIT_MS)
    fastRounds = await mixerFanout(clients, 'fast')
    const { payloadBytes, messages } = mixerRounds[0]!
    for (let round = 0; round < ROUNDS; round++) {
      rawRounds.push(await rawFanout(clients, payloadBytes, messages))
      batchedRounds.push(await rawFanout(clients, payloadBytes, messages, SENDERS))
    }
  } finally {
    await clients.close()
  }
  const mixer = median(mixerRounds, (r) => r.deliveriesPerSecond)
  const fast = median(fastRounds, (r) => r.deliveriesPerSecond)
  const raw = median(rawRounds, (r) => r)
  const batched = median(batchedRounds, (r) => r)
  const ratio = mixer.deliveriesPerSecond / raw
  const fastRatio = fast.deliveriesPerSecond / raw
  const spread = (values: number[]): string => `median of ${values.length} rounds, ${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`
  const rssMiB = process.resourceUsage().maxRSS / 1024
  let idle = { heapKiB: Number.NaN, rssKiB: Number.NaN }
  if (process.env.MIXER_BENCH_SKIP_IDLE !== '1') {
    clients = new Clients()
    await clients.next('ready', WAIT_MS)
    try {
      idle = await idleMemory(clients)
    } finally {
      await clients.close()
    }
  }
  const note = `${PARTICIPANTS} participants, ${SENDERS} senders × ${MESSAGES_PER_SENDER} msgs, ${mixer.payloadBytes} B CPIM, loopback TCP, clients in a child process; ${spread(mixerRounds.map((r) => r.deliveriesPerSecond))}`
  return [
    { name: 'mixer fan-out deliveries (confirmed, default)', value: mixer.deliveriesPerSecond, unit: 'deliv/s', note },
    { name: 'mixer public messages relayed (confirmed)', value: mixer.messagesPerSecond, unit: 'msg/s', note: `each to ${PARTICIPANTS - 1} recipients` },
    { name: 'mixer delivery latency p50 (confirmed)', value: mixer.p50, unit: 'ms', note: 'SEND by sender → message event at recipient' },
    { name: 'mixer delivery latency p99 (confirmed)', value: mixer.p99, unit: 'ms' },
    { name: 'raw TCP fan-out ceiling', value: raw, unit: 'deliv/s', note: `same payloads, 1 socket → 99 sockets (child process), no protocol, one write per message per socket; ${spread(rawRounds)}` },
    { name: 'raw TCP fan-out, 25 messages per write', value: batched, unit: 'deliv/s', note: `the same, gathering ${SENDERS} messages per write (the most the mixer's per-turn coalescing could gather); ${spread(batchedRounds)}` },
    { name: 'mixer / raw ceiling (confirmed)', value: ratio, unit: 'ratio', note: 'goal ≥ 0.5; every copy answered 200 by its recipient' },
    { name: 'server CPU busy during fan-out (confirmed)', value: mixer.serverBusy, unit: 'cores', note: 'below 1: the server waits on the clients or on the round trips' },
    { name: 'client process CPU busy (confirmed)', value: mixer.clientBusy, unit: 'cores', note: '100 MSRP sessions parsing, answering 200s, timing' },
    { name: 'mixer / raw 25-per-write (confirmed)', value: mixer.deliveriesPerSecond / batched, unit: 'ratio', note: 'against the coalescing raw variant (stricter than the goal)' },
    { name: 'mixer fan-out deliveries (fast)', value: fast.deliveriesPerSecond, unit: 'deliv/s', note: `deliveryMode fast: copies with Failure-Report: partial; ${spread(fastRounds.map((r) => r.deliveriesPerSecond))}` },
    { name: 'mixer delivery latency p50 (fast)', value: fast.p50, unit: 'ms' },
    { name: 'mixer delivery latency p99 (fast)', value: fast.p99, unit: 'ms' },
    { name: 'mixer / raw ceiling (fast)', value: fastRatio, unit: 'ratio', note: 'goal ≥ 0.5' },
    { name: 'mixer / raw 25-per-write (fast)', value: fast.deliveriesPerSecond / batched, unit: 'ratio' },
    { name: 'server CPU busy during fan-out (fast)', value: fast.serverBusy, unit: 'cores' },
    { name: 'client process CPU busy (fast)', value: fast.clientBusy, unit: 'cores' },
    { name: 'server peak RSS (fan-out run)', value: rssMiB, unit: 'MiB' },
    ...idleFigures(idle),
  ]
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await run()) console.log(`${r.name}: ${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit}${r.note ? ` (${r.note})` : ''}`)
}
