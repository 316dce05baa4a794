/**
 * The focus's relay path in one process, without sockets or a second process: one
 * `RelayedMessage` (186-byte CPIM) to 99 participant legs (`ParticipantLink`, an `MsrpSession`
 * in decider mode) over in-memory MSRP connections whose far ends answer every copy 200
 * (`confirmed`) or nothing (`fast`). Reports CPU time per copy for the whole process, both ends
 * included: a per-unit cost that other jobs on the machine disturb far less than the
 * throughput of mixer-fanout.bench.ts, so it tells a change in the relay path from noise.
 *
 * In the same run, the ceiling: a **minimal switch** on the same 99 in-memory connections and
 * the same answering ends. Per copy it builds the SEND with the leg's To-Path/From-Path and a
 * fresh transaction id around the shared body and writes it in one piece; of what comes back it
 * only counts end-lines (`indexOf`), parsing nothing — no session, transaction, timer or
 * outcome. The ratio leg / switch is the "≤ 2× a minimal switch" measure in one process.
 *
 * Both are measured twice: with full MSRP connections as the answering ends (the whole process),
 * and with raw byte writers that answer each SEND with a precomputed 200 (see rawAnswerer), so
 * the figure is (nearly) the server side's alone.
 *
 * @module
 */
import { pathToFileURL } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { MsrpConnection, type MsrpRequestHandler } from '../../src/msrp/connection.ts'
import { createMemoryPair } from '../../src/msrp/memory-stream.ts'
import { streamTransport } from '../../src/msrp/transport.ts'
import { ParticipantLink, RelayedMessage, type DeliveryMode, type LinkHandlers } from '../../src/server/participant-link.ts'

const RECIPIENTS = 99
const MESSAGES = 1000
const ROUNDS = 5

const handlers: LinkHandlers = {
  maxMessageBytes: () => 65_536,
  message: () => Promise.resolve({ status: 200 }),
  nickname: () => ({ status: 200 }),
  bound: () => undefined,
  closed: () => undefined,
}

/** The participants' ends: answer every request 200 (nothing goes out for `Failure-Report: partial`). */
const answerer: MsrpRequestHandler = {
  handleRequest: (request, connection) => connection.respond(request, 200),
  connectionClosed: () => undefined,
}

/**
 * A participant's end as a raw byte writer, for the server-only figures: it finds each SEND's
 * transaction id (the start line `MSRP <tid> SEND`) and the frame's end-line, and answers with a
 * 200 built from a precomputed head (the leg's paths) — no parser, no connection, no timer — so
 * what the process spends is (almost) only the relay side's.
 */
function rawAnswerer(side: ReturnType<typeof createMemoryPair>[1], toPath: string, fromPath: string, answer: boolean): void {
  const paths = Buffer.from(` 200 OK\r\nTo-Path: ${toPath}\r\nFrom-Path: ${fromPath}\r\n-------`, 'latin1')
  const start = Buffer.from('MSRP ', 'latin1')
  let carry: Buffer | undefined
  side.on('data', (chunk: Buffer) => {
    const data = carry === undefined ? chunk : Buffer.concat([carry, chunk])
    carry = undefined
    const out: Buffer[] = []
    let k = 0
    for (;;) {
      const s = data.indexOf(start, k)
      if (s < 0) break
      const sp = data.indexOf(0x20, s + 5)
      const tid = sp < 0 ? undefined : data.subarray(s + 5, sp)
      const end = tid === undefined ? -1 : data.indexOf(tid, data.indexOf(0x0a, sp) + 1)
      if (tid === undefined || end < 0 || data.length < end + tid.length + 3) {
        carry = data.subarray(s)
        break
      }
      // Every frame the relay writes here is a SEND; in fast mode (Failure-Report: partial) none is answered.
      out.push(start, tid, paths, tid, DOLLAR_CRLF)
      k = end + tid.length + 3
    }
    if (out.length > 0 && answer) side.write(Buffer.concat(out))
  })
}

const DOLLAR_CRLF = Buffer.from('$\r\n', 'latin1')

