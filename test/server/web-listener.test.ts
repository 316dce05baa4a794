/**
 * The web port (src/server/web-listener.ts, web-assets.ts): the chat page over HTTP with its
 * security headers and refusals, WebSocket upgrades routed by subprotocol, other origins
 * refused, and MSRP over WebSocket (RFC 7977) framed one message per WebSocket message, under
 * the same connection caps as MSRP over TCP; then two clients chat over WebSocket only.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { WebSocket } from 'ws'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import type { MsrpDialer } from '../../src/chat/msrp-dialer.ts'
import { openMsrpWebSocket, type WebSocketConstructor } from '../../src/msrp/web-socket.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import { WebSocketClientTransport, type SipWebSocketConstructor } from '../../src/sip/transport/web-socket-client.ts'

let server: ChatServer
let base: string

before(async () => {
  server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0, wsPort: 0 } })
  base = `127.0.0.1:${server.addresses.web!.port}`
})
after(() => server.close())

describe('the chat page over HTTP', () => {
  test('GET / serves the page with same-origin-only headers; the script and config follow', async () => {
    const page = await fetch(`http://${base}/?user=alice&room=lobby`)
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/)
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
    assert.match(await page.text(), /<script type="module" src="\/app.js">/)
    const script = await fetch(`http://${base}/app.js`)
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.ok((await script.text()).length > 10_000, 'the bundle carries the stack')
    assert.deepEqual(await (await fetch(`http://${base}/config.json`)).json(), { domain: 'example.test' })
  })

  test('an unknown path is 404, another method 405 with Allow', async () => {
    const missing = await fetch(`http://${base}/../etc/passwd`)
    assert.equal(missing.status, 404)
    await missing.body?.cancel()
    const post = await fetch(`http://${base}/`, { method: 'POST', body: 'x' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
    await post.body?.cancel()
  })
})

/** Opens a WebSocket and resolves with the HTTP status it was refused with (or 101). */
async function upgradeStatus(protocols: string[], origin?: string): Promise<number> {
  const ws = new WebSocket(`ws://${base}/`, protocols, origin === undefined ? {} : { origin })
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('open', () => {
      resolve(101)
      ws.close()
    })
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error)
    })
  })
}

describe('WebSocket upgrades on the web port', () => {
  test('a page of another origin is refused (403); the same origin and non-browser clients get in', async () => {
    assert.equal(await upgradeStatus(['msrp'], 'http://evil.example'), 403)
    assert.equal(await upgradeStatus(['sip'], 'http://evil.example'), 403)
    assert.equal(await upgradeStatus(['msrp'], `http://${base}`), 101)
    assert.equal(await upgradeStatus(['sip']), 101)
  })

  test('an upgrade offering neither sip nor msrp is refused (400)', async () => {
    assert.equal(await upgradeStatus(['chat']), 400)
  })

  test('MSRP over WebSocket: one MSRP message per WebSocket message (RFC 7977 §5); unknown session → 481', async () => {
    const ws = new WebSocket(`ws://${base}/`, 'msrp')
    await once(ws, 'open')
    assert.equal(ws.protocol, 'msrp')
    const frame = ['MSRP a1b2c3 SEND', 'To-Path: msrp://127.0.0.1:1/nosuchsession;ws', 'From-Path: msrp://x.invalid:9/me;ws', 'Message-ID: msg00001', 'Byte-Range: 1-2/2', 'Content-Type: text/plain', '', 'hi', '-------a1b2c3$', ''].join('\r\n')
    ws.send(Buffer.from(frame), { binary: true })
    const [data] = (await once(ws, 'message')) as [Buffer]
    const text = data.toString('utf8')
    assert.match(text, /^MSRP a1b2c3 481 /)
    assert.ok(text.endsWith('-------a1b2c3$\r\n'), 'the whole response, end-line included, in one WebSocket message')
    ws.close()
    await once(ws, 'close')
  })

  test('MSRP WebSockets count against the per-source cap like TCP ones', async () => {
    const capped = await startChatServer({ domain: 'example.test', transport: { kind: 'sockets', host: '127.0.0.1', port: 0, wsPort: 0 }, limits: { maxConnectionsPerSource: 2 } })
    try {
      const open: WebSocket[] = []
      const closed: Array<Promise<unknown>> = []
      for (let i = 0; i < 3; i++) {
        const ws = new WebSocket(`ws://127.0.0.1:${capped.addresses.web!.port}/`, 'msrp')
        await once(ws, 'open')
        closed.push(once(ws, 'close'))
        open.push(ws)
      }
      await closed[2]
      assert.equal(capped.transportStats().msrpRefusedConnections, 1)
      assert.equal(capped.transportStats().msrpConnections, 2)
      for (const ws of open.slice(0, 2)) ws.close()
      await Promise.all(closed)
    } finally {
      await capped.close()
    }
  })
})

