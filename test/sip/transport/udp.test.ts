import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { UdpTransport, TransportError, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { nextEvent, sipRequest } from './helpers.ts'

test('UDP: a datagram arrives whole with its source, and the reply goes back', async () => {
  const a = new UdpTransport()
  const b = new UdpTransport()
  await a.listen()
  await b.listen()
  try {
    assert.equal(a.reliable, false)
    const arrived = nextEvent<[Buffer, MessageMeta]>(b, 'message')
    await a.send(sipRequest('ping'), { host: '127.0.0.1', port: b.localAddress().port })
    const [bytes, meta] = await arrived
    assert.deepEqual(bytes, sipRequest('ping'))
    assert.equal(meta.protocol, 'udp')
    assert.equal(meta.connectionId, undefined)
    assert.deepEqual(meta.remote, a.localAddress())
    const back = nextEvent<[Buffer, MessageMeta]>(a, 'message')
    await b.send(sipRequest('pong'), { host: meta.remote.address, port: meta.remote.port })
    assert.deepEqual((await back)[0], sipRequest('pong'))
  } finally {
    await a.close()
    await b.close()
  }
})

test('UDP: an oversized datagram is dropped with a typed error, and later ones still arrive', async () => {
  const server = new UdpTransport({ maxDatagramBytes: 1000 })
  await server.listen()
  const raw = createSocket('udp4')
  try {
    const error = nextEvent<[TransportError]>(server, 'error')
    const messages: Buffer[] = []
    server.on('message', (bytes) => messages.push(bytes))
    const { port } = server.localAddress()
    raw.send(Buffer.alloc(2000, 0x41), port, '127.0.0.1')
    const [err] = await error
    assert.ok(err instanceof TransportError)
    assert.equal(err.code, 'SIP_DATAGRAM_TOO_LARGE')
    const arrived = nextEvent<[Buffer]>(server, 'message')
    raw.send(Buffer.from('\r\n\r\n'), port, '127.0.0.1') // keepalive: never a message
    raw.send(sipRequest('small'), port, '127.0.0.1')
    assert.deepEqual((await arrived)[0], sipRequest('small'))
    assert.equal(messages.length, 1)
  } finally {
    raw.close()
    await server.close()
  }
})

test('UDP: sending before listen or too large rejects with typed errors', async () => {
  const udp = new UdpTransport({ maxDatagramBytes: 100 })
  await assert.rejects(udp.send(sipRequest(), { host: '127.0.0.1', port: 9 }), { code: 'SIP_TRANSPORT_NOT_LISTENING' })
  assert.throws(() => udp.localAddress(), { code: 'SIP_TRANSPORT_NOT_LISTENING' })
  await udp.listen()
  await assert.rejects(udp.send(Buffer.alloc(101), { host: '127.0.0.1', port: 9 }), { code: 'SIP_DATAGRAM_TOO_LARGE' })
  await udp.close()
  await assert.rejects(udp.send(sipRequest(), { host: '127.0.0.1', port: 9 }), { code: 'SIP_TRANSPORT_CLOSED' })
})
