/** SIP over WebSocket (RFC 7118) on the server's wsPort: a WS client registers and joins a room. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startChatServer } from '../../src/server/index.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { sourceOf, transportSetPort } from '../../src/sip/core/transport-adapter.ts'
import { UserAgentCore } from '../../src/sip/core/user-agent-core.ts'
import { TransportSet } from '../../src/sip/transport/transport-set.ts'
import { WsTransport } from '../../src/sip/transport/ws.ts'

test('a SIP-over-WebSocket client registers and joins a room', async () => {
  const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0, wsPort: 0 } })
  const ws = server.addresses.sip.find((a) => a.transport === 'ws')
  assert.ok(ws !== undefined && ws.port > 0, 'the server lists its WS address')
  const set = new TransportSet([new WsTransport({ host: '127.0.0.1', port: 0 })])
  await set.listen()
  const core = new UserAgentCore({ port: transportSetPort(set) })
  set.on('message', (bytes, meta) => core.receiveBytes(bytes, sourceOf(meta), false))
  try {
    const destination = { host: ws.host, port: ws.port, transport: 'WS' }
    const register = core.createRequest('REGISTER', 'sip:example.test', { from: '<sip:web@example.test>', to: '<sip:web@example.test>', headers: [['Contact', '<sip:web@df7jal23ls0d.invalid;transport=ws>'], ['Expires', '600']] })
    assert.equal((await core.sendRequest(register, { destination })).status, 200)
    assert.equal(server.registrar.locate('sip:web@example.test')[0]?.destination.transport, 'WS')
    const offer = createOffer({ path: ['msrp://df7jal23ls0d.invalid:2855/abcdefghij;ws'], acceptTypes: ['message/cpim'], setup: 'active' })
    const invite = core.createRequest('INVITE', 'sip:lobby@example.test', { from: '<sip:web@example.test>', headers: [['Contact', '<sip:web@df7jal23ls0d.invalid;transport=ws>']], body: offer, contentType: 'application/sdp' })
    const response = await core.sendRequest(invite, { destination })
    assert.equal(response.status, 200)
    assert.match(response.headers.get('Contact') ?? '', /transport=ws>;isfocus/)
    // RFC 7977 §7: the focus's MSRP URI for a WebSocket client is on the web port, with ;ws.
    assert.match(response.body.toString('utf8'), new RegExp(`m=message ${ws.port} TCP/WS/MSRP[\\s\\S]*a=path:msrp://127\\.0\\.0\\.1:${ws.port}/\\w+;ws`))
  } finally {
    await server.close()
    core.close()
    await set.close()
  }
})
