/**
 * Rooms spread over 1, 2 and 3 `msrp-bot server --redis` nodes (child processes, one
 * redis-server), and failover time. Each node owns ROOMS/N of the rooms (`--rooms`), as
 * Kamailio's dispatcher hashing on the room would place them; every participant joins its room's
 * owner directly. Per room SENDERS participants send MESSAGES messages each, all rooms at once;
 * reported: aggregate deliveries per second (deliveries = messages × recipients) and p50/p99
 * send-to-delivery latency. The clients run in this process.
 *
 * Failover: a room's owner is killed with SIGKILL; another node is asked to join the room every
 * 50 ms until a join succeeds; the time from the kill is reported for two lease times, and what
 * was lost (history entries before/after).
 *
 * Needs redis-server. Run: `npx tsx --conditions=msrp-bot-source test/bench/cluster.bench.ts`.
 * On a 2-core machine nodes, Redis and the clients share the two cores: more nodes cannot add
 * throughput there, they show the cost of the cluster's extra hops (docs/scaling.md).
 */
import { fileURLToPath } from 'node:url'
import { setTimeout as delay } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { LineProcess } from '../interop/harness/child-process.ts'
import { TestParticipant } from '../server/participant.ts'
import { DOMAIN, redisAvailable, remoteServer, startRedis, type RedisServer } from '../server/cluster/harness.ts'
import type { BenchResult } from './bench-result.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const ROOMS = 6
const PARTICIPANTS = 10
const SENDERS = 5
const MESSAGES = 40

interface Node {
  readonly id: string
  readonly process: LineProcess
  readonly port: number
}

/** A node of the cluster at `redis`, or with `redis` undefined a server alone (no Redis), for comparison. */
async function startNode(redis: string | undefined, id: string, rooms: string[], leaseMs: number): Promise<Node> {
  const cluster = redis === undefined ? [] : ['--redis', redis, '--node-id', id, '--lease-ms', String(leaseMs)]
  const child = new LineProcess(
    process.execPath,
    ['bin/msrp-bot.js', 'server', ...cluster, '--domain', DOMAIN, '--port', '0', '--msrp-port', '0', '--log-level', 'warn', ...(rooms.length > 0 ? ['--rooms', rooms.join(',')] : ['--rooms', ''])],
    { cwd: REPO, label: `node ${id}` },
  )
  const ready = await child.waitFor(/ready/)
  return { id, process: child, port: Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(ready)![1]) }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
}

async function fanout(redis: RedisServer | undefined, nodeCount: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const rooms = Array.from({ length: ROOMS }, (_, i) => `room${i}`)
  const nodes: Node[] = []
  for (let n = 0; n < nodeCount; n++) nodes.push(await startNode(redis?.url, `n${nodeCount}-${n}`, rooms.filter((_, i) => i % nodeCount === n), 5000))
  const people: TestParticipant[] = []
  const latencies: number[] = []
  let expected = 0
  let delivered = 0
  let allIn!: () => void
  const done = new Promise<void>((resolve) => (allIn = resolve))
  try {
    for (const [i, room] of rooms.entries()) {
      const node = nodes[i % nodeCount]!
      for (let p = 0; p < PARTICIPANTS; p++) {
        const person = await TestParticipant.create(remoteServer(node.port), `u${i}x${p}`, { transport: 'tcp' })
        people.push(person)
        const joined = await person.joinOk(room)
        joined.session.on('message', (m: { body: Uint8Array }) => {
          const match = /t=(\d+(?:\.\d+)?)/.exec(Buffer.from(m.body).toString('latin1'))
          if (match === null) return
          latencies.push(performance.now() - Number(match[1]))
          if (++delivered === expected) allIn()
        })
      }
    }
    expected = ROOMS * SENDERS * MESSAGES * (PARTICIPANTS - 1)
    const started = performance.now()
    await Promise.all(
      people.filter((_, k) => k % PARTICIPANTS < SENDERS).map(async (person) => {
        const room = [...person.rooms.keys()][0]!
        for (let m = 0; m < MESSAGES; m++) await person.say(room, `t=${performance.now()}`)
      }),
    )
    await done
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    return { perSecond: expected / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
  } finally {
    for (const p of people) await p.close().catch(() => undefined)
    for (const n of nodes) await n.process.interrupt()
  }
}

async function failover(redis: RedisServer, leaseMs: number): Promise<{ ms: number; before: number; after: number }> {
  const owner = await startNode(redis.url, `owner-${leaseMs}`, [`fail${leaseMs}`], leaseMs)
  const other = await startNode(redis.url, `other-${leaseMs}`, [], leaseMs)
  const client = new Redis(redis.url)
  const historyKey = `msrp-bot:${DOMAIN}:room:{sip:fail${leaseMs}@${DOMAIN}}:history`
  const people: TestParticipant[] = []
  try {
    const alice = await TestParticipant.create(remoteServer(other.port), 'alice', { transport: 'tcp' })
    people.push(alice)
    await alice.joinOk(`fail${leaseMs}`)
    for (let i = 0; i < 10; i++) await alice.say(`fail${leaseMs}`, `kept ${i}`)
    const before = await client.llen(historyKey)
    const killed = performance.now()
    owner.process.child.kill('SIGKILL')
    await owner.process.exited
    for (let attempt = 0; ; attempt++) {
      const bob = await TestParticipant.create(remoteServer(other.port), `bob${attempt}`, { transport: 'tcp' })
      people.push(bob)
      const result = await bob.join(`fail${leaseMs}`)
      if (!('status' in result)) break
      await delay(50)
    }
    const ms = performance.now() - killed
    return { ms, before, after: await client.llen(historyKey) }
  } finally {
    for (const p of people) await p.close().catch(() => undefined)
    await other.process.interrupt()
    owner.process.kill()
    await client.quit()
  }
}

/** The figures (see the module comment). */
export async function run(): Promise<BenchResult[]> {
  const available = redisAvailable()
  if (!available.ok) {
    console.log(`cluster benchmark skipped: ${available.why}`)
    return []
  }
  const redis = await startRedis()
  const results: BenchResult[] = []
  try {
    const alone = await fanout(undefined, 1)
    results.push({ name: 'one server without Redis: deliveries/s', value: Math.round(alone.perSecond), unit: 'deliv/s', note: 'the same load, for comparison' })
    results.push({ name: 'one server without Redis: latency p99', value: alone.p99, unit: 'ms' })
    for (const n of [1, 2, 3]) {
      const r = await fanout(redis, n)
      const note = `${ROOMS} rooms × ${PARTICIPANTS} people, ${SENDERS} senders × ${MESSAGES} msgs each; clients, Redis and nodes on one 2-core machine`
      results.push({ name: `cluster ${n} node(s): deliveries/s`, value: Math.round(r.perSecond), unit: 'deliv/s', note })
      results.push({ name: `cluster ${n} node(s): latency p50`, value: r.p50, unit: 'ms' })
      results.push({ name: `cluster ${n} node(s): latency p99`, value: r.p99, unit: 'ms' })
    }
    for (const leaseMs of [1000, 5000]) {
      const f = await failover(redis, leaseMs)
      results.push({ name: `failover, lease ${leaseMs} ms: kill -9 → join ok`, value: Math.round(f.ms), unit: 'ms', note: `history entries before ${f.before}, after ${f.after}` })
    }
  } finally {
    await redis.stop()
  }
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`| ${r.name.padEnd(48)} | ${String(Number.isInteger(r.value) ? r.value : r.value.toFixed(2)).padStart(10)} | ${r.unit.padEnd(8)} | ${r.note ?? ''}`)
}
