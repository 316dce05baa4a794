/**
 * Room fan-out over the wire, the chat server against a minimal MSRP switch, in the same run.
 *
 * Three processes per measurement: the server under test — the chat server
 * (`startChatServer`, default confirmed delivery mode, chat-server-process.ts) or the minimal
 * switch (minimal-switch.ts: parse SEND, rewrite the paths, write the copies, answer 200) — and
 * one client process (mixer-clients.ts) whose participants each have their own SIP and MSRP TCP
 * connection over loopback. 4 participants send public CPIM messages of ≈ 200 bytes, every
 * other participant receives each (deliveries = messages × (participants − 1)).
 *
 * For each room size and each server, reported with the ratio chat server / switch:
 * - **CPU per delivery, unpaced**: the server process's own CPU time (its `process.cpuUsage()`
 *   over IPC) ÷ deliveries, while each sender sends as fast as it can with up to
 *   `FANOUT_WIRE_WINDOW` messages unanswered; deliveries/s of that run.
 * - **paced**: the senders send on a schedule that makes `FANOUT_WIRE_RATE` (default 100,000)
 *   deliveries/s; p50/p99 send → receive, and the server's CPU in cores at that pace.
 * - **peak RSS** of the server process (its whole life: join and both runs).
 * - **lost, duplicated, reordered** copies (each recipient checks every sender's sequence) and
 *   failed sends: all must be 0.
 *
 * **Compiled and tsx.** The server runs twice per round: compiled by tsc as the published
 * package is (compiled-build.ts; the headline figures) and from the sources under tsx, as
 * `bin/msrp-bot.js` runs it in a checkout. The tsx figures are higher: tsx's esbuild transform
 * keeps names (a `__name` call per class and per closure made) — about 7 to 20 % more
 * instructions per copy, see compiled-build.ts. The minimal switch always runs compiled (plain
 * Node).
 *
 * One client process does all senders' and all recipients' MSRP work on one core; its CPU is
 * reported (near 1 core it limits the unpaced rate and adds to the latency of both servers
 * alike). On a machine that other jobs keep busy, the paced figures say little: a server that
 * gets too little CPU falls behind the pace, its receivers' queues grow, and the chat server then
 * drops receivers that stop reading (its slow-receiver limit), which shows as lost copies and
 * fewer participants left in the room.
 *
 * Environment (defaults in brackets): `FANOUT_WIRE_ROOMS` room sizes [10,100,1000];
 * `FANOUT_WIRE_RATE` paced deliveries/s [100000]; `FANOUT_WIRE_SECONDS` paced duration [2];
 * `FANOUT_WIRE_DELIVERIES` deliveries per unpaced run [100000]; `FANOUT_WIRE_WINDOW` unanswered
 * messages per sender in the unpaced run [16, the client session's default];
 * `FANOUT_WIRE_ROUNDS` rounds per room size, switch and server alternating, the round with the
 * median CPU ratio reported [1]; `BENCH_RUNTIMES` the server's runtimes [compiled,tsx]. A room of 1,000 needs about
 * 3,000 file descriptors in the client process and 2,000 in the server's (`ulimit -n`).
 *
 * Run: `npm run bench -- fanout-wire`, or `npx tsx --conditions=msrp-bot-source
 * test/bench/fanout-wire.bench.ts`.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { BenchChild } from './bench-child.ts'
import { benchRuntimes, type BenchRuntime } from './compiled-build.ts'
import type { FanoutReport } from './mixer-clients.ts'

const SENDERS = 4
const ROOMS = (process.env.FANOUT_WIRE_ROOMS ?? '10,100,1000').split(',').map(Number).filter((n) => n >= 2)
const PACED_RATE = Number(process.env.FANOUT_WIRE_RATE ?? 100_000)
const PACED_SECONDS = Number(process.env.FANOUT_WIRE_SECONDS ?? 2)
const UNPACED_DELIVERIES = Number(process.env.FANOUT_WIRE_DELIVERIES ?? 100_000)
const WINDOW = Number(process.env.FANOUT_WIRE_WINDOW ?? 16)
const ROUNDS = Math.max(1, Number(process.env.FANOUT_WIRE_ROUNDS ?? 1))

/** What the server processes answer to `{ cmd: 'usage' }`. */
interface Usage {
  cpuMicros: number
  maxRssKiB: number
  bound: number
}

/** One server's figures in one room size. */
interface WireFigures {
  unpaced: FanoutReport
  cpuPerDeliveryMicros: number
  paced: FanoutReport
  pacedCores: number
  peakRssMiB: number
  unpacedCores: number
  /** Participants still in the room after the paced run (a server may drop a receiver that stops reading). */
  remaining: number
}

async function usage(server: BenchChild): Promise<Usage> {
  server.send({ cmd: 'usage' })
  return (await server.next<{ usage: Usage }>('usage', 10_000)).usage
}

