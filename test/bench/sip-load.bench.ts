/**
 * SIP load: MESSAGE transactions per second that sipp (the load generator, in C++) gets
 * answered, over UDP and TCP on loopback, against:
 *
 *   - sipp UAS          — sipp answering 200 itself: the ceiling of the generator on this machine;
 *   - SDK UA            — this SDK's real stack, as a bot's UA runs it: a `UserAgentCore` on a
 *                         `TransportSet` (UDP + TCP) whose `onRequest` handler answers each MESSAGE
 *                         with 200 through its server transaction (see message-answerer.ts);
 *   - Kamailio answers  — Kamailio (in C) answering a MESSAGE to an unregistered user with a
 *                         stateful 404 (sanity checks, tm transaction, usrloc lookup, reply);
 *   - Kamailio relays   — Kamailio proxying each MESSAGE (stateful t_relay, usrloc lookup) to a
 *                         registered sipp UAS that answers 200 (UAS leg always UDP); also run with
 *                         every Kamailio process pinned to one CPU (`taskset`), i.e. on one core.
 *
 * The headline ratio is SDK UA / Kamailio relays on one core: relaying is what Kamailio does for
 * a living (its "answers" path short-cuts at a failed lookup), and the SDK UA runs in one Node
 * process, which executes JavaScript on one thread.
 *
 * sipp offers up to 40 000 calls/s with at most 100 in flight (`-r 40000 -l 100`) for a bounded
 * count (`MSRP_BOT_BENCH_CALLS`, default 3 000), five times (`MSRP_BOT_BENCH_REPEATS`), median
 * reported: each "call" is one MESSAGE transaction, and a call fails on a 5 s receive timeout or
 * an unexpected response. Everything runs on one machine, so the generator, the peer and the
 * SUT share its cores. Run alone: `npx tsx test/bench/sip-load.bench.ts`.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { startMessageAnswerer, type MessageAnswerer } from './message-answerer.ts'
import { freePort, peersAvailable, runSipp, sippThroughput, startKamailio, type KamailioInstance, type SippResult } from '../interop/harness/index.ts'

// Kamailio's tm keeps each finished transaction ~5 s (wait timer) in a 64 MB shm pool (start.sh
// runs `-m 64`): about 4 500 relayed (9 000 answered) MESSAGEs fit, so runs stay below that, each
// on a fresh instance, and are repeated to take the median.
const CALLS = Number(process.env['MSRP_BOT_BENCH_CALLS'] ?? 3_000)
const REPEATS = Number(process.env['MSRP_BOT_BENCH_REPEATS'] ?? 5)
// At most 100 in flight: with more, bursts overflow loopback UDP socket buffers and sipp's own
// 500 ms retransmissions, not the peer, set the rate (measured: sipp->sipp 21k/s at -l 100,
// 6k/s with retransmissions at -l 150).
const LOAD_ARGS = ['-r', '40000', '-l', '100', '-recv_timeout', '5000']
/** The CPU the pinned Kamailio runs on (sipp and Node float over both). */
const PINNED_CPU = '1'
const scenario = (name: string) => fileURLToPath(new URL(`./sipp/${name}`, import.meta.url))
type Proto = 'udp' | 'tcp'
const sippTransport = (p: Proto) => (p === 'udp' ? 'u1' : 't1') as 'u1' | 't1'

/**
 * One measured run: sipp's result, or why it could not run; `problem` is found after it, `cpuSeconds`
 * is the CPU time (user + system) the system under test spent in the run.
 */
type Outcome = { result: SippResult; problem?: string | undefined; cpuSeconds?: number }
type Once = () => Promise<SippResult | string | Outcome>

