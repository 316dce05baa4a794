import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket, WebSocketServer } from 'ws'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { MsrpSession, localMsrpUri } from '../../src/msrp/session.ts'
import { openMsrpWebSocket, webSocketDial, type WebSocketConstructor } from '../../src/msrp/web-socket.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { nextMessage } from './helpers.ts'

// The ws package's client has the WHATWG WebSocket surface a browser's has.
const StandardWebSocket = WebSocket as unknown as WebSocketConstructor

describe('MSRP over a standard WebSocket (RFC 7977)', () => {
  it('runs a session both ways, chunked, through openMsrpWebSocket', async () => {
    const listener = await MsrpListener.listen({ port: 0, webSocket: true })
    const port = listener.address!.port
    const passive = new MsrpSession({ localUri: `msrp://127.0.0.1:${port}/stdws;ws`, listener })
    const connection = await openMsrpWebSocket(`ws://127.0.0.1:${port}/`, { WebSocket: StandardWebSocket })
    try {
      assert.equal(connection.transport.kind, 'ws')
      const active = await MsrpSession.connect({ localUri: 'msrp://page.invalid/pag3;ws', remotePath: [passive.localUri], connection, chunkSize: 100 })
      const got = nextMessage(passive)
      await active.send({ contentType: 'text/plain', body: 'from a page '.repeat(30) })
      assert.equal((await got).body.toString(), 'from a page '.repeat(30))
      const back = nextMessage(active)
      await passive.send({ contentType: 'text/plain', body: 'and back' })
      assert.equal((await back).body.toString(), 'and back')
      await active.close()
    } finally {
      connection.close()
      await listener.close()
    }
  })

  it('webSocketDial reaches every first hop through the one WebSocket server', async () => {
    const listener = await MsrpListener.listen({ port: 0, webSocket: true })
    const port = listener.address!.port
    const passive = new MsrpSession({ localUri: `msrp://127.0.0.1:${port}/dial1;ws`, listener })
    const dial = webSocketDial(`ws://127.0.0.1:${port}/`, { WebSocket: StandardWebSocket })
    const active = await MsrpSession.connect({ localUri: localMsrpUri({ host: 'page.invalid', transport: 'ws' }), remotePath: [passive.localUri], dial })
    try {
      const got = nextMessage(passive)
      await active.send({ contentType: 'text/plain', body: 'dialed' })
      assert.equal((await got).body.toString(), 'dialed')
    } finally {
      await active.close()
      await listener.close()
    }
  })

  it('refuses a server that does not agree to the "msrp" subprotocol', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => false })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    const port = (wss.address() as { port: number }).port
    try {
      await assert.rejects(openMsrpWebSocket(`ws://127.0.0.1:${port}/`, { WebSocket: StandardWebSocket }), (err: Error & { code?: string }) => err.code === 'MSRP_CONNECT_FAILED')
    } finally {
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  })

  it('MsrpSession.connect with neither connection nor dial says what to pass', async () => {
    await assert.rejects(
      MsrpSession.connect({ localUri: localMsrpUri({ host: 'a.invalid' }), remotePath: [parseMsrpUri('msrp://127.0.0.1:1/x;tcp')] }),
      (err: Error & { code?: string }) => err.code === 'MSRP_NO_DIALER' && /dialMsrp/.test(err.message),
    )
  })
})