/** Runs the clients against `server` (already listening): join, warm-up, unpaced, paced. */
async function measure(server: BenchChild, target: { sipPort: number; room: string }, participants: number): Promise<WireFigures> {
  const clients = new BenchChild('./mixer-clients.ts')
  try {
    await clients.next('ready', 30_000)
    clients.send({ cmd: 'join', host: '127.0.0.1', port: target.sipPort, room: target.room, domain: 'bench.test', count: participants, ownSip: true })
    await clients.next('joined', 60_000 + 100 * participants)
    const recipients = participants - 1
    // Warm-up (JIT on every side), not measured.
    clients.send({ cmd: 'fanout', senders: SENDERS, perSender: Math.max(5, Math.ceil(20_000 / SENDERS / recipients)), window: WINDOW })
    await clients.next('report', 120_000)

    const perSender = Math.max(1, Math.ceil(UNPACED_DELIVERIES / SENDERS / recipients))
    const before = await usage(server)
    const t0Unpaced = performance.now()
    clients.send({ cmd: 'fanout', senders: SENDERS, perSender, window: WINDOW })
    const unpaced = (await clients.next<{ report: FanoutReport }>('report', 300_000)).report
    const after = await usage(server)
    const unpacedMs = performance.now() - t0Unpaced

    const ratePerSender = PACED_RATE / SENDERS / recipients
    const pacedBefore = await usage(server)
    const t0 = performance.now()
    clients.send({ cmd: 'paced', senders: SENDERS, ratePerSender, seconds: PACED_SECONDS })
    const paced = (await clients.next<{ report: FanoutReport }>('report', 120_000 + PACED_SECONDS * 10_000)).report
    const pacedAfter = await usage(server)
    const wallMs = performance.now() - t0
    return {
      unpaced,
      cpuPerDeliveryMicros: (after.cpuMicros - before.cpuMicros) / unpaced.deliveries,
      paced,
      pacedCores: (pacedAfter.cpuMicros - pacedBefore.cpuMicros) / 1000 / wallMs,
      peakRssMiB: pacedAfter.maxRssKiB / 1024,
      unpacedCores: (after.cpuMicros - before.cpuMicros) / 1000 / unpacedMs,
      remaining: pacedAfter.bound,
    }
  } finally {
    await clients.close()
  }
}

/** Starts one server process (`./minimal-switch.ts` or `./chat-server-process.ts`) in `runtime`, measures, closes it. */
async function measureServer(file: string, runtime: BenchRuntime, participants: number): Promise<WireFigures> {
  const server = await BenchChild.start(file, runtime)
  try {
    const ready = await server.next<{ sipPort: number; room?: string }>('ready', 30_000)
    return await measure(server, { sipPort: ready.sipPort, room: ready.room ?? 'sip:bench@bench.test' }, participants)
  } finally {
    await server.close()
  }
}

/** A latency for a note; a run in which nothing arrived has none (NaN, null after IPC). */
function ms(value: number | null): string {
  return value === null || Number.isNaN(value) ? 'n/a' : `${value.toFixed(1)} ms`
}

