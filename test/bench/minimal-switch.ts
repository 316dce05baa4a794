/**
 * A minimal MSRP switch in a process of its own: the baseline that fanout-wire.bench.ts
 * compares the chat server with (the goal: the server's CPU per delivery at most twice the switch's).
 *
 * MSRP (loopback TCP, one listener): it parses each frame's start line and end-line; of a SEND
 * it reads the To-Path and From-Path lines and answers 200 at once; a SEND with a body is copied
 * to every other bound connection with the recipient's To-Path/From-Path and a fresh transaction
 * id around the sender's remaining header lines and body, byte for byte. The frames of one
 * event-loop turn (copies and 200s) are gathered into one write per connection, as the chat
 * server's transport gathers them, so the baseline is not slowed by a system call per copy. Responses (the recipients' 200s)
 * are skipped by their end-line. Nothing else: no session, transaction, timer, outcome, report,
 * chunk reassembly, back-pressure or limit. A connection is bound by its first SEND (the empty
 * SEND of RFC 4975 §5.4): its From-Path becomes the To-Path of the copies, its To-Path their
 * From-Path.
 *
 * SIP (loopback TCP, one listener): just enough for the chat clients of mixer-clients.ts to join
 * as they join the chat server: an INVITE is answered 200 with an SDP answer that gives the
 * caller a path of its own on the MSRP listener; ACK is ignored; any other request gets 200.
 * Only the fan-out is measured, so the join's cost does not count.
 *
 * Driven over IPC by its parent: it answers `{ ready, sipPort, msrpPort }` once listening,
 * `{ usage: { cpuMicros, maxRssKiB, bound } }` to `{ cmd: 'usage' }`, and exits on
 * `{ cmd: 'close' }` (or when the parent goes away).
 *
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import { createOffer } from '../../src/sdp/offer-answer.ts'

const CRLF = Buffer.from('\r\n', 'latin1')
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1')
const DASHES = '-------'

/** One MSRP connection: where its copies go and how they are addressed. */
interface Leg {
  readonly socket: Socket
  /** `To-Path: <participant's path>\r\nFrom-Path: <switch's URI for it>\r\n` of its copies, once bound. */
  copyPaths: string | undefined
  /** Frames (copies, 200s) gathered during one event-loop turn, written together at its end. */
  pending: Buffer[]
}

/** The bound connections: every SEND with a body is copied to all of them but its own. */
const legs: Leg[] = []
const touched = new Set<Leg>()
let flushing = false
let tidCounter = 0

function queue(leg: Leg, ...frames: Buffer[]): void {
  leg.pending.push(...frames)
  touched.add(leg)
  if (!flushing) {
    flushing = true
    setImmediate(flush)
  }
}

/** One write per connection per event-loop turn, as the chat server's transport does. */
function flush(): void {
  flushing = false
  for (const leg of touched) {
    if (!leg.socket.destroyed) leg.socket.write(leg.pending.length === 1 ? leg.pending[0]! : Buffer.concat(leg.pending))
    leg.pending = []
  }
  touched.clear()
}