const BODY = Buffer.from(
  'From: <sip:alice@example.test>\r\nTo: <sip:lobby@example.test>\r\nDateTime: 2026-12-07T20:00:00Z\r\n\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nhello everyone'.padEnd(186, '.'),
)

/** Which answering ends: full MSRP connections, or raw writers of precomputed 200s (server-only figures). */
export type Ends = 'connections' | 'raw'

/** 99 focus legs (ParticipantLink on an MsrpConnection each) whose far ends answer as `ends` says. */
export function legs(mode: DeliveryMode, ends: Ends): { links: ParticipantLink[]; close(): void } {
  const links: ParticipantLink[] = []
  const connections: MsrpConnection[] = []
  const raws: ReturnType<typeof createMemoryPair>[1][] = []
  for (let i = 0; i < RECIPIENTS; i++) {
    const [focusSide, participantSide] = createMemoryPair()
    const focus = new MsrpConnection(streamTransport(focusSide, 'memory'), { role: 'passive' })
    connections.push(focus)
    const id = `focus${i}abcdefghijklmn`
    if (ends === 'connections') connections.push(new MsrpConnection(streamTransport(participantSide, 'memory'), { role: 'active', resolveSession: () => answerer }))
    else {
      rawAnswerer(participantSide, `msrp://127.0.0.1:2855/${id};tcp`, `msrp://127.0.0.1:9/peer${i}xyzabc;tcp`, mode === 'confirmed')
      raws.push(participantSide)
    }
    const link = new ParticipantLink({ id, localUri: `msrp://127.0.0.1:2855/${id};tcp`, remotePath: [`msrp://127.0.0.1:9/peer${i}xyzabc;tcp`], handlers, deliveryTimeoutMs: 10_000, deliveryMode: mode })
    link.bind(focus)
    links.push(link)
  }
  return { links, close: () => { connections.forEach((c) => c.close()); raws.forEach((r) => r.destroy()) } }
}

/** Relays messages `first` … `first + count - 1` to every leg, one after another, each once all legs reported. */
export async function relayAll(links: ParticipantLink[], mode: DeliveryMode, first: number, count: number): Promise<void> {
  for (let m = first; m < first + count; m++) {
    const message = new RelayedMessage(BODY, `msg${m}.x`, mode)
    await new Promise<void>((resolve, reject) => {
      let pending = links.length
      for (const link of links) {
        link.relay(message, (outcome) => {
          if (!outcome.ok) reject(new Error(`copy failed: ${outcome.status} ${outcome.reason ?? ''}`))
          else if (--pending === 0) resolve()
        })
      }
    })
  }
}

/** The minimal switch (see the module comment): its legs and a way to send one message to all. */
function switchLegs(ends: Ends): { relay(m: number): Promise<void>; close(): void } {
  const connections: MsrpConnection[] = []
  const raws: ReturnType<typeof createMemoryPair>[1][] = []
  const sides: ReturnType<typeof createMemoryPair>[0][] = []
  const heads: string[] = []
  let answered = 0
  let waiting: (() => void) | undefined
  const endLine = Buffer.from('\r\n-------', 'latin1')
  for (let i = 0; i < RECIPIENTS; i++) {
    const [focusSide, participantSide] = createMemoryPair()
    if (ends === 'connections') connections.push(new MsrpConnection(streamTransport(participantSide, 'memory'), { role: 'active', resolveSession: () => answerer }))
    else {
      rawAnswerer(participantSide, `msrp://127.0.0.1:2855/focus${i}abcdefghijklmn;tcp`, `msrp://127.0.0.1:9/peer${i}xyzabc;tcp`, true)
      raws.push(participantSide)
    }
    focusSide.on('data', (data: Buffer) => {
      // A response has no body: its end-line follows a header line, so CRLF "-------" marks one.
      for (let k = data.indexOf(endLine); k >= 0; k = data.indexOf(endLine, k + 1)) answered++
      if (answered === RECIPIENTS) waiting?.()
    })
    sides.push(focusSide)
    heads.push(`To-Path: msrp://127.0.0.1:9/peer${i}xyzabc;tcp\r\nFrom-Path: msrp://127.0.0.1:2855/focus${i}abcdefghijklmn;tcp\r\n`)
  }
  const relay = (m: number): Promise<void> =>
    new Promise<void>((resolve) => {
      answered = 0
      waiting = resolve
      for (let i = 0; i < RECIPIENTS; i++) {
        const tid = `t${m}x${i}abc`
        const head = `MSRP ${tid} SEND\r\n${heads[i]}Message-ID: msg${m}.x${i}\r\nByte-Range: 1-${BODY.length}/${BODY.length}\r\nContent-Type: message/cpim\r\n\r\n`
        sides[i]!.write(Buffer.concat([Buffer.from(head, 'latin1'), BODY, Buffer.from(`\r\n-------${tid}$\r\n`, 'latin1')]))
      }
    })
  return { relay, close: () => { connections.forEach((c) => c.close()); sides.forEach((s) => s.destroy()); raws.forEach((r) => r.destroy()) } }
}

