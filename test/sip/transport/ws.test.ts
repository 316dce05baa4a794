import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket } from 'ws'
import { WsTransport, TransportError, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { connectionSuite } from './connection-suite.ts'
import { nextEvent, selfSignedCert, sipRequest } from './helpers.ts'

connectionSuite('WS', async ({ keepalive }) => {
  const server = new WsTransport()
  await server.listen()
  const client = new WsTransport({ keepalive: keepalive ?? false })
  return { server, client, target: server.localAddress() }
})

const { cert, key } = selfSignedCert()

connectionSuite('WSS', async ({ keepalive }) => {
  const server = new WsTransport({ secure: true, cert, key })
  await server.listen()
  const client = new WsTransport({ secure: true, ca: cert, keepalive: keepalive ?? false })
  return { server, client, target: server.localAddress() }
})

function openRaw(port: number, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocols)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

test('WS: each WebSocket message is one SIP message; text and binary frames both work', async () => {
  const server = new WsTransport()
  await server.listen()
  const ws = await openRaw(server.localAddress().port, ['sip'])
  try {
    assert.equal(ws.protocol, 'sip')
    const got: Array<[Buffer, MessageMeta]> = []
    const two = new Promise<void>((resolve) => server.on('message', (b, m) => { got.push([b, m]); if (got.length === 2) resolve() }))
    ws.send(sipRequest('text').toString('utf8'))
    ws.send('\r\n\r\n') // a SIP.js-style ping: answered, never a message
    ws.send(Buffer.concat([sipRequest('bin').subarray(0, -3), Buffer.from([0xff, 0xfe, 0x00])]), { binary: true })
    const pong = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))))
    await two
    assert.equal(await pong, '\r\n')
    assert.deepEqual(got[0]![0], sipRequest('text'))
    assert.equal(got[1]![0].at(-2), 0xfe)
    assert.equal(got[0]![1].protocol, 'ws')
    // A non-UTF-8 reply goes out as a binary frame (RFC 7118 §5.1).
    const reply = new Promise<[Buffer, boolean]>((resolve) => ws.once('message', (data, isBinary) => resolve([data as Buffer, isBinary])))
    await server.send(Buffer.from([0x80, 0x81]), { host: 'x', port: 1, connectionId: got[0]![1].connectionId })
    const [data, isBinary] = await reply
    assert.equal(isBinary, true)
    assert.deepEqual(data, Buffer.from([0x80, 0x81]))
  } finally {
    ws.close()
    await server.close()
  }
})

test('WS: a client without the "sip" subprotocol is refused', async () => {
  const server = new WsTransport()
  await server.listen()
  try {
    // Offering only another subprotocol: the server picks none, so the handshake fails.
    await assert.rejects(openRaw(server.localAddress().port, ['chat']), /subprotocol/)
    // Offering none: accepted at the HTTP level, then closed with 1002 (protocol error).
    const error = nextEvent<[TransportError]>(server, 'error')
    const ws = await openRaw(server.localAddress().port, [])
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    assert.equal((await error)[0].code, 'SIP_WS_SUBPROTOCOL')
    assert.equal(await closed, 1002)
    assert.deepEqual(server.connectionIds(), [])
  } finally {
    await server.close()
  }
})

test('WS: an oversized message closes the connection with SIP_MESSAGE_TOO_LARGE', async () => {
  const server = new WsTransport({ maxMessageBytes: 2048 })
  await server.listen()
  const ws = await openRaw(server.localAddress().port, ['sip'])
  try {
    ws.on('error', () => undefined)
    const closed = nextEvent<[string, string, TransportError]>(server, 'connection-closed')
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send(sipRequest('x'.repeat(5000)))
    const [, reason, error] = await closed
    assert.equal(reason, 'protocol-error')
    assert.equal(error.code, 'SIP_MESSAGE_TOO_LARGE')
    assert.equal(await wsClosed, 1009)
  } finally {
    ws.terminate()
    await server.close()
  }
})

test('WS: connecting to a server that does not speak SIP fails with a typed error', async () => {
  const server = new WsTransport()
  await server.listen()
  const client = new WsTransport({ path: '/nowhere' })
  try {
    await assert.rejects(client.send(sipRequest(), { host: '127.0.0.1', port: server.localAddress().port }), { code: 'SIP_TRANSPORT_CONNECT_FAILED' })
  } finally {
    await client.close()
    await server.close()
  }
})
