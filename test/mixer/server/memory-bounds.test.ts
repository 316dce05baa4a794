/**
 * Issue 16 item 2, measured from outside: a chat server in a child process is flooded on its
 * MSRP port by many connections that each send a SEND header for an unknown session and then
 * megabytes of body without an end-line (before the fix the parser buffered up to 16 MiB per
 * connection: RSS 120 MB → 1 GB). Now each such connection is closed after a few KiB, and the
 * server's RSS after a GC stays within a small bound of where it started.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./fixtures/server-child.ts', import.meta.url))
const CONNECTIONS = 60
const BODY_PER_CONNECTION = 15.5 * 1024 * 1024
const MiB = 1024 * 1024

interface Report {
  rss: number
  stats?: { msrpConnections: number; msrpReadBufferedBytes: number }
}

let child: ChildProcess
let msrpPort: number
let baseline: number

function ask(message: string): Promise<Report> {
  const reply = once(child, 'message') as Promise<[Report]>
  child.send(message)
  return reply.then(([r]) => r)
}

before(async () => {
  child = fork(CHILD, { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [ready] = (await once(child, 'message')) as [{ msrp: { port: number }; rss: number }]
  msrpPort = ready.msrp.port
  baseline = ready.rss
})

after(async () => {
  child.send('stop')
  await once(child, 'exit')
})

/** One attacker: a SEND header to an unknown session, then body until the server hangs up (or `total` bytes). */
async function flood(index: number, total: number): Promise<{ sent: number; closedByServer: boolean }> {
  const socket: Socket = connect(msrpPort, '127.0.0.1')
  socket.on('error', () => undefined)
  await once(socket, 'connect')
  let closed = false
  const closing = new Promise<void>((resolve) => socket.once('close', () => { closed = true; resolve() }))
  socket.write(`MSRP flood${index} SEND\r\nTo-Path: msrp://127.0.0.1:${msrpPort}/nosuchsession${index};tcp\r\nFrom-Path: msrp://127.0.0.1:9/attacker${index};tcp\r\nMessage-ID: flood-msg-${index}\r\nByte-Range: 1-*/*\r\nContent-Type: text/plain\r\n\r\n`)
  const piece = Buffer.alloc(64 * 1024, 0x41)
  let sent = 0
  while (!closed && sent < total) {
    const ok = socket.write(piece)
    sent += piece.length
    if (!ok) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closing])
  }
  const closedByServer = closed
  socket.destroy()
  await closing
  return { sent, closedByServer }
}

test('60 connections flooding unknown MSRP sessions are cut off after a few KiB; server RSS stays bounded', async (t) => {
  const results = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => flood(i, BODY_PER_CONNECTION)))
  for (const r of results) {
    assert.ok(r.closedByServer, 'the server closed the flooding connection')
    assert.ok(r.sent < BODY_PER_CONNECTION, `the server hung up before the whole body (${r.sent} bytes sent)`)
  }
  const { rss, stats } = await ask('rss')
  const growth = rss - baseline
  t.diagnostic(`server RSS ${(baseline / MiB).toFixed(1)} MiB → ${(rss / MiB).toFixed(1)} MiB after ${CONNECTIONS} flooding connections`)
  assert.ok(growth < 48 * MiB, `server RSS grew by ${(growth / MiB).toFixed(1)} MiB (from ${(baseline / MiB).toFixed(1)} MiB); the bound is 48 MiB`)
  assert.equal(stats!.msrpReadBufferedBytes, 0, 'nothing left counted against the read budget')
  assert.equal(stats!.msrpConnections, 0)
})
