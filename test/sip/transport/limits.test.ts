/**
 * Connection caps and the incomplete-message timeout of the connection transports (TCP, TLS,
 * WebSocket): one address cannot hold every connection, and a peer that sends one byte every
 * few seconds cannot keep a partial SIP header alive (the idle timeout alone restarts on each byte).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { WebSocket } from 'ws'
import { connect as tlsConnect } from 'node:tls'
import { TcpTransport, TlsTransport, WsTransport } from '../../../src/sip/transport/index.ts'
import { nextEvent, selfSignedCert, sipRequest } from './helpers.ts'

function rawClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

test('TCP: maxConnectionsPerSource refuses a third connection from one address; a close frees its slot', async () => {
  const server = new TcpTransport({ maxConnectionsPerSource: 2 })
  await server.listen()
  const { port } = server.localAddress()
  const sockets: Socket[] = []
  try {
    for (let i = 0; i < 2; i++) {
      const opened = nextEvent(server, 'connection-opened')
      sockets.push(await rawClient(port))
      await opened
    }
    const third = await rawClient(port)
    sockets.push(third)
    await once(third, 'close')
    assert.equal(server.connectionIds().length, 2)
    assert.equal(server.refusedConnections, 1)
    const closed = nextEvent(server, 'connection-closed')
    sockets[0]!.destroy()
    await closed
    const opened = nextEvent(server, 'connection-opened')
    const again = await rawClient(port)
    sockets.push(again)
    await opened
    assert.equal(server.connectionIds().length, 2)
  } finally {
    for (const s of sockets) s.destroy()
    await server.close()
  }
})

test('TCP: maxConnections caps the total whatever the source', async () => {
  const server = new TcpTransport({ maxConnections: 1, maxConnectionsPerSource: 100 })
  await server.listen()
  const { port } = server.localAddress()
  const opened = nextEvent(server, 'connection-opened')
  const first = await rawClient(port)
  try {
    await opened
    const second = await rawClient(port)
    await once(second, 'close')
    assert.equal(server.refusedConnections, 1)
  } finally {
    first.destroy()
    await server.close()
  }
})

test('TCP: a partial header trickled one byte at a time is closed after messageTimeoutMs (reason message-timeout)', async () => {
  const server = new TcpTransport({ messageTimeoutMs: 300, idleTimeoutMs: 60_000 })
  await server.listen()
  const socket = await rawClient(server.localAddress().port)
  const header = 'INVITE sip:room@example.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\n'
  let i = 0
  // A byte every 50 ms: the idle timeout would never fire.
  const drip = setInterval(() => socket.write(header[i++ % header.length]!), 50)
  try {
    const [, reason, error] = await nextEvent<[string, string, { code?: string } | undefined]>(server, 'connection-closed')
    assert.equal(reason, 'message-timeout')
    assert.equal(error?.code, 'SIP_MESSAGE_TIMEOUT')
  } finally {
    clearInterval(drip)
    socket.destroy()
    await server.close()
  }
})

test('TCP: complete messages keep a connection open past messageTimeoutMs', async () => {
  const server = new TcpTransport({ messageTimeoutMs: 200 })
  await server.listen()
  const socket = await rawClient(server.localAddress().port)
  try {
    let closed = false
    server.on('connection-closed', () => { closed = true })
    for (let n = 0; n < 5; n++) {
      const got = nextEvent(server, 'message')
      const one = sipRequest(`m${n}`, `c${n}@test`)
      socket.write(one.subarray(0, 20)) // each message arrives in two reads
      await new Promise((r) => setTimeout(r, 60))
      socket.write(one.subarray(20))
      await got
    }
    assert.equal(closed, false)
  } finally {
    socket.destroy()
    await server.close()
  }
})

test('WS: maxConnectionsPerSource refuses a WebSocket beyond the cap', async () => {
  const server = new WsTransport({ maxConnectionsPerSource: 1 })
  await server.listen()
  const { port } = server.localAddress()
  const first = new WebSocket(`ws://127.0.0.1:${port}/`, 'sip')
  try {
    await Promise.all([once(first, 'open'), nextEvent(server, 'connection-opened')])
    const second = new WebSocket(`ws://127.0.0.1:${port}/`, 'sip')
    second.on('error', () => undefined)
    await once(second, 'close')
    assert.equal(server.refusedConnections, 1)
    assert.equal(server.connectionIds().length, 1)
  } finally {
    first.close()
    await server.close()
  }
})

test('WS: a connection silent for idleTimeoutMs is closed (reason idle)', async () => {
  const server = new WsTransport({ idleTimeoutMs: 200 })
  await server.listen()
  const { port } = server.localAddress()
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, 'sip')
  try {
    const closed = nextEvent<[string, string]>(server, 'connection-closed')
    await once(client, 'open')
    assert.equal((await closed)[1], 'idle')
  } finally {
    client.terminate()
    await server.close()
  }
})

test('TLS: maxConnectionsPerSource refuses a second TLS connection from one address', async () => {
  const { cert, key } = selfSignedCert()
  const server = new TlsTransport({ cert, key, maxConnectionsPerSource: 1 })
  await server.listen()
  const { port } = server.localAddress()
  const open = (): ReturnType<typeof tlsConnect> => tlsConnect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' })
  const opened = nextEvent(server, 'connection-opened')
  const first = open()
  first.on('error', () => undefined)
  try {
    await Promise.all([once(first, 'secureConnect'), opened])
    const second = open()
    second.on('error', () => undefined)
    await once(second, 'close')
    assert.equal(server.refusedConnections, 1)
    assert.equal(server.connectionIds().length, 1)
  } finally {
    first.destroy()
    await server.close()
  }
})
