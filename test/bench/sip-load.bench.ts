/**
 * SIP load: MESSAGE transactions per second that sipp (the load generator, in C++) gets
 * answered, over UDP and TCP on loopback, against:
 *
 *   - sipp UAS           — sipp answering 200 itself: the ceiling of the generator on this machine;
 *   - msrp-bot responder — a minimal UA on this SDK's transport + codec (parse, build 200, serialize);
 *   - Kamailio answers   — Kamailio (in C) answering a MESSAGE to an unregistered user with a
 *                          stateful 404 (sanity checks, tm transaction, usrloc lookup, reply);
 *   - Kamailio relays    — Kamailio proxying each MESSAGE (stateful t_relay, usrloc lookup) to a
 *                          registered sipp UAS that answers 200 (UAS leg always UDP).
 *
 * sipp offers up to 40 000 calls/s with at most 100 in flight (`-r 40000 -l 100`) for a bounded
 * count (`MSRP_BOT_BENCH_CALLS`, default 3 000), three times (`MSRP_BOT_BENCH_REPEATS`), median reported: each "call" is one MESSAGE transaction, and a
 * call fails on a 5 s receive timeout or an unexpected response. Everything runs on one machine,
 * so the generator, the peer and the SUT share its cores.
 *
 * The responder is stateless (no transaction layer): it will be replaced by a real UA.
 * Run alone: `npx tsx test/bench/sip-load.bench.ts`.
 */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { parseSipMessage } from '../../src/sip/parser.ts'
import { serializeSipMessage } from '../../src/sip/serializer.ts'
import { createResponse } from '../../src/sip/response.ts'
import { isRequest } from '../../src/sip/message.ts'
import { TcpTransport, UdpTransport, type SipTransport } from '../../src/sip/transport/index.ts'
import { freePort, peersAvailable, runSipp, sippThroughput, startKamailio, type KamailioInstance, type SippResult } from '../interop/harness/index.ts'

// Kamailio's tm keeps each finished transaction ~5 s (wait timer) in a 64 MB shm pool (start.sh
// runs `-m 64`): about 4 500 relayed (9 000 answered) MESSAGEs fit, so runs stay below that, each
// on a fresh instance, and are repeated to take the median.
const CALLS = Number(process.env['MSRP_BOT_BENCH_CALLS'] ?? 3_000)
const REPEATS = Number(process.env['MSRP_BOT_BENCH_REPEATS'] ?? 3)
// At most 100 in flight: with more, bursts overflow loopback UDP socket buffers and sipp's own
// 500 ms retransmissions, not the peer, set the rate (measured: sipp->sipp 21k/s at -l 100,
// 6k/s with retransmissions at -l 150).
const LOAD_ARGS = ['-r', '40000', '-l', '100', '-recv_timeout', '5000']
const scenario = (name: string) => fileURLToPath(new URL(`./sipp/${name}`, import.meta.url))
type Proto = 'udp' | 'tcp'
const sippTransport = (p: Proto) => (p === 'udp' ? 'u1' : 't1') as 'u1' | 't1'

/** A minimal stateless UA: answers every MESSAGE with 200 over the transport it came on. */
function startResponder(transport: SipTransport): { answered: () => number; failures: () => number } {
  let answered = 0
  let failures = 0
  const tag = randomBytes(4).toString('hex')
  transport.on('message', (bytes, meta) => {
    try {
      const message = parseSipMessage(bytes, { datagram: meta.protocol === 'udp' })
      if (!isRequest(message) || message.method !== 'MESSAGE') return
      const response = serializeSipMessage(createResponse(message, 200, { toTag: tag }))
      transport
        .send(response, { host: meta.remote.address, port: meta.remote.port, ...(meta.connectionId ? { connectionId: meta.connectionId } : {}) })
        .then(() => { answered++ }, () => { failures++ })
    } catch {
      failures++
    }
  })
  return { answered: () => answered, failures: () => failures }
}

/** Runs one configuration REPEATS times; reports the median rate and the failures of all runs. */
async function measure(name: string, proto: Proto, note: string, once: () => Promise<SippResult | string>): Promise<BenchResult[]> {
  const rates: number[] = []
  let failed = 0
  let retransmissions = 0
  let problems = ''
  for (let i = 0; i < REPEATS; i++) {
    const result = await once()
    if (typeof result === 'string') {
      problems = result
      continue
    }
    const t = sippThroughput(result)
    if (t.seconds === 0) problems = `sipp wrote no statistics (exit ${result.exitCode}): ${result.stderr.slice(-200)}`
    rates.push(t.perSecond)
    failed += t.failed
    retransmissions += Number(result.stats['Retransmissions(C)'] ?? 0)
  }
  rates.sort((a, b) => a - b)
  const median = rates.length ? rates[Math.floor(rates.length / 2)]! : 0
  const spread = rates.length ? `${Math.round(rates[0]!)}..${Math.round(rates[rates.length - 1]!)}` : 'none'
  return [
    { name: `MESSAGE ${name} ${proto}`, value: Math.round(median), unit: 'tx/s', note: `median of ${rates.length}x${CALLS} (range ${spread}); ${note}${problems ? `; ${problems}` : ''}` },
    { name: `MESSAGE ${name} ${proto} failed`, value: failed, unit: 'tx', note: `of ${rates.length * CALLS}: timeouts + unexpected responses; ${retransmissions} UDP retransmissions by sipp` },
  ]
}

