/**
 * The client side of mixer-fanout.bench.ts and fanout-wire.bench.ts, run in a child process so
 * the server under test has its process (and core) to itself. Driven over IPC:
 *
 * - `{ cmd: 'join', host, port, room, count, ownSip? }`: `count` participants join `room` (one
 *   MSRP TCP connection each; SIP over one shared TCP connection, or with `ownSip` one SIP
 *   endpoint and TCP connection per participant); answers `{ joined }`.
 * - `{ cmd: 'fanout', senders, perSender, window? }`: the first `senders` participants each send
 *   `perSender` public messages, each sender keeping up to `window` (default 1) unanswered;
 *   answers once every copy arrived (or `settleMs` after the last answer) with a {@link FanoutReport}.
 * - `{ cmd: 'paced', senders, ratePerSender, seconds }`: the first `senders` participants each
 *   send `ratePerSender` messages per second for `seconds`, on a schedule (not waiting for
 *   answers); answers likewise.
 * - `{ cmd: 'raw', port, receivers, expectedBytes }`: opens `receivers` plain sockets to `port`,
 *   answers `{ connected }`, and `{ rawDone }` once each has read `expectedBytes`.
 * - `{ cmd: 'close' }`: closes everything and exits.
 *
 * Every message body carries its send time, sender and sequence number, so each recipient's
 * copies are checked: lost, duplicated and out-of-order (per sender) copies are counted.
 */
import { setMaxListeners } from 'node:events'
import { connect, type Socket } from 'node:net'
import { buildCpim } from '../../src/cpim/builder.ts'
import { MsrpSession, generateSessionId } from '../../src/msrp/session.ts'
import { dialMsrp } from '../../src/msrp/node-dial.ts'
import { parseMsrpSdp } from '../../src/sdp/parse.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { sourceOf, transportSetPort } from '../../src/sip/core/transport-adapter.ts'
import { UserAgentCore } from '../../src/sip/core/user-agent-core.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import type { Destination } from '../../src/sip/transaction/transport-port.ts'
import { TcpTransport } from '../../src/sip/transport/tcp.ts'
import { TransportSet } from '../../src/sip/transport/transport-set.ts'

type Command =
  | { cmd: 'join'; host: string; port: number; room: string; domain: string; count: number; ownSip?: boolean }
  | { cmd: 'fanout'; senders: number; perSender: number; window?: number; settleMs?: number }
  | { cmd: 'paced'; senders: number; ratePerSender: number; seconds: number; settleMs?: number }
  | { cmd: 'raw'; port: number; receivers: number; expectedBytes: number }
  | { cmd: 'close' }

/** What a `fanout` or `paced` run answers. */
export interface FanoutReport {
  /** Copies received (each recipient's first copy of each message). */
  readonly deliveries: number
  /** Copies expected: messages × (participants − 1). */
  readonly expected: number
  /**
   * Expected copies that never arrived; copies received twice or more (or not expected at all,
   * e.g. a sender's own message); copies older than one already received from the same sender.
   */
  readonly lost: number
  readonly duplicated: number
  readonly reordered: number
  /** Sends that failed (their error's message counted, the first one kept). */
  readonly sendErrors: number
  readonly firstSendError?: string
  /** From the first send to the last copy, ms. */
  readonly elapsedMs: number
  /** Send → message event at the recipient, ms. */
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** The most a paced send was late on its schedule, ms (0 when unpaced). */
  readonly maxLateMs: number
  readonly payloadBytes: number
  /** This process's CPU time / elapsed, in cores. */
  readonly clientBusy: number
}

// Each unanswered send listens on its session's abort signal; thousands may be pending here.
setMaxListeners(0)

const reply = (message: object): void => {
  process.send?.(message)
}

/** One SIP endpoint (its own TCP listener and connections) and its user agent core. */
interface SipEndpoint {
  readonly set: TransportSet
  readonly core: UserAgentCore
}

const endpoints: SipEndpoint[] = []
const sessions: MsrpSession[] = []
const rawSockets: Socket[] = []
let domain = 'bench.test'
let room = ''
let onDelivery: ((recipient: number, body: Buffer, now: number) => void) | undefined

async function sipEndpoint(): Promise<SipEndpoint> {
  const set = new TransportSet([new TcpTransport({ host: '127.0.0.1', port: 0, idleTimeoutMs: 0 })])
  await set.listen()
  const core = new UserAgentCore({ port: transportSetPort(set) })
  set.on('message', (bytes, meta) => core.receiveBytes(bytes, sourceOf(meta), false))
  core.onRequest((incoming) => {
    if (incoming.method !== 'ACK') incoming.respond(200)
  })
  const endpoint = { set, core }
  endpoints.push(endpoint)
  return endpoint
}

