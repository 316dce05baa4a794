/**
 * MSRP parser throughput: 1 MiB SEND chunks with random binary bodies (MB/s) and small SENDs
 * with ~100-byte bodies (frames/s), each against a scan-only ceiling that only finds the
 * end-lines with Buffer.indexOf over the same reads. The ratio parser/ceiling is the figure to
 * watch (goals: ≥ 0.5 on large chunks, ≥ 0.2 on small SENDs). Also 200 responses (no body), which a focus parses once per
 * copy in confirmed mode.
 *
 * Run alone: `npx tsx test/bench/msrp-parser.bench.ts`.
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { opsPerSecond } from './bench-result.ts'
import { MsrpParser } from '../../src/msrp/parser.ts'
import { serializeFrame } from '../../src/msrp/serializer.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import type { MsrpRequest, MsrpResponse } from '../../src/msrp/message.ts'

const TID = 'Bench0tid123'
const READ = 64 * 1024

function send(i: number, body: Buffer): MsrpRequest {
  return {
    type: 'request',
    method: 'SEND',
    transactionId: TID,
    headers: {
      'To-Path': [parseMsrpUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp')],
      'From-Path': [parseMsrpUri('msrp://alicepc.example.com:7777/iau39soe2843z;tcp')],
      'Message-ID': `msg${i}`,
      'Byte-Range': { start: 1, end: body.length, total: body.length },
      'Content-Type': 'application/octet-stream',
    },
    extensionHeaders: [],
    body,
    continuation: '$',
  }
}

/** A 200 answering a SEND (no body), as a participant returns it for each copy. */
function ok(): MsrpResponse {
  return {
    type: 'response',
    status: 200,
    comment: 'OK',
    transactionId: TID,
    headers: {
      'To-Path': [parseMsrpUri('msrp://alicepc.example.com:7777/iau39soe2843z;tcp')],
      'From-Path': [parseMsrpUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp')],
    },
    extensionHeaders: [],
    continuation: '$',
  }
}

/** The stream cut into transport-sized reads (fresh buffers, as a socket delivers them). */
function reads(frames: Buffer[]): Buffer[] {
  const wire = Buffer.concat(frames)
  const out: Buffer[] = []
  for (let i = 0; i < wire.length; i += READ) out.push(Buffer.from(wire.subarray(i, i + READ)))
  return out
}

function parseAll(data: Buffer[]): number {
  const parser = new MsrpParser({ maxBodyBytes: 2 << 20 })
  let n = 0
  for (const d of data) parser.feed(d, () => n++)
  return n
}

/** The ceiling: find `CRLF -------tid` with Buffer.indexOf in each read, nothing else (it may miss one cut by a read boundary). */
const NEEDLE = Buffer.from(`\r\n-------${TID}`, 'latin1')
function scanAll(data: Buffer[]): number {
  let n = 0
  for (const d of data) for (let i = d.indexOf(NEEDLE); i >= 0; i = d.indexOf(NEEDLE, i + 1)) n++
  return n
}

/** Runs the benchmark and returns its figures. */
export async function run(): Promise<BenchResult[]> {
  const bigCount = 16
  const big = reads(Array.from({ length: bigCount }, (_, i) => serializeFrame(send(i, randomBytes(1 << 20)))))
  const bigBytes = big.reduce((s, b) => s + b.length, 0)
  if (parseAll(big) !== bigCount) throw new Error('large-frame stream did not parse')

  const smallCount = 10_000
  const small = reads(Array.from({ length: smallCount }, (_, i) => serializeFrame(send(i, randomBytes(100)))))
  if (parseAll(small) !== smallCount) throw new Error('small-frame stream did not parse')

  const mb = bigBytes / 1e6
  const parseBig = opsPerSecond(() => parseAll(big), 1500) * mb
  const scanBig = opsPerSecond(() => scanAll(big), 1500) * mb
  const parseSmall = opsPerSecond(() => parseAll(small), 1500) * smallCount
  const scanSmall = opsPerSecond(() => scanAll(small), 1500) * smallCount
  const okCount = 10_000
  const oks = reads(Array.from({ length: okCount }, () => serializeFrame(ok())))
  if (parseAll(oks) !== okCount) throw new Error('200-response stream did not parse')
  const parseOk = opsPerSecond(() => parseAll(oks), 1500) * okCount
  const scanOk = opsPerSecond(() => scanAll(oks), 1500) * okCount

  return [
    { name: 'msrp parse 1 MiB SEND chunks (random body)', value: parseBig, unit: 'MB/s', note: `${bigCount} frames in 64 KiB reads` },
    { name: 'scan-only ceiling, same bytes (Buffer.indexOf)', value: scanBig, unit: 'MB/s' },
    { name: 'parser / ceiling, 1 MiB chunks', value: parseBig / scanBig, unit: 'ratio', note: 'goal ≥ 0.5' },
    { name: 'msrp parse small SENDs (100-byte body)', value: parseSmall, unit: 'frames/s', note: `${smallCount} frames in 64 KiB reads` },
    { name: 'scan-only ceiling, small SENDs', value: scanSmall, unit: 'frames/s' },
    { name: 'parser / ceiling, small SENDs', value: parseSmall / scanSmall, unit: 'ratio', note: 'goal ≥ 0.2, and ≥ 1.5 M frames/s' },
    { name: 'msrp parse 200 responses', value: parseOk, unit: 'frames/s', note: `${okCount} frames in 64 KiB reads (what a focus reads back per copy in confirmed mode)` },
    { name: 'scan-only ceiling, 200 responses', value: scanOk, unit: 'frames/s' },
    { name: 'parser / ceiling, 200 responses', value: parseOk / scanOk, unit: 'ratio' },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name.padEnd(50)} ${r.value.toFixed(2).padStart(14)} ${r.unit}${r.note ? `  (${r.note})` : ''}`)
}