async function loadAgainst(remote: string, proto: Proto, file: string, service = 'bob'): Promise<SippResult> {
  return runSipp({ scenario: scenario(file), remote, transport: sippTransport(proto), calls: CALLS, args: ['-s', service, ...LOAD_ARGS], timeoutMs: 120_000, traceMessages: false })
}

/** sipp UAC against a sipp UAS on `port` (already listening) or started here. */
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
  return measure('sipp UAS (generator ceiling)', proto, 'sipp answers 200 itself', async () => {
    const port = await freePort()
    return withSippUas(proto, port, () => loadAgainst(`127.0.0.1:${port}`, proto, 'message_uac.xml'))
  })
}

async function sdkResponder(proto: Proto): Promise<BenchResult[]> {
  const transport = proto === 'udp' ? new UdpTransport() : new TcpTransport()
  await transport.listen()
  const responder = startResponder(transport)
  try {
    const note = `stateless responder on ${proto === 'udp' ? 'UdpTransport' : 'TcpTransport'} + parseSipMessage/createResponse/serializeSipMessage`
    const results = await measure('msrp-bot responder', proto, note, () => loadAgainst(`127.0.0.1:${transport.localAddress().port}`, proto, 'message_uac.xml'))
    if (responder.failures() > 0) results.push({ name: `MESSAGE msrp-bot responder ${proto} errors`, value: responder.failures(), unit: 'msg', note: 'parse or send errors in the responder' })
    return results
  } finally {
    await transport.close()
  }
}

/** Runs `once` against a fresh Kamailio (its shm pool is small, see CALLS). */
async function withKamailio(once: (kam: KamailioInstance) => Promise<SippResult | string>): Promise<SippResult | string> {
  const kam = await startKamailio()
  try {
    return await once(kam)
  } finally {
    await kam.stop()
  }
}

function kamailioAnswers(proto: Proto): Promise<BenchResult[]> {
  const note = 'Kamailio 5.6 (children=2, tcp_children=2): usrloc lookup fails -> t_newtran + send_reply 404'
  return measure('Kamailio answers (404, stateful)', proto, note, () => withKamailio((kam) => loadAgainst(`127.0.0.1:${kam.sipPort}`, proto, 'message_uac_not_found.xml', 'nobody')))
}

function kamailioRelays(proto: Proto): Promise<BenchResult[]> {
  const note = 'Kamailio: usrloc lookup + stateful t_relay to a registered sipp UAS (that leg UDP)'
  return measure('Kamailio relays to sipp UAS', proto, note, () => withKamailio(async (kam) => {
    const uasPort = await freePort()
    const registered = await runSipp({ scenario: 'register_keep.xml', remote: `127.0.0.1:${kam.sipPort}`, localPort: uasPort, args: ['-s', 'bob', '-au', 'bob', '-ap', 'secret', '-recv_timeout', '5000'] })
    if (registered.exitCode !== 0) return `bob's REGISTER failed (sipp exit ${registered.exitCode})`
    return withSippUas('udp', uasPort, () => loadAgainst(`127.0.0.1:${kam.sipPort}`, proto, 'message_uac.xml', 'bob'))
  }))
}

/** Runs every configuration; Kamailio ones are skipped (with a note) when the peers are missing. */
export async function run(): Promise<BenchResult[]> {
  const available = peersAvailable()
  if (!available.ok) return [{ name: 'MESSAGE load', value: 0, unit: 'tx/s', note: `skipped: ${available.why}` }]
  const results: BenchResult[] = []
  const rates = new Map<string, number>()
  const keep = (list: BenchResult[]) => {
    results.push(...list)
    if (list[0]) rates.set(list[0].name, list[0].value)
  }
  for (const proto of ['udp', 'tcp'] as const) {
    keep(await sippBaseline(proto))
    keep(await sdkResponder(proto))
  }
  for (const proto of ['udp', 'tcp'] as const) {
    keep(await kamailioAnswers(proto))
    keep(await kamailioRelays(proto))
  }
  for (const proto of ['udp', 'tcp'] as const) {
    const sdk = rates.get(`MESSAGE msrp-bot responder ${proto}`)
    const kamailio = rates.get(`MESSAGE Kamailio answers (404, stateful) ${proto}`)
    if (sdk && kamailio) results.push({ name: `MESSAGE msrp-bot / Kamailio answers ${proto}`, value: sdk / kamailio, unit: 'ratio', note: 'higher is better for msrp-bot' })
  }
  return results
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await run()
  for (const r of results) console.log(`${r.name.padEnd(48)} ${String(Number.isInteger(r.value) ? r.value : r.value.toFixed(2)).padStart(10)} ${r.unit.padEnd(6)} ${r.note ?? ''}`)
}