/** Runs one configuration REPEATS times; reports the median rate and the failures of all runs. */
async function measure(name: string, proto: Proto, note: string, once: Once, cpuNote?: string): Promise<BenchResult[]> {
  const rates: number[] = []
  let failed = 0
  let retransmissions = 0
  const cpuPerTx: number[] = []
  const problems = new Set<string>()
  for (let i = 0; i < REPEATS; i++) {
    const outcome = await once()
    if (typeof outcome === 'string') {
      problems.add(outcome)
      continue
    }
    const { result, problem, cpuSeconds }: Outcome = 'result' in outcome ? outcome : { result: outcome }
    if (problem) problems.add(problem)
    const t = sippThroughput(result)
    if (cpuSeconds !== undefined && t.successful > 0) cpuPerTx.push((cpuSeconds * 1e6) / t.successful)
    if (t.seconds === 0) problems.add(`sipp wrote no statistics (exit ${result.exitCode}): ${result.stderr.slice(-200)}`)
    else if (result.exitCode !== 0) problems.add(`sipp exit ${result.exitCode}`)
    rates.push(t.perSecond)
    failed += t.failed + Math.max(0, CALLS - t.successful - t.failed)
    retransmissions += Number(result.stats['Retransmissions(C)'] ?? 0)
  }
  rates.sort((a, b) => a - b)
  const median = rates.length ? rates[Math.floor(rates.length / 2)]! : 0
  const spread = rates.length ? `${Math.round(rates[0]!)}..${Math.round(rates[rates.length - 1]!)}` : 'none'
  const trouble = problems.size ? `; ${[...problems].join('; ')}` : ''
  const results: BenchResult[] = [
    { name: `MESSAGE ${name} ${proto}`, value: Math.round(median), unit: 'tx/s', note: `median of ${rates.length}x${CALLS} (range ${spread}); ${note}${trouble}` },
    { name: `MESSAGE ${name} ${proto} failed`, value: failed, unit: 'tx', note: `of ${REPEATS * CALLS}: sipp FailedCall + calls not completed; ${retransmissions} UDP retransmissions by sipp` },
  ]
  if (cpuPerTx.length > 0) {
    cpuPerTx.sort((a, b) => a - b)
    const us = cpuPerTx[Math.floor(cpuPerTx.length / 2)]!
    const what = cpuNote ?? `per answered MESSAGE; one busy core would do ~${Math.round(1e6 / us)} tx/s`
    results.push({ name: `MESSAGE ${name} ${proto} CPU`, value: Math.round(us * 10) / 10, unit: 'us/tx', note: `median CPU time (user+sys), ${what}` })
  }
  return results
}

/**
 * CPU seconds (user + system) run so far by processes: the sum over their threads of the
 * nanosecond on-CPU time in /proc/<pid>/task/<tid>/schedstat (the 10 ms ticks of /proc/<pid>/stat
 * are too coarse for runs of a few hundred milliseconds).
 */
function procCpuSeconds(pids: readonly number[]): number {
  let ns = 0
  for (const pid of pids) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // the process is gone
    }
  }
  return ns / 1e9
}

async function loadAgainst(remote: string, proto: Proto, file: string, service = 'bob'): Promise<SippResult> {
  return runSipp({ scenario: scenario(file), remote, transport: sippTransport(proto), calls: CALLS, args: ['-s', service, ...LOAD_ARGS], timeoutMs: 120_000, traceMessages: false })
}

/** sipp UAC against a sipp UAS on `port`, started here and stopped after `body`. */
async function withSippUas<T>(proto: Proto, port: number, body: () => Promise<T>): Promise<T> {
  const stop = new AbortController()
  const uas = runSipp({ scenario: scenario('message_uas.xml'), transport: sippTransport(proto), localPort: port, calls: CALLS, timeoutMs: 120_000, signal: stop.signal, traceMessages: false })
  try {
    // sipp binds within a few ms of starting; UDP retransmissions (500 ms) cover a late bind.
    await new Promise((resolve) => setTimeout(resolve, 300))
    return await body()
  } finally {
    stop.abort()
    await uas
  }
}

