/**
 * The server's TLS listeners (issue 16): SIP over TLS on `tls.port` (RFC 3261 §26.2) and MSRP
 * over TLS (`msrps:`, RFC 4975 §14.1) on the MSRP port, which keeps serving plain MSRP too.
 * The certificate is made at run time with openssl; clients pin it as their only CA.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { buildCpim } from '../../src/cpim/builder.ts'
import { parseCpim } from '../../src/cpim/parser.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import { connectMsrpUri } from '../../src/msrp/node-dial.ts'
import { MsrpSession, generateSessionId } from '../../src/msrp/session.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { parseMsrpSdp } from '../../src/sdp/parse.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import { selfSignedCert } from '../sip/transport/helpers.ts'
import { until } from '../msrp/helpers.ts'
import { TestParticipant } from './participant.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { testingHooksOf } from '../../src/chat/testing-hooks.ts'

const DOMAIN = 'example.test'
const LOBBY = `sip:lobby@${DOMAIN}`

describe('chat server TLS listeners', () => {
  let server: ChatServer
  let cert: string
  before(async () => {
    const material = selfSignedCert()
    cert = material.cert
    server = await startChatServer({
      domain: DOMAIN,
      rooms: ['lobby'],
      users: { alice: 'alice-pw', bob: 'bob-pw' },
      transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0, tls: { port: 0, cert: material.cert, key: material.key } },
    })
  })
  after(async () => {
    await server.close()
  })

  it('listens for SIP over TLS next to UDP and TCP', () => {
    assert.deepEqual(server.addresses.sip.map((a) => a.transport), ['udp', 'tcp', 'tls'])
    assert.match(server.sipUri('tls'), /^sip:127\.0\.0\.1:\d+;transport=tls$/)
  })

  it('bots register, join and chat over SIP TLS, pinning the test certificate', async () => {
    const make = (name: string): SipChatBackend =>
      createNodeChatBackend(
        { uri: `sip:${name}@${DOMAIN}`, password: `${name}-pw`, transport: 'tls', outboundProxy: `${server.sipUri('tls')};lr` },
        { tls: { ca: cert, servername: 'localhost' } },
      )
    const alice = make('alice')
    const bob = make('bob')
    const received: BackendEvent[] = []
    bob.subscribe((e) => void received.push(e))
    try {
      await alice.start()
      await bob.start()
      const ra = await alice.join(LOBBY, { nickname: 'alice' })
      await bob.join(LOBBY, { nickname: 'bob' })
      await ra.send('hello over tls')
      for (let i = 0; i < 200 && !received.some((e) => e.type === 'message'); i++) await Promise.all([testingHooksOf(alice).idle(), testingHooksOf(bob).idle(), new Promise((r) => setTimeout(r, 10))])
      const got = received.find((e) => e.type === 'message')
      assert.ok(got !== undefined && got.type === 'message')
      assert.equal(got.body, 'hello over tls')
      assert.ok(server.transportStats().sipConnections >= 2, 'the bots hold TLS connections')
    } finally {
      await alice.stop()
      await bob.stop()
    }
  })

  it('a participant offering TCP/TLS/MSRP gets an msrps: path on the MSRP port and chats over TLS with a plain-MSRP one', async () => {
    const carol = await TestParticipant.create(server, 'alice', { password: 'alice-pw' })
    const dave = await TestParticipant.create(server, 'bob', { password: 'bob-pw' })
    let session: MsrpSession | undefined
    try {
      await dave.joinOk('lobby') // plain msrp: on the same port
      const localUri = `msrps://127.0.0.1:9/${generateSessionId()};tcp`
      const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'active' })
      assert.match(offer, /TCP\/TLS\/MSRP/)
      const { request, response } = await carol.request('INVITE', LOBBY, { body: offer, contentType: 'application/sdp' })
      assert.equal(response.status, 200)
      const dialog = carol.core.createUacDialog(request, response, (incoming) => incoming.respond(200))
      await carol.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), carol.serverDestination)
      const answer = parseMsrpSdp(response.body.toString('utf8')).media[0]!
      assert.equal(answer.transport, 'tls')
      const focus = parseMsrpUri(answer.path[0]!)
      assert.equal(focus.scheme, 'msrps')
      assert.equal(focus.port, server.addresses.msrp.port, 'msrps: and msrp: share the MSRP port')
      const connection = await connectMsrpUri(focus, { tls: { ca: cert, servername: 'localhost' } })
      assert.equal(connection.transport.kind, 'tls')
      session = await MsrpSession.connect({ localUri, remotePath: answer.path.join(' '), connection })
      const inbox: string[] = []
      session.on('message', (m) => inbox.push(Buffer.from(parseCpim(m.body).body).toString('utf8')))
      const cpim = buildCpim({ from: { uri: carol.uri }, to: [{ uri: LOBBY }], contentType: 'text/plain', body: 'sent over msrps' })
      await session.send({ contentType: 'message/cpim', body: cpim })
      assert.equal((await dave.messages.next()).text, 'sent over msrps')
      assert.equal(await dave.say('lobby', 'answered over plain msrp'), 200)
      await until(() => inbox.length > 0)
      assert.deepEqual(inbox, ['answered over plain msrp'])
    } finally {
      session?.close()
      await carol.close()
      await dave.close()
    }
  })
})
