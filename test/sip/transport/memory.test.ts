import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createMemoryNetwork, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { connectionSuite } from './connection-suite.ts'
import { nextEvent, sipRequest } from './helpers.ts'

connectionSuite('memory', async ({ keepalive }) => {
  const network = createMemoryNetwork()
  const server = network.createTransport({ host: 'server.test', port: 5060 })
  await server.listen()
  const client = network.createTransport({ host: 'client.test', keepalive: keepalive ?? false })
  return { server, client, target: server.localAddress() }
})

test('memory: delivery is asynchronous and the bytes are a copy', async () => {
  const network = createMemoryNetwork()
  const server = network.createTransport({ host: 'server.test' })
  const client = network.createTransport({ host: 'client.test' })
  await server.listen()
  let delivered = false
  const arrived = nextEvent<[Buffer, MessageMeta]>(server, 'message').then((args) => { delivered = true; return args })
  const bytes = sipRequest('abc')
  await client.send(bytes, { host: 'server.test', port: 5060 })
  bytes.fill(0)
  assert.equal(delivered, false)
  const [got, meta] = await arrived
  assert.deepEqual(got, sipRequest('abc'))
  assert.equal(meta.protocol, 'memory')
  assert.equal(meta.remote.address, 'client.test')
  assert.equal(network.delivered, 1)
  await client.close()
  await server.close()
})

test('memory: nothing listening means a typed connect failure', async () => {
  const network = createMemoryNetwork()
  const client = network.createTransport()
  await assert.rejects(client.send(sipRequest(), { host: 'nobody.test', port: 5060 }), { code: 'SIP_TRANSPORT_CONNECT_FAILED' })
  await client.close()
})

test('memory: a partition loses traffic and blocks new connections until healed', async () => {
  const network = createMemoryNetwork()
  const server = network.createTransport({ host: 'server.test' })
  const client = network.createTransport({ host: 'client.test' })
  await server.listen()
  const first = nextEvent(server, 'message')
  await client.send(sipRequest('1'), { host: 'server.test', port: 5060 })
  await first
  network.partition('client.test', 'server.test')
  const seen: Buffer[] = []
  server.on('message', (b) => seen.push(b))
  await client.send(sipRequest('lost'), { host: 'server.test', port: 5060 })
  await new Promise((resolve) => setImmediate(resolve)) // one delivery turn
  assert.equal(network.dropped, 1)
  const other = network.createTransport({ host: 'client.test', port: 5070 })
  await assert.rejects(other.send(sipRequest(), { host: 'server.test', port: 5060 }), { code: 'SIP_TRANSPORT_CONNECT_FAILED' })
  network.heal()
  const after = nextEvent<[Buffer]>(server, 'message')
  await client.send(sipRequest('after'), { host: 'server.test', port: 5060 })
  assert.deepEqual((await after)[0], sipRequest('after'))
  assert.deepEqual(seen, [sipRequest('after')])
  await other.close()
  await client.close()
  await server.close()
})

test('memory: the drop filter loses chosen messages; closeConnection faults both ends', async () => {
  const network = createMemoryNetwork()
  const server = network.createTransport({ host: 'server.test' })
  const client = network.createTransport({ host: 'client.test' })
  await server.listen()
  network.setDropFilter((bytes) => bytes.includes('drop-me'))
  const arrived = nextEvent<[Buffer, MessageMeta]>(server, 'message')
  await client.send(sipRequest('drop-me'), { host: 'server.test', port: 5060 })
  await client.send(sipRequest('keep'), { host: 'server.test', port: 5060 })
  const [bytes, meta] = await arrived
  assert.deepEqual(bytes, sipRequest('keep'))
  assert.equal(network.dropped, 1)
  network.setDropFilter(undefined)
  const serverClosed = nextEvent<[string, string]>(server, 'connection-closed')
  const clientClosed = nextEvent<[string, string]>(client, 'connection-closed')
  assert.equal(network.closeConnection(meta.connectionId!), true)
  assert.deepEqual(await serverClosed, [meta.connectionId, 'fault', undefined])
  assert.equal((await clientClosed)[1], 'fault')
  assert.equal(network.closeConnection('memory-999999'), false)
  await client.close()
  await server.close()
})

test('memory: two endpoints cannot listen on one address', async () => {
  const network = createMemoryNetwork()
  const a = network.createTransport({ host: 'same.test' })
  const b = network.createTransport({ host: 'same.test' })
  await a.listen()
  await assert.rejects(b.listen(), /already in use/)
  await a.close()
  await b.listen() // free again after close
  await b.close()
})

test('memory: a write to a connection whose peer has closed rejects at once, like a TCP reset, and the writer sees the close', async () => {
  const network = createMemoryNetwork()
  const server = network.createTransport({ host: 'server.test' })
  const client = network.createTransport({ host: 'client.test' })
  await server.listen()
  const arrived = nextEvent<[Buffer, MessageMeta]>(server, 'message')
  await client.send(sipRequest('first'), { host: 'server.test', port: 5060 })
  const [, meta] = await arrived
  const clientClosed = nextEvent<[string, string]>(client, 'connection-closed')
  // The server hangs up; the client writes before it has heard of it (same tick): the bytes
  // must not vanish silently (a transaction would wait 64*T1), the write fails.
  server.closeConnection(meta.connectionId!)
  await assert.rejects(client.send(sipRequest('second'), { host: 'server.test', port: 5060 }), { code: 'SIP_TRANSPORT_SEND_FAILED' })
  const [, reason] = await clientClosed
  assert.equal(reason, 'remote')
  assert.deepEqual(client.connectionIds(), [])
  await client.close()
  await server.close()
})