describe('slow and silent clients on the web port', () => {
  test('a request whose headers trickle in is cut at the header timeout; a silent MSRP WebSocket at the unbound timeout', async () => {
    const strict = await startChatServer({ domain: 'example.test', transport: { kind: 'sockets', host: '127.0.0.1', port: 0, wsPort: 0 }, limits: { headerTimeoutMs: 300, msrpUnboundTimeoutMs: 300 } })
    try {
      const port = strict.addresses.web!.port
      const slow = connect(port, '127.0.0.1')
      await once(slow, 'connect')
      slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')
      const answer: Buffer[] = []
      slow.on('data', (d: Buffer) => answer.push(d))
      await once(slow, 'close')
      assert.match(Buffer.concat(answer).toString('latin1'), /^HTTP\/1\.1 408|^$/, 'closed (with a 408 at most), never served')
      const silent = new WebSocket(`ws://127.0.0.1:${port}/`, 'msrp')
      await once(silent, 'open')
      await once(silent, 'close')
      assert.equal(strict.transportStats().msrpConnections, 0)
    } finally {
      await strict.close()
    }
  })
})

/** A chat client as the page builds it, on the ws package's WebSocket. */
function webClient(user: string): SipChatBackend {
  const url = `ws://${base}/`
  const dial: MsrpDialer = Object.assign(
    (_hop: unknown, options: { transactionTimeoutMs?: number | undefined }) => openMsrpWebSocket(url, { WebSocket: WebSocket as unknown as WebSocketConstructor, ...options }),
    { uriTransport: 'ws' as const },
  )
  const proxy = `sip:${base};transport=ws`
  return new SipChatBackend(
    { uri: `sip:${user}@example.test`, transport: 'ws', registrar: proxy, outboundProxy: `${proxy};lr` },
    { sipTransport: new WebSocketClientTransport({ url, secure: false, WebSocket: WebSocket as unknown as SipWebSocketConstructor }), msrpDialer: dial, automaton: false, reconnect: false },
  )
}

test('two clients chat in a room over SIP and MSRP on WebSockets only', async () => {
  const alice = webClient('alice')
  const bob = webClient('bob')
  try {
    await alice.start()
    await bob.start()
    const aliceRoom = await alice.join('sip:lobby@example.test', { nickname: 'alice' })
    const bobRoom = await bob.join('sip:lobby@example.test', { nickname: 'bob' })
    const leg = server.room('lobby')!.state.participants
    assert.equal(leg.size, 2)
    const got = new Promise<BackendEvent>((resolve) => bob.subscribe((event) => {
      if (event.type === 'message') resolve(event)
    }))
    await aliceRoom.send('hello over WebSocket')
    const event = await got
    assert.ok(event.type === 'message')
    assert.equal(event.body, 'hello over WebSocket')
    assert.equal(event.sender.uri, 'sip:alice@example.test')
    assert.ok(bobRoom.participants.some((p) => p.nickname === 'alice'))
  } finally {
    await alice.stop()
    await bob.stop()
  }
})
