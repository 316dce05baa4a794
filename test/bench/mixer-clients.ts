/**
 * The client side of mixer-fanout.bench.ts, run in a child process so the server under test has
 * its process (and core) to itself. Driven over IPC:
 *
 * - `{ cmd: 'join', host, port, room, count }`: `count` participants join `room` (SIP over one
 *   TCP connection, one MSRP TCP connection each); answers `{ joined }`.
 * - `{ cmd: 'fanout', senders, perSender }`: the first `senders` participants each send
 *   `perSender` public messages one after the other; answers when every copy arrived with
 *   `{ deliveries, elapsedMs, p50, p99, payloadBytes, clientBusy }` (latency: send → message event;
 *   clientBusy: this process's CPU time / elapsed, in cores).
 * - `{ cmd: 'raw', port, receivers, expectedBytes }`: opens `receivers` plain sockets to `port`,
 *   answers `{ connected }`, and `{ rawDone }` once each has read `expectedBytes`.
 * - `{ cmd: 'close' }`: closes everything and exits.
 */
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
  | { cmd: 'join'; host: string; port: number; room: string; domain: string; count: number }
  | { cmd: 'fanout'; senders: number; perSender: number }
  | { cmd: 'raw'; port: number; receivers: number; expectedBytes: number }
  | { cmd: 'close' }

const reply = (message: object): void => {
  process.send?.(message)
}

let set: TransportSet | undefined
let core: UserAgentCore | undefined
const sessions: MsrpSession[] = []
const rawSockets: Socket[] = []
let domain = 'bench.test'
let room = ''
let onDelivery: ((body: Buffer, now: number) => void) | undefined

async function join(c: Extract<Command, { cmd: 'join' }>): Promise<void> {
  domain = c.domain
  room = c.room
  if (set === undefined) {
    set = new TransportSet([new TcpTransport({ host: '127.0.0.1', port: 0, idleTimeoutMs: 0 })])
    await set.listen()
    core = new UserAgentCore({ port: transportSetPort(set) })
    const ua = core
    set.on('message', (bytes, meta) => ua.receiveBytes(bytes, sourceOf(meta), false))
    ua.onRequest((incoming) => {
      if (incoming.method !== 'ACK') incoming.respond(200)
    })
  }
  const ua = core!
  const server: Destination = { host: c.host, port: c.port, transport: 'TCP' }
  const contactPort = set.localAddress('tcp').port
  const batch = 100
  for (let i = 0; i < c.count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, c.count - i) }, async (_, k) => {
        const user = `user${sessions.length + i + k}`
        const localUri = `msrp://127.0.0.1:2855/${generateSessionId()};tcp`
        const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'active' })
        const request = ua.createRequest('INVITE', c.room, {
          from: `<sip:${user}@${c.domain}>`,
          headers: [['Contact', `<sip:${user}@127.0.0.1:${contactPort};transport=tcp>`]],
          body: offer,
          contentType: 'application/sdp',
        })
        const response = await ua.sendRequest(request, { destination: server })
        if (response.status !== 200) throw new Error(`join of ${user} refused: ${response.status}`)
        const dialog = ua.createUacDialog(request, response)
        await ua.sendAck(dialog.createAck(readCSeq(request.headers).seq), server)
        const path = parseMsrpSdp(response.body.toString('utf8')).media[0]!.path
        const session = await MsrpSession.connect({ localUri, remotePath: path.join(' '), dial: dialMsrp })
        session.on('message', (m) => onDelivery?.(m.body, performance.now()))
        return session
      }),
    ).then((joined) => sessions.push(...joined))
  }
  reply({ joined: sessions.length })
}

function payload(sender: number, seq: number, sentAt: number): Buffer {
  return buildCpim({
    from: { uri: `sip:user${sender}@${domain}` },
    to: [{ uri: room }],
    contentType: 'text/plain;charset=UTF-8',
    body: `${sentAt.toFixed(3)} ${seq} hello everybody, this is a chat line of ordinary length for the benchmark`,
  })
}

async function fanout(c: Extract<Command, { cmd: 'fanout' }>): Promise<void> {
  const recipients = sessions.length - 1
  const expected = c.senders * c.perSender * recipients
  const latencies = new Float64Array(expected)
  let delivered = 0
  const done = new Promise<void>((resolve) => {
    onDelivery = (body, now) => {
      // The send time leads the CPIM body (after the last blank line); decode only that part.
      const at = body.lastIndexOf('\r\n\r\n') + 4
      latencies[delivered++] = now - Number.parseFloat(body.toString('latin1', at, at + 24))
      if (delivered === expected) resolve()
    }
  })
  const start = performance.now()
  const cpu0 = process.cpuUsage()
  await Promise.all(
    Array.from({ length: c.senders }, async (_, s) => {
      for (let n = 0; n < c.perSender; n++) await sessions[s]!.send({ contentType: 'message/cpim', body: payload(s, n, performance.now()) })
    }),
  )
  await done
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  onDelivery = undefined
  const sorted = latencies.sort()
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
  reply({ deliveries: delivered, elapsedMs, p50: at(50), p99: at(99), payloadBytes: payload(0, 0, performance.now()).length, clientBusy: (cpu.user + cpu.system) / 1000 / elapsedMs })
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
  core?.close()
  await set?.close()
  process.exit(0)
}

process.on('message', (message: Command) => {
  const run = message.cmd === 'join' ? join(message) : message.cmd === 'fanout' ? fanout(message) : message.cmd === 'raw' ? raw(message) : close()
  run.catch((error: unknown) => reply({ error: error instanceof Error ? error.stack ?? error.message : String(error) }))
})
reply({ ready: true })
