import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer, type Socket } from 'node:net'
import { TcpTransport, TransportError, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { connectionSuite } from './connection-suite.ts'
import { FakeTimers, nextEvent, sipRequest } from './helpers.ts'

connectionSuite('TCP', async ({ keepalive }) => {
  const server = new TcpTransport()
  await server.listen()
  const client = new TcpTransport({ keepalive: keepalive ?? false })
  return { server, client, target: server.localAddress() }
})

function rawClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

test('TCP: messages cut across fragments and packed together are framed', async () => {
  const server = new TcpTransport()
  await server.listen()
  const socket = await rawClient(server.localAddress().port)
  try {
    const got: Buffer[] = []
    const three = new Promise<void>((resolve) => server.on('message', (b) => { got.push(b); if (got.length === 3) resolve() }))
    const one = sipRequest('first body')
    for (let i = 0; i < one.length; i += 7) {
      socket.write(one.subarray(i, i + 7))
      await new Promise((r) => setImmediate(r)) // let the server read each fragment on its own
    }
    socket.write(Buffer.concat([Buffer.from('\r\n\r\n'), sipRequest('second'), sipRequest('third')]))
    await three
    assert.deepEqual(got, [one, sipRequest('second'), sipRequest('third')])
  } finally {
    socket.destroy()
    await server.close()
  }
})

test('TCP: an oversized header closes that connection with a typed error, the listener lives on', async () => {
  const server = new TcpTransport({ limits: { maxHeaderBytes: 1024 } })
  await server.listen()
  const socket = await rawClient(server.localAddress().port)
  try {
    const error = nextEvent<[TransportError]>(server, 'error')
    const closed = nextEvent<[string, string]>(server, 'connection-closed')
    const socketClosed = new Promise((resolve) => socket.on('close', resolve))
    socket.on('error', () => undefined)
    socket.write('MESSAGE sip:a@b SIP/2.0\r\nX-Big: ' + 'x'.repeat(4000))
    const [err] = await error
    assert.ok(err instanceof TransportError)
    assert.equal(err.code, 'SIP_STREAM_FRAMING')
    assert.match(err.message, /exceeds 1024/)
    assert.equal((await closed)[1], 'protocol-error')
    await socketClosed
    // A well-behaved client still gets through.
    const client = new TcpTransport()
    const arrived = nextEvent<[Buffer]>(server, 'message')
    await client.send(sipRequest(), { host: '127.0.0.1', port: server.localAddress().port })
    assert.deepEqual((await arrived)[0], sipRequest())
    await client.close()
  } finally {
    socket.destroy()
    await server.close()
  }
})

test('TCP: a message without Content-Length cannot be framed and closes the connection', async () => {
  const server = new TcpTransport()
  await server.listen()
  const socket = await rawClient(server.localAddress().port)
  try {
    const closed = nextEvent<[string, string, TransportError]>(server, 'connection-closed')
    socket.on('error', () => undefined)
    socket.write('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n')
    const [, reason, error] = await closed
    assert.equal(reason, 'protocol-error')
    assert.match(error.message, /Content-Length/)
  } finally {
    socket.destroy()
    await server.close()
  }
})

test('TCP: no pong within the timeout closes the flow with keepalive-timeout', async () => {
  const pings: Buffer[] = []
  let sawPing: () => void = () => undefined
  const pinged = new Promise<void>((resolve) => { sawPing = resolve })
  const sockets: Socket[] = []
  const silent = createServer((socket) => {
    sockets.push(socket)
    socket.on('data', (chunk) => { pings.push(chunk); if (chunk.includes('\r\n\r\n')) sawPing() })
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as { port: number }).port
  const timers = new FakeTimers()
  const client = new TcpTransport({ keepalive: { intervalMs: 90_000, timeoutMs: 10_000, timers } })
  try {
    await client.send(Buffer.from('\r\n'), { host: '127.0.0.1', port }) // opens the flow
    timers.advance(90_000)
    await pinged
    const closed = nextEvent<[string, string, TransportError]>(client, 'connection-closed')
    timers.advance(9_999)
    assert.equal(client.connectionIds().length, 1)
    timers.advance(1)
    const [, reason, error] = await closed
    assert.equal(reason, 'keepalive-timeout')
    assert.equal(error.code, 'SIP_KEEPALIVE_TIMEOUT')
    assert.deepEqual(client.connectionIds(), [])
    assert.equal(timers.pendingCount, 0)
  } finally {
    await client.close()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  }
})

test('TCP: an idle connection is closed after idleTimeoutMs', async () => {
  const server = new TcpTransport({ idleTimeoutMs: 50 })
  await server.listen()
  const client = new TcpTransport({ idleTimeoutMs: 0 })
  try {
    const closed = nextEvent<[string, string]>(server, 'connection-closed')
    const clientClosed = nextEvent<[string, string]>(client, 'connection-closed')
    await client.send(sipRequest(), { host: '127.0.0.1', port: server.localAddress().port })
    assert.equal((await closed)[1], 'idle')
    assert.equal((await clientClosed)[1], 'remote')
  } finally {
    await client.close()
    await server.close()
  }
})

test('TCP: connecting to a closed port rejects with SIP_TRANSPORT_CONNECT_FAILED', async () => {
  const probe = new TcpTransport()
  await probe.listen()
  const { port } = probe.localAddress()
  await probe.close()
  const client = new TcpTransport()
  await assert.rejects(client.send(sipRequest(), { host: '127.0.0.1', port }), (error: unknown) => {
    assert.ok(error instanceof TransportError)
    assert.equal(error.code, 'SIP_TRANSPORT_CONNECT_FAILED')
    return true
  })
  await client.close()
})

test('TCP: meta carries local and remote addresses', async () => {
  const server = new TcpTransport()
  await server.listen()
  const client = new TcpTransport()
  try {
    const arrived = nextEvent<[Buffer, MessageMeta]>(server, 'message')
    await client.send(sipRequest(), { host: '127.0.0.1', port: server.localAddress().port })
    const [, meta] = await arrived
    assert.deepEqual(meta.local, server.localAddress())
    assert.equal(meta.remote.address, '127.0.0.1')
    assert.notEqual(meta.remote.port, 0)
  } finally {
    await client.close()
    await server.close()
  }
})

test('TCP: maxConnections refuses connections beyond the limit', async () => {
  const server = new TcpTransport({ maxConnections: 1 })
  await server.listen()
  const { port } = server.localAddress()
  const first = new TcpTransport()
  const second = new TcpTransport()
  try {
    const arrived = nextEvent(server, 'message')
    await first.send(sipRequest('one'), { host: '127.0.0.1', port })
    await arrived
    const refused = nextEvent<[string, string]>(second, 'connection-closed')
    await second.send(sipRequest('two'), { host: '127.0.0.1', port }).catch(() => undefined)
    assert.equal((await refused)[1], 'remote')
    assert.equal(server.connectionIds().length, 1)
  } finally {
    await first.close()
    await second.close()
    await server.close()
  }
})
