/**
 * Server lifecycle edges: a start that fails part-way frees what it had opened, and close()
 * keeps the process alive until it is done.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { FakeClock } from '../../src/clock.ts'
import { startChatServer } from '../../src/server/index.ts'
import type { MemoryTransport } from '../../src/sip/transport/memory.ts'
import { TestParticipant } from './participant.ts'

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

function canBindTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.on('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

function canBindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4')
    s.on('error', () => resolve(false))
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

test('a start that fails after SIP and MSRP are listening (bad room) closes them: the ports are free again', async () => {
  const [sipPort, msrpPort] = [await freeTcpPort(), await freeTcpPort()]
  await assert.rejects(
    startChatServer({ domain: 'example.test', rooms: ['sip:'], transport: { kind: 'sockets', host: '127.0.0.1', port: sipPort, msrpPort } }),
    { code: 'MIXER_BAD_ROOM_URI' },
  )
  assert.equal(await canBindTcp(sipPort), true, 'SIP TCP port still bound')
  assert.equal(await canBindUdp(sipPort), true, 'SIP UDP port still bound')
  assert.equal(await canBindTcp(msrpPort), true, 'MSRP port still bound')
})

test('a start whose MSRP port is taken closes its SIP transports before rejecting', async () => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const msrpPort = (blocker.address() as AddressInfo).port
  const sipPort = await freeTcpPort()
  try {
    await assert.rejects(startChatServer({ domain: 'example.test', transport: { kind: 'sockets', host: '127.0.0.1', port: sipPort, msrpPort } }), { code: 'MSRP_LISTEN_FAILED' })
    assert.equal(await canBindTcp(sipPort), true)
    assert.equal(await canBindUdp(sipPort), true)
  } finally {
    await new Promise((resolve) => blocker.close(resolve))
  }
})

// The child: an in-process server whose only participant never answers the BYE, so close()
// waits out its grace period with nothing else alive. It must still finish (print 'closed').
const CHILD = `
import { startChatServer } from ${JSON.stringify(fileURLToPath(new URL('../../src/server/index.ts', import.meta.url)))}
import { TestParticipant } from ${JSON.stringify(fileURLToPath(new URL('./participant.ts', import.meta.url)))}
const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], closeTimeoutMs: 300 })
const mute = await TestParticipant.create(server, 'mute')
await mute.joinOk('lobby')
mute.core.close()
await server.close()
console.log('closed')
`

test('close() keeps the process alive until it is done (a ref\'d grace timer)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(code, 0, err)
  assert.match(out, /closed/)
})

test('a BYE to a participant whose SIP connection just closed fails at once (transport error), not after 64*T1', { timeout: 10_000 }, async () => {
  // The server's clock never moves: a BYE whose bytes vanished would wait for Timer F forever,
  // so deleteRoom() resolving proves the write failed and the transaction ended on it.
  const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], clock: new FakeClock() })
  const gone = await TestParticipant.create(server, 'gone')
  try {
    await gone.joinOk('lobby')
    const transport = gone.set.get('memory') as MemoryTransport
    const [id] = transport.connectionIds()
    // The participant hangs up its SIP connection; in the same tick the room is deleted, so the
    // server writes its BYE before it has heard of the close (as over TCP before the FIN).
    transport.closeConnection(id!)
    assert.equal(await server.deleteRoom('lobby'), true)
    assert.equal(server.room('lobby'), undefined)
  } finally {
    await gone.close()
    await server.close()
  }
})
