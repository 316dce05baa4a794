import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runChatServerCli } from '../../src/server/index.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { sourceOf, transportSetPort } from '../../src/sip/core/transport-adapter.ts'
import { UserAgentCore } from '../../src/sip/core/user-agent-core.ts'
import { TcpTransport } from '../../src/sip/transport/tcp.ts'
import { TransportSet } from '../../src/sip/transport/transport-set.ts'

test('runChatServerCli prints a ready line, serves, and says BYE to everyone when stopped', async () => {
  const lines: string[] = []
  const stop = new AbortController()
  let ready: (line: string) => void = () => {}
  const readyLine = new Promise<string>((resolve) => (ready = resolve))
  const running = runChatServerCli({
    host: '127.0.0.1', port: 0, domain: 'example.test', rooms: ['lobby'], signal: stop.signal,
    out: (line) => {
      lines.push(line)
      if (line.includes('ready')) ready(line)
    },
  })
  const line = await readyLine
  const port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1])
  assert.ok(port > 0, line)
  assert.match(line, /sip:lobby@example\.test/)
  // A bare UA joins over TCP (no MSRP needed for this test) and must get a BYE at shutdown.
  const set = new TransportSet([new TcpTransport({ host: '127.0.0.1', port: 0 })])
  await set.listen()
  const core = new UserAgentCore({ port: transportSetPort(set) })
  set.on('message', (bytes, meta) => core.receiveBytes(bytes, sourceOf(meta), false))
  const destination = { host: '127.0.0.1', port, transport: 'TCP' }
  const offer = createOffer({ path: ['msrp://127.0.0.1:9/abcdefgh;tcp'], acceptTypes: ['message/cpim'], setup: 'active' })
  const invite = core.createRequest('INVITE', 'sip:lobby@example.test', { from: '<sip:alice@example.test>', headers: [['Contact', `<sip:alice@127.0.0.1:${set.localAddress('tcp').port};transport=tcp>`]], body: offer, contentType: 'application/sdp' })
  const response = await core.sendRequest(invite, { destination })
  assert.equal(response.status, 200)
  let gotBye: () => void = () => {}
  const bye = new Promise<void>((resolve) => (gotBye = resolve))
  const dialog = core.createUacDialog(invite, response, (incoming) => {
    if (incoming.method === 'BYE') {
      incoming.respond(200)
      gotBye()
    }
  })
  await core.sendAck(dialog.createAck(1), destination)
  stop.abort()
  await bye
  await running
  assert.ok(lines.some((l) => l.includes('stopped')))
  core.close()
  await set.close()
})