/** Median and range of CPU µs per copy over rounds. */
interface PerCopy {
  median: number
  low: number
  high: number
}

/**
 * CPU µs per copy: `relay(first, count)` relays `count` messages numbered from `first`; a warm-up
 * of 300 messages, then {@link ROUNDS} rounds of {@link MESSAGES} messages, median and range.
 */
async function cpuPerCopy(relay: (first: number, count: number) => Promise<void>): Promise<PerCopy> {
  await relay(0, 300)
  const perCopy: number[] = []
  for (let r = 1; r <= ROUNDS; r++) {
    const start = process.cpuUsage()
    await relay(r * MESSAGES, MESSAGES)
    const used = process.cpuUsage(start)
    perCopy.push((used.user + used.system) / (MESSAGES * RECIPIENTS))
  }
  perCopy.sort((a, b) => a - b)
  return { median: perCopy[Math.floor(ROUNDS / 2)]!, low: perCopy[0]!, high: perCopy[ROUNDS - 1]! }
}

/** CPU µs per copy of the minimal switch, as {@link measure}. */
export async function measureSwitch(ends: Ends): Promise<PerCopy> {
  const { relay, close } = switchLegs(ends)
  try {
    return await cpuPerCopy(async (first, count) => {
      for (let m = first; m < first + count; m++) await relay(m)
    })
  } finally {
    close()
  }
}

/** CPU µs per copy of the focus's relay path: median and range of {@link ROUNDS} rounds of {@link MESSAGES} messages, after a warm-up. */
export async function measure(mode: DeliveryMode, ends: Ends): Promise<PerCopy> {
  const { links, close } = legs(mode, ends)
  try {
    return await cpuPerCopy((first, count) => relayAll(links, mode, first, count))
  } finally {
    close()
  }
}

/** Runs the benchmark (see the module comment): whole process, then server side only. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  for (const ends of ['connections', 'raw'] as const) {
    const scope = ends === 'connections' ? 'whole process (focus and answering ends)' : 'server side only (answering ends write precomputed 200s)'
    const tag = ends === 'connections' ? '' : ', server only'
    const ceiling = await measureSwitch(ends)
    results.push({
      name: `minimal switch CPU per copy${tag}`,
      value: ceiling.median,
      unit: 'µs/copy',
      note: `${scope}; builds and writes each copy, counts the 200s; median of ${ROUNDS} rounds, ${ceiling.low.toFixed(2)}–${ceiling.high.toFixed(2)}`,
    })
    for (const mode of ['confirmed', 'fast'] as const) {
      const { median, low, high } = await measure(mode, ends)
      results.push({
        name: `relay CPU per copy (${mode}${tag})`,
        value: median,
        unit: 'µs/copy',
        note: `${RECIPIENTS} legs over in-memory connections, ${MESSAGES} messages of ${BODY.length} B per round, ${scope}; median of ${ROUNDS} rounds, ${low.toFixed(2)}–${high.toFixed(2)}`,
      })
      results.push({ name: `relay / minimal switch, CPU per copy (${mode}${tag})`, value: median / ceiling.median, unit: 'ratio', note: mode === 'confirmed' ? 'goal ≤ 2' : '' })
    }
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit} (${r.note})`)
}