function sippBaseline(proto: Proto): Promise<BenchResult[]> {
  const cpuNote = "the bench's own Node process while sipp loads sipp: harness overhead, included in the SDK UA's CPU figure"
  return measure('sipp UAS (generator ceiling)', proto, 'sipp answers 200 itself', async () => {
    const port = await freePort()
    return withSippUas(proto, port, async () => {
      const before = process.cpuUsage()
      const result = await loadAgainst(`127.0.0.1:${port}`, proto, 'message_uac.xml')
      const used = process.cpuUsage(before)
      return { result, cpuSeconds: (used.user + used.system) / 1e6 }
    })
  }, cpuNote)
}

async function sdkUa(ua: MessageAnswerer, proto: Proto): Promise<BenchResult[]> {
  const remote = `127.0.0.1:${ua.port}`
  // One unmeasured run first: V8 compiles the hot path; Kamailio, in C, needs no warm-up.
  await loadAgainst(remote, proto, 'message_uac.xml')
  const note = 'UserAgentCore on TransportSet(UdpTransport+TcpTransport), onRequest -> respond(200) via the server transaction; 1 Node process, after 1 warm-up run'
  return measure('SDK UA', proto, note, async () => {
    ua.reset()
    const before = process.cpuUsage()
    const result = await loadAgainst(remote, proto, 'message_uac.xml')
    const used = process.cpuUsage(before)
    const successful = sippThroughput(result).successful
    const problem = ua.answered() !== CALLS || ua.problems() > 0
      ? `UA answered ${ua.answered()} of ${CALLS} (sipp saw ${successful} succeed), ${ua.problems()} other requests/transport errors`
      : undefined
    return { result, problem, cpuSeconds: (used.user + used.system) / 1e6 }
  })
}

/** The PIDs of a Kamailio instance: the main process and the children it forked. */
function kamailioPids(kam: KamailioInstance): number[] {
  const main = Number(readFileSync(join(kam.runDir, 'kamailio.pid'), 'utf8').trim())
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(main)], { encoding: 'utf8' })
    .split('\n').map((s) => Number(s.trim())).filter((n) => n > 0)
  return [main, ...children]
}

let kamailioProcesses = 0

/** Runs `once` against a fresh Kamailio (its shm pool is small, see CALLS), optionally on one CPU. */
async function withKamailio(pinned: boolean, once: (kam: KamailioInstance, cpu: () => number) => Promise<SippResult | string>): Promise<SippResult | string | Outcome> {
  const kam = await startKamailio()
  try {
    const pids = kamailioPids(kam)
    kamailioProcesses = pids.length
    if (pinned) for (const pid of pids) execFileSync('taskset', ['-a', '-p', '-c', PINNED_CPU, String(pid)], { stdio: 'ignore' })
    let start = 0
    const result = await once(kam, () => (start = procCpuSeconds(pids)))
    return typeof result === 'string' ? result : { result, cpuSeconds: procCpuSeconds(pids) - start }
  } finally {
    await kam.stop()
  }
}

const KAMAILIO = 'Kamailio 5.6, peer config: children=2 (UDP workers), tcp_children=2, shm -m 64, pkg -M 8'

function kamailioAnswers(proto: Proto): Promise<BenchResult[]> {
  const note = `${KAMAILIO}; usrloc lookup fails -> t_newtran + send_reply 404`
  return measure('Kamailio answers (404, stateful)', proto, note, () => withKamailio(false, (kam, markCpu) => {
    markCpu()
    return loadAgainst(`127.0.0.1:${kam.sipPort}`, proto, 'message_uac_not_found.xml', 'nobody')
  }))
}

function kamailioRelays(proto: Proto, pinned: boolean): Promise<BenchResult[]> {
  const where = pinned ? `every process pinned to CPU ${PINNED_CPU} (taskset -a)` : 'processes free on both CPUs'
  const note = `${KAMAILIO}, ${where}; usrloc lookup + stateful t_relay to a registered sipp UAS (that leg UDP)`
  const name = pinned ? 'Kamailio relays, 1 core' : 'Kamailio relays'
  return measure(name, proto, note, () => withKamailio(pinned, async (kam, markCpu) => {
    const uasPort = await freePort()
    const registered = await runSipp({ scenario: 'register_keep.xml', remote: `127.0.0.1:${kam.sipPort}`, localPort: uasPort, args: ['-s', 'bob', '-au', 'bob', '-ap', 'secret', '-recv_timeout', '5000'] })
    if (registered.exitCode !== 0) return `bob's REGISTER failed (sipp exit ${registered.exitCode})`
    return withSippUas('udp', uasPort, () => {
      markCpu()
      return loadAgainst(`127.0.0.1:${kam.sipPort}`, proto, 'message_uac.xml', 'bob')
    })
  }))
}

