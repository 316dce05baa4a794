import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket, WebSocketServer } from 'ws'
import { WsTransport, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { WebSocketClientTransport, type SipWebSocketConstructor } from '../../../src/sip/transport/web-socket-client.ts'
import { sipRequest } from './helpers.ts'

// The ws package's client has the WHATWG WebSocket surface a browser's has.
const StandardWebSocket = WebSocket as unknown as SipWebSocketConstructor

test('WebSocket client transport: a request goes out, the answer comes back on the same WebSocket (RFC 7118)', async () => {
  const server = new WsTransport()
  await server.listen()
  const client = new WebSocketClientTransport({ secure: false, WebSocket: StandardWebSocket, viaHost: 'page.invalid' })
  await client.listen()
  try {
    assert.equal(client.protocol, 'ws')
    assert.deepEqual(client.localAddress(), { address: 'page.invalid', port: 0 })
    const atServer = new Promise<[Buffer, MessageMeta]>((resolve) => server.once('message', (b, m) => resolve([b, m])))
    await client.send(sipRequest('hello'), { host: '127.0.0.1', port: server.localAddress().port })
    const [bytes, meta] = await atServer
    assert.deepEqual(bytes, sipRequest('hello'))
    assert.equal(meta.protocol, 'ws')
    // The answer, and a message that is not UTF-8 (sent as a binary frame, RFC 7118 §5.1).
    const atClient: Buffer[] = []
    const two = new Promise<void>((resolve) => client.on('message', (b) => { atClient.push(b); if (atClient.length === 2) resolve() }))
    await server.send(sipRequest('answer'), { host: 'x', port: 1, connectionId: meta.connectionId! })
    await server.send(Buffer.from([0x80, 0x81]), { host: 'x', port: 1, connectionId: meta.connectionId! })
    await two
    assert.deepEqual(atClient[0], sipRequest('answer'))
    assert.deepEqual(atClient[1], Buffer.from([0x80, 0x81]))
  } finally {
    await client.close()
    await server.close()
  }
})

test('WebSocket client transport: a URL given in the options is used for every destination', async () => {
  const server = new WsTransport()
  await server.listen()
  const url = `ws://127.0.0.1:${server.localAddress().port}/`
  const client = new WebSocketClientTransport({ url, WebSocket: StandardWebSocket })
  try {
    const atServer = new Promise<Buffer>((resolve) => server.once('message', (b) => resolve(b)))
    await client.send(sipRequest('via-url'), { host: 'sip.example.test', port: 5060 })
    assert.deepEqual(await atServer, sipRequest('via-url'))
  } finally {
    await client.close()
    await server.close()
  }
})

test('WebSocket client transport: a server that refuses the "sip" subprotocol is an error that says so', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => false })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const port = (wss.address() as { port: number }).port
  const client = new WebSocketClientTransport({ secure: false, WebSocket: StandardWebSocket })
  try {
    await assert.rejects(client.send(sipRequest('x'), { host: '127.0.0.1', port }), /did not accept the "sip" WebSocket subprotocol|could not open/)
  } finally {
    await client.close()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  }
})

test('WebSocket client transport: without a WebSocket constructor it says what to pass', async () => {
  const client = new WebSocketClientTransport({ secure: false })
  try {
    if ((globalThis as { WebSocket?: unknown }).WebSocket !== undefined) return
    await assert.rejects(client.send(sipRequest('x'), { host: '127.0.0.1', port: 1 }), /pass \{ WebSocket \}/)
  } finally {
    await client.close()
  }
})
