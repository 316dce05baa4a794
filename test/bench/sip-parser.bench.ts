/**
 * SIP parser throughput: a typical ~900-byte INVITE with SDP, parsed and read as a transaction
 * layer would (top Via branch, CSeq, Call-ID, From tag). Baseline in the same run: a scan-only
 * pass over the same bytes (indexOf CRLFCRLF), the ceiling any parser is measured against.
 *
 * Run alone: `npx tsx test/bench/sip-parser.bench.ts`.
 */
import { pathToFileURL } from 'node:url'
import { type BenchResult, opsPerSecond } from './bench-result.ts'
import { parseSipMessage } from '../../src/sip/parser.ts'
import { readTopVia } from '../../src/sip/headers/via.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import { readNameAddrHeader, tagOf } from '../../src/sip/headers/name-addr.ts'

const SDP = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=message 7654 TCP/MSRP *',
  'a=accept-types:message/cpim text/plain',
  'a=path:msrp://198.51.100.7:7654/jshA7weztas;tcp',
  'a=setup:active',
  'a=chatroom:nickname private-messages',
  '',
].join('\r\n')

/** The benchmark message, exported so tests can check it stays representative. */
export const INVITE = Buffer.from(
  [
    'INVITE sip:lobby@chat.example.test SIP/2.0',
    'Via: SIP/2.0/TCP 198.51.100.7:50612;branch=z9hG4bK74bf9a1c2e;rport',
    'Max-Forwards: 70',
    'Route: <sip:proxy.example.test;transport=tcp;lr>',
    'From: "Alice Liddell" <sip:alice@example.test>;tag=9fxced76sl',
    'To: <sip:lobby@chat.example.test>',
    'Call-ID: 3848276298220188511@198.51.100.7',
    'CSeq: 314159 INVITE',
    'Contact: <sip:alice@198.51.100.7:50612;transport=tcp;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
    'Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS, NOTIFY, SUBSCRIBE, UPDATE',
    'Supported: path, gruu, outbound',
    'Accept: application/sdp, message/cpim',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n'),
)

const CRLFCRLF = Buffer.from('\r\n\r\n')
let sink = 0

/** Parses and reads the transaction keys; returns something so the work is not optimized away. */
function parseAndRead(): void {
  const m = parseSipMessage(INVITE)
  const via = readTopVia(m.headers)
  const cseq = readCSeq(m.headers)
  const callId = m.headers.get('Call-ID')
  const from = readNameAddrHeader(m.headers, 'From')
  sink += (via.branch?.length ?? 0) + cseq.seq + (callId?.length ?? 0) + (from ? (tagOf(from)?.length ?? 0) : 0)
}

function scanOnly(): void {
  sink += INVITE.indexOf(CRLFCRLF)
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  const parse = opsPerSecond(parseAndRead, 1500)
  const scan = opsPerSecond(scanOnly, 1000)
  const note = `INVITE with SDP, ${INVITE.length} bytes`
  return [
    { name: 'sip parse INVITE + read Via/CSeq/Call-ID/From tag', value: Math.round(parse), unit: 'msg/s', note },
    { name: 'sip scan-only CRLFCRLF (baseline)', value: Math.round(scan), unit: 'msg/s', note },
    { name: 'sip parse / scan-only', value: (parse / scan) * 100, unit: '%', note: 'share of the scan-only ceiling reached' },
    { name: 'sip parse throughput', value: (parse * INVITE.length) / 1e6, unit: 'MB/s', note },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}${r.note ? ` (${r.note})` : ''}`)
  if (sink === 0.5) console.log(sink)
}
