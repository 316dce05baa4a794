import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TcpTransport, TransportSet, UdpTransport, createMemoryNetwork, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { nextEvent, sipRequest } from './helpers.ts'

test('TransportSet picks by transport parameter, connection id, or UDP by default', async () => {
  const server = new TransportSet([new UdpTransport(), new TcpTransport()])
  const client = new TransportSet([new UdpTransport(), new TcpTransport()])
  await server.listen()
  await client.listen()
  try {
    const udpPort = server.localAddress('udp').port
    const tcpPort = server.localAddress('tcp').port
    const viaUdp = nextEvent<[Buffer, MessageMeta]>(server, 'message')
    await client.send(sipRequest('u'), { host: '127.0.0.1', port: udpPort })
    assert.equal((await viaUdp)[1].protocol, 'udp')
    const viaTcp = nextEvent<[Buffer, MessageMeta]>(server, 'message')
    await client.send(sipRequest('t'), { host: '127.0.0.1', port: tcpPort, transport: 'TCP' })
    const [, meta] = await viaTcp
    assert.equal(meta.protocol, 'tcp')
    // A reply by connection id alone finds the TCP transport.
    assert.equal(server.pick({ connectionId: meta.connectionId }).protocol, 'tcp')
    const reply = nextEvent<[Buffer, MessageMeta]>(client, 'message')
    await server.send(sipRequest('r'), { host: meta.remote.address, port: meta.remote.port, connectionId: meta.connectionId })
    assert.equal((await reply)[1].protocol, 'tcp')
    await assert.rejects(client.send(sipRequest(), { host: '127.0.0.1', port: 1, transport: 'sctp' }), { code: 'SIP_TRANSPORT_UNSUPPORTED' })
    assert.throws(() => client.add(new UdpTransport()), { code: 'SIP_TRANSPORT_UNSUPPORTED' })
  } finally {
    await client.close()
    await server.close()
  }
})

test('TransportSet forwards connection events', async () => {
  const network = createMemoryNetwork()
  const server = new TransportSet([network.createTransport({ host: 's.test' })])
  const client = new TransportSet([network.createTransport({ host: 'c.test' })])
  await server.listen()
  const opened = nextEvent<[string]>(server, 'connection-opened')
  await client.send(sipRequest(), { host: 's.test', port: 5060 })
  const [id] = await opened
  const closed = nextEvent<[string, string]>(server, 'connection-closed')
  network.closeConnection(id)
  assert.deepEqual((await closed).slice(0, 2), [id, 'fault'])
  await client.close()
  await server.close()
})