async function joinOne(c: Extract<Command, { cmd: 'join' }>, index: number, endpoint: SipEndpoint): Promise<MsrpSession> {
  const { core: ua, set } = endpoint
  const server: Destination = { host: c.host, port: c.port, transport: 'TCP' }
  const user = `user${index}`
  const localUri = `msrp://127.0.0.1:2855/${generateSessionId()};tcp`
  const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'active' })
  const request = ua.createRequest('INVITE', c.room, {
    from: `<sip:${user}@${c.domain}>`,
    headers: [['Contact', `<sip:${user}@127.0.0.1:${set.localAddress('tcp').port};transport=tcp>`]],
    body: offer,
    contentType: 'application/sdp',
  })
  const response = await ua.sendRequest(request, { destination: server })
  if (response.status !== 200) throw new Error(`join of ${user} refused: ${response.status}`)
  const dialog = ua.createUacDialog(request, response)
  await ua.sendAck(dialog.createAck(readCSeq(request.headers).seq), server)
  const path = parseMsrpSdp(response.body.toString('utf8')).media[0]!.path
  // Paced senders keep many messages in flight: do not queue them behind the default 16.
  const session = await MsrpSession.connect({ localUri, remotePath: path.join(' '), dial: dialMsrp, maxPendingSends: 100_000 })
  session.on('message', (m) => onDelivery?.(index, m.body, performance.now()))
  return session
}

async function join(c: Extract<Command, { cmd: 'join' }>): Promise<void> {
  domain = c.domain
  room = c.room
  const shared = c.ownSip === true ? undefined : (endpoints[0] ?? (await sipEndpoint()))
  const batch = 100
  for (let i = 0; i < c.count; i += batch) {
    const first = sessions.length
    const joined = await Promise.all(Array.from({ length: Math.min(batch, c.count - i) }, async (_, k) => joinOne(c, first + k, shared ?? (await sipEndpoint()))))
    sessions.push(...joined)
  }
  reply({ joined: sessions.length })
}

function payload(sender: number, seq: number, sentAt: number): Buffer {
  return buildCpim({
    from: { uri: `sip:user${sender}@${domain}` },
    to: [{ uri: room }],
    contentType: 'text/plain;charset=UTF-8',
    // Padded to a fixed length, so every message has the same size (200 bytes of CPIM).
    body: `${sentAt.toFixed(3)} ${sender} ${seq} hello everybody, this is a chat line of ordinary length for the benchmark`.padEnd(98),
  })
}

/**
 * Counts every recipient's copies of `senders × perSender` messages: lost, duplicated,
 * reordered, latencies. `finished` resolves once every expected copy arrived.
 */
function tracker(senders: number, perSender: number): { finished: Promise<void>; report(elapsedMs: number, extra: { sendErrors: number; firstSendError?: string; maxLateMs: number; clientBusy: number }): FanoutReport } {
  const participants = sessions.length
  const expected = senders * perSender * (participants - 1)
  const seen = new Uint8Array(participants * senders * perSender)
  const last = new Int32Array(participants * senders).fill(-1)
  const latencies = new Float64Array(expected)
  let delivered = 0
  let duplicated = 0
  let reordered = 0
  let stray = 0
  let resolve: () => void = () => undefined
  const finished = new Promise<void>((r) => (resolve = r))
  onDelivery = (recipient, body, now) => {
    // The send time, sender and sequence number lead the CPIM body (after the last blank line).
    const at = body.lastIndexOf('\r\n\r\n') + 4
    const [time, sender, seq] = body.toString('latin1', at, at + 40).split(' ', 3).map(Number) as [number, number, number]
    if (!(sender >= 0 && sender < senders && seq >= 0 && seq < perSender) || sender === recipient) {
      stray++
      return
    }
    const slot = (recipient * senders + sender) * perSender + seq
    if (seen[slot]! > 0) {
      duplicated++
      return
    }
    seen[slot] = 1
    if (seq < last[recipient * senders + sender]!) reordered++
    else last[recipient * senders + sender] = seq
    latencies[delivered++] = now - time
    if (delivered === expected) resolve()
  }
  const report: ReturnType<typeof tracker>['report'] = (elapsedMs, extra) => {
    onDelivery = undefined
    const sorted = latencies.subarray(0, delivered).sort()
    const pct = (p: number): number => (delivered === 0 ? Number.NaN : sorted[Math.min(delivered - 1, Math.floor((p / 100) * delivered))]!)
    return { deliveries: delivered, expected, lost: expected - delivered, duplicated: duplicated + stray, reordered, elapsedMs, p50: pct(50), p99: pct(99), max: pct(100), payloadBytes: payload(0, 0, performance.now()).length, ...extra }
  }
  return { finished, report }
}