function roomResults(participants: number, runtime: BenchRuntime, chat: WireFigures, sw: WireFigures, spread: string): BenchResult[] {
  const tag = `room of ${participants}, server ${runtime === 'compiled' ? 'compiled' : 'under tsx'}`
  const run = (f: WireFigures): string => `${f.unpaced.deliveries} deliveries unpaced, ${f.paced.deliveries} paced`
  const checks = (f: WireFigures): string => `lost ${f.unpaced.lost}+${f.paced.lost}, duplicated ${f.unpaced.duplicated}+${f.paced.duplicated}, reordered ${f.unpaced.reordered}+${f.paced.reordered}, failed sends ${f.unpaced.sendErrors}+${f.paced.sendErrors}${f.unpaced.firstSendError ?? f.paced.firstSendError ? ` (${f.unpaced.firstSendError ?? f.paced.firstSendError})` : ''}`
  const pace = `${SENDERS} senders × ${(PACED_RATE / SENDERS / (participants - 1)).toFixed(1)} msg/s for ${PACED_SECONDS} s`
  const faults = (f: WireFigures): number => f.unpaced.lost + f.paced.lost + f.unpaced.duplicated + f.paced.duplicated + f.unpaced.reordered + f.paced.reordered + f.unpaced.sendErrors + f.paced.sendErrors
  return [
    { name: `${tag}: chat server CPU per delivery (confirmed)`, value: chat.cpuPerDeliveryMicros, unit: 'µs', note: `server process only, unpaced, ${SENDERS} senders, ${chat.unpaced.payloadBytes} B CPIM; ${run(chat)}` },
    { name: `${tag}: minimal switch CPU per delivery`, value: sw.cpuPerDeliveryMicros, unit: 'µs', note: run(sw) },
    { name: `${tag}: chat server / switch, CPU per delivery`, value: chat.cpuPerDeliveryMicros / sw.cpuPerDeliveryMicros, unit: 'ratio', note: `goal ≤ 2${spread}` },
    { name: `${tag}: chat server deliveries, unpaced`, value: chat.unpaced.deliveries / (chat.unpaced.elapsedMs / 1000), unit: 'deliv/s', note: `server ${chat.unpacedCores.toFixed(2)} cores, client process ${chat.unpaced.clientBusy.toFixed(2)} cores; p50 ${ms(chat.unpaced.p50)}, p99 ${ms(chat.unpaced.p99)}` },
    { name: `${tag}: minimal switch deliveries, unpaced`, value: sw.unpaced.deliveries / (sw.unpaced.elapsedMs / 1000), unit: 'deliv/s', note: `switch ${sw.unpacedCores.toFixed(2)} cores, client process ${sw.unpaced.clientBusy.toFixed(2)} cores; p50 ${ms(sw.unpaced.p50)}, p99 ${ms(sw.unpaced.p99)}` },
    { name: `${tag}: chat server p50 / p99 paced`, value: chat.paced.p99 ?? Number.NaN, unit: 'ms p99', note: `p50 ${ms(chat.paced.p50)}, max ${ms(chat.paced.max)}; ${PACED_RATE} deliv/s (${pace}); sends late ≤ ${chat.paced.maxLateMs.toFixed(1)} ms; client ${chat.paced.clientBusy.toFixed(2)} cores; goal p99 < 50 ms` },
    { name: `${tag}: minimal switch p50 / p99 paced`, value: sw.paced.p99 ?? Number.NaN, unit: 'ms p99', note: `p50 ${ms(sw.paced.p50)}, max ${ms(sw.paced.max)}; sends late ≤ ${sw.paced.maxLateMs.toFixed(1)} ms; client ${sw.paced.clientBusy.toFixed(2)} cores` },
    { name: `${tag}: chat server CPU at the pace`, value: chat.pacedCores, unit: 'cores', note: `switch ${sw.pacedCores.toFixed(2)} cores, ratio ${(chat.pacedCores / sw.pacedCores).toFixed(2)}` },
    { name: `${tag}: chat server peak RSS`, value: chat.peakRssMiB, unit: 'MiB', note: `switch ${sw.peakRssMiB.toFixed(0)} MiB, ratio ${(chat.peakRssMiB / sw.peakRssMiB).toFixed(2)} (goal ≤ 2)` },
    { name: `${tag}: chat server lost+duplicated+reordered+failed`, value: faults(chat), unit: 'copies', note: `must be 0: ${checks(chat)}; ${chat.remaining} of ${participants} still in the room after the paced run` },
    { name: `${tag}: minimal switch lost+duplicated+reordered+failed`, value: faults(sw), unit: 'copies', note: `${checks(sw)}; ${sw.remaining} of ${participants} connections still bound` },
  ]
}

/** The soft limit on open files of this process (the children inherit it), or undefined where /proc is missing. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'))
    const soft = line?.split(/\s{2,}/)[1]
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft)
  } catch {
    return undefined
  }
}

/** Runs the benchmark (see the module comment). */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const limit = openFileLimit()
  const needed = 3 * Math.max(...ROOMS) + 200
  if (limit !== undefined && limit < needed) throw new Error(`fanout-wire: a room of ${Math.max(...ROOMS)} needs about ${needed} open files in the client process, the limit is ${limit}; raise it (ulimit -n ${needed}) or set FANOUT_WIRE_ROOMS to smaller rooms`)
  const runtimes = benchRuntimes()
  for (const participants of ROOMS) {
    // Switch and server alternate, so both see the machine's load of the same minutes. The switch
    // always runs compiled (plain Node, as a hand-written switch would); the server in each runtime.
    const pairs = new Map<BenchRuntime, Array<{ chat: WireFigures; sw: WireFigures; ratio: number }>>(runtimes.map((r) => [r, []]))
    for (let round = 0; round < ROUNDS; round++) {
      const sw = await measureServer('./minimal-switch.ts', 'compiled', participants)
      for (const runtime of round % 2 === 0 ? runtimes : [...runtimes].reverse()) {
        const chat = await measureServer('./chat-server-process.ts', runtime, participants)
        pairs.get(runtime)!.push({ chat, sw, ratio: chat.cpuPerDeliveryMicros / sw.cpuPerDeliveryMicros })
      }
    }
    for (const runtime of runtimes) {
      const rounds = pairs.get(runtime)!.sort((x, y) => x.ratio - y.ratio)
      const median = rounds[Math.floor(rounds.length / 2)]!
      const spread = rounds.length === 1 ? '' : `; round with the median ratio of ${rounds.length}, ratios ${rounds.map((p) => p.ratio.toFixed(2)).join(', ')}`
      results.push(...roomResults(participants, runtime, median.chat, median.sw, spread))
    }
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit}${r.note ? ` (${r.note})` : ''}`)
}