/** Handles every whole frame in `data`; returns the unparsed rest (a frame cut by the read). */
function onFrames(self: Leg, data: Buffer): Buffer {
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at)
    if (lineEnd < 0) break
    // Start line: "MSRP <tid> <method>" or "MSRP <tid> <code> [comment]".
    const sp1 = data.indexOf(0x20, at)
    const sp2 = data.indexOf(0x20, sp1 + 1)
    if (sp1 < 0 || sp2 < 0 || sp2 > lineEnd) throw new Error(`minimal switch: not an MSRP start line: ${data.toString('latin1', at, lineEnd)}`)
    const tid = data.toString('latin1', sp1 + 1, sp2)
    const endLine = data.indexOf(`\r\n${DASHES}${tid}`, lineEnd, 'latin1')
    const frameEnd = endLine + 2 + DASHES.length + tid.length + 3
    if (endLine < 0 || frameEnd > data.length) break
    const isSend = data[sp2 + 1] === 0x53 /* S */ && data.toString('latin1', sp2 + 1, lineEnd) === 'SEND'
    if (isSend) {
      // RFC 4975 §7.1: To-Path is the first header, From-Path the second.
      const toEnd = data.indexOf(CRLF, lineEnd + 2)
      const fromEnd = data.indexOf(CRLF, toEnd + 2)
      const toPath = data.toString('latin1', lineEnd + 2 + 'To-Path: '.length, toEnd)
      const fromPath = data.toString('latin1', toEnd + 2 + 'From-Path: '.length, fromEnd)
      if (self.copyPaths === undefined) {
        self.copyPaths = `To-Path: ${fromPath}\r\nFrom-Path: ${toPath}\r\n`
        legs.push(self)
      }
      queue(self, Buffer.from(`MSRP ${tid} 200 OK\r\nTo-Path: ${fromPath}\r\nFrom-Path: ${toPath}\r\n${DASHES}${tid}$\r\n`, 'latin1'))
      const blank = data.indexOf(HEADER_END, fromEnd)
      if (blank >= 0 && blank < endLine) {
        // Header lines after From-Path, the blank line and the body, up to the end-line's CRLF.
        const rest = data.subarray(fromEnd + 2, endLine + 2)
        const flag = String.fromCharCode(data[frameEnd - 3]!)
        for (const leg of legs) {
          if (leg === self) continue
          const copyTid = `sw${(tidCounter++).toString(36).padStart(8, '0')}`
          queue(leg, Buffer.from(`MSRP ${copyTid} SEND\r\n${leg.copyPaths}`, 'latin1'), rest, Buffer.from(`${DASHES}${copyTid}${flag}\r\n`, 'latin1'))
        }
      }
    }
    at = frameEnd
  }
  return at === data.length ? Buffer.alloc(0) : data.subarray(at)
}

function acceptMsrp(socket: Socket): void {
  socket.setNoDelay(true)
  const self: Leg = { socket, copyPaths: undefined, pending: [] }
  let rest: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    rest = onFrames(self, rest.length === 0 ? chunk : Buffer.concat([rest, chunk]))
    // A cut frame is kept until the rest arrives; copy it so the read buffer can go.
    if (rest.length > 0) rest = Buffer.from(rest)
  })
  socket.on('error', () => undefined)
  socket.on('close', () => {
    const i = legs.indexOf(self)
    if (i >= 0) legs.splice(i, 1)
  })
}

/** SIP header names the clients may use, compact forms mapped to full ones. */
const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', l: 'content-length' }

let sessionCounter = 0

function acceptSip(socket: Socket, msrpPort: number): void {
  let buffered = ''
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1')
    for (;;) {
      const headEnd = buffered.indexOf('\r\n\r\n')
      if (headEnd < 0) return
      const lines = buffered.slice(0, headEnd).split('\r\n')
      const headers = lines.slice(1).map((line) => {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon).trim().toLowerCase()
        return { name: COMPACT[name] ?? name, line, value: line.slice(colon + 1).trim() }
      })
      const length = Number(headers.find((h) => h.name === 'content-length')?.value ?? 0)
      if (buffered.length < headEnd + 4 + length) return
      buffered = buffered.slice(headEnd + 4 + length)
      const method = lines[0]!.split(' ')[0]!
      if (method === 'ACK' || lines[0]!.startsWith('SIP/')) continue
      const copied = headers.filter((h) => h.name === 'via' || h.name === 'from' || h.name === 'call-id' || h.name === 'cseq').map((h) => h.line)
      const to = headers.find((h) => h.name === 'to')!.value
      let body = ''
      if (method === 'INVITE') {
        const id = `sw${(sessionCounter++).toString(36)}x${process.pid}`
        body = createOffer({ path: [`msrp://127.0.0.1:${msrpPort}/${id};tcp`], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'passive' })
      }
      const response = [
        'SIP/2.0 200 OK',
        ...copied,
        `To: ${to}${to.includes(';tag=') ? '' : `;tag=sw${sessionCounter}`}`,
        `Contact: <sip:switch@127.0.0.1:${(socket.address() as { port: number }).port};transport=tcp>`,
        ...(body === '' ? [] : ['Content-Type: application/sdp']),
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n')
      socket.write(response, 'latin1')
    }
  })
  socket.on('error', () => undefined)
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as { port: number }).port
}

const msrp = createServer(acceptMsrp)
const msrpPort = await listen(msrp)
const sip = createServer((socket) => acceptSip(socket, msrpPort))
const sipPort = await listen(sip)

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'usage') {
    const cpu = process.cpuUsage()
    process.send?.({ usage: { cpuMicros: cpu.user + cpu.system, maxRssKiB: process.resourceUsage().maxRSS, bound: legs.length } })
  } else if (message.cmd === 'close') {
    process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true, sipPort, msrpPort })