/** Waits for every copy, or `settleMs` after the sends settled when some never come. */
async function settle(finished: Promise<void>, sends: Promise<unknown>, settleMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([finished, sends.then(() => new Promise<void>((r) => (timer = setTimeout(r, settleMs))))])
  clearTimeout(timer)
}

async function fanout(c: Extract<Command, { cmd: 'fanout' }>): Promise<void> {
  const { finished, report } = tracker(c.senders, c.perSender)
  let sendErrors = 0
  let firstSendError: string | undefined
  const start = performance.now()
  const cpu0 = process.cpuUsage()
  const window = Math.max(1, c.window ?? 1)
  const sends = Promise.all(
    Array.from({ length: c.senders }, async (_, s) => {
      // Up to `window` messages of this sender in flight; a new one goes as soon as one is answered.
      const inFlight = new Set<Promise<void>>()
      for (let n = 0; n < c.perSender; n++) {
        if (inFlight.size >= window) await Promise.race(inFlight)
        const sending: Promise<void> = sessions[s]!.send({ contentType: 'message/cpim', body: payload(s, n, performance.now()) }).then(
          () => void inFlight.delete(sending),
          (error: Error) => {
            inFlight.delete(sending)
            sendErrors++
            firstSendError ??= error.message
          },
        )
        inFlight.add(sending)
      }
      await Promise.all(inFlight)
    }),
  )
  await settle(finished, sends, c.settleMs ?? 10_000)
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  reply({ report: report(elapsedMs, { sendErrors, ...(firstSendError === undefined ? {} : { firstSendError }), maxLateMs: 0, clientBusy: (cpu.user + cpu.system) / 1000 / elapsedMs }) })
}

async function paced(c: Extract<Command, { cmd: 'paced' }>): Promise<void> {
  const perSender = Math.round(c.ratePerSender * c.seconds)
  const { finished, report } = tracker(c.senders, perSender)
  const intervalMs = 1000 / c.ratePerSender
  let sendErrors = 0
  let firstSendError: string | undefined
  let maxLateMs = 0
  const pending: Array<Promise<unknown>> = []
  const start = performance.now()
  const cpu0 = process.cpuUsage()
  // Sender s sends message n at start + (n + s / senders) × interval (senders spread over the interval).
  const sent = new Int32Array(c.senders)
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now()
      let left = 0
      for (let s = 0; s < c.senders; s++) {
        for (let n = sent[s]!; n < perSender; n = ++sent[s]!) {
          const due = start + (n + s / c.senders) * intervalMs
          if (due > now) break
          maxLateMs = Math.max(maxLateMs, now - due)
          const sending = sessions[s]!.send({ contentType: 'message/cpim', body: payload(s, n, performance.now()) }).catch((error: Error) => {
            sendErrors++
            firstSendError ??= error.message
          })
          pending.push(sending)
        }
        left += perSender - sent[s]!
      }
      if (left === 0) resolve()
      else setTimeout(tick, 1)
    }
    tick()
  })
  await settle(finished, Promise.all(pending), c.settleMs ?? 10_000)
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  reply({ report: report(elapsedMs, { sendErrors, ...(firstSendError === undefined ? {} : { firstSendError }), maxLateMs, clientBusy: (cpu.user + cpu.system) / 1000 / elapsedMs }) })
}

async function raw(c: Extract<Command, { cmd: 'raw' }>): Promise<void> {
  let finished = 0
  for (let i = 0; i < c.receivers; i++) {
    const socket = connect({ host: '127.0.0.1', port: c.port })
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    let got = 0
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length
      if (got === c.expectedBytes && ++finished === c.receivers) reply({ rawDone: true })
    })
    rawSockets.push(socket)
  }
  reply({ connected: rawSockets.length })
}

async function close(): Promise<void> {
  for (const s of rawSockets) s.destroy()
  await Promise.all(sessions.map((s) => s.close()))
  for (const { core, set } of endpoints) {
    core.close()
    await set.close()
  }
  process.exit(0)
}

process.on('message', (message: Command) => {
  const run = message.cmd === 'join' ? join(message) : message.cmd === 'fanout' ? fanout(message) : message.cmd === 'paced' ? paced(message) : message.cmd === 'raw' ? raw(message) : close()
  run.catch((error: unknown) => reply({ error: error instanceof Error ? error.stack ?? error.message : String(error) }))
})
// The benchmark went away (crashed or killed): do not linger with open sockets.
process.on('disconnect', () => process.exit(0))
reply({ ready: true })