/** Runs every configuration; skipped (with a note) when sipp or Kamailio are missing. */
export async function run(): Promise<BenchResult[]> {
  const available = peersAvailable()
  if (!available.ok) return [{ name: 'MESSAGE load', value: 0, unit: 'tx/s', note: `skipped: ${available.why}` }]
  // Other work on the machine shares the cores with sipp, Kamailio and the SDK: say how much.
  const results: BenchResult[] = [{ name: 'machine load at start (1-min load average)', value: loadavg()[0]!, unit: 'procs', note: `${cpus().length} CPUs; figures are noisy when this is above ~0.5` }]
  const rates = new Map<string, number>()
  const cpu = new Map<string, number>()
  const keep = (list: BenchResult[]) => {
    results.push(...list)
    if (list[0]) rates.set(list[0].name, list[0].value)
    for (const r of list) if (r.unit === 'us/tx') cpu.set(r.name.replace(/ CPU$/, ''), r.value)
  }
  const ua = await startMessageAnswerer(await freePort())
  try {
    for (const proto of ['udp', 'tcp'] as const) {
      keep(await sippBaseline(proto))
      keep(await sdkUa(ua, proto))
    }
  } finally {
    await ua.close()
  }
  for (const proto of ['udp', 'tcp'] as const) {
    keep(await kamailioAnswers(proto))
    keep(await kamailioRelays(proto, false))
    keep(await kamailioRelays(proto, true))
  }
  results.push({ name: 'machine load at end (1-min load average)', value: loadavg()[0]!, unit: 'procs' })
  results.push({ name: 'Kamailio processes', value: kamailioProcesses, unit: 'procs', note: 'main + forked children (UDP/TCP workers, timers, ctl, MSRP ...) of one instance, from ps' })
  for (const proto of ['udp', 'tcp'] as const) {
    const sdk = rates.get(`MESSAGE SDK UA ${proto}`)
    for (const [peer, label] of [
      ['Kamailio relays, 1 core', 'relays, 1 core (headline)'],
      ['Kamailio relays', 'relays, 2 cores'],
      ['Kamailio answers (404, stateful)', 'answers 404'],
    ] as const) {
      const kamailio = rates.get(`MESSAGE ${peer} ${proto}`)
      if (sdk && kamailio) results.push({ name: `MESSAGE SDK UA / Kamailio ${label} ${proto}`, value: sdk / kamailio, unit: 'ratio', note: 'measured tx/s; goal >= 0.3 with zero failed transactions' })
    }
    // The same comparison by CPU time: what one fully busy core would answer, SDK vs Kamailio,
    // independent of the generator's ceiling and of who else shares the two cores.
    const sdkUs = cpu.get(`MESSAGE SDK UA ${proto}`)
    for (const [peer, label] of [['Kamailio relays, 1 core', 'relays'], ['Kamailio answers (404, stateful)', 'answers 404']] as const) {
      const kamUs = cpu.get(`MESSAGE ${peer} ${proto}`)
      if (sdkUs && kamUs) results.push({ name: `MESSAGE SDK UA / Kamailio ${label}, by CPU ${proto}`, value: kamUs / sdkUs, unit: 'ratio', note: `one-core capacity: Kamailio ${kamUs} us/tx over SDK ${sdkUs} us/tx` })
    }
  }
  return results
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await run()
  for (const r of results) console.log(`${r.name.padEnd(52)} ${String(Number.isInteger(r.value) ? r.value : r.value.toFixed(2)).padStart(10)} ${r.unit.padEnd(6)} ${r.note ?? ''}`)
}
