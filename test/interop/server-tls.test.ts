/**
 * `msrp-bot server` behind Kamailio over TLS (issue 16, TLS listeners): Kamailio (WITH_TLS) is
 * the registrar and proxy of example.test; the room `sip:lobby@example.test` is registered there
 * with a Contact on the server's SIP-over-TLS port, so Kamailio relays the bots' INVITEs to the
 * server over TLS. Two bots register with Kamailio over TLS, join through it and chat; MSRP goes
 * straight to the server.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import type { UserAgent } from '../../src/sip/ua/index.ts'
import { selfSignedCert } from '../sip/transport/helpers.ts'
import { startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers } from './sip-ua-helpers.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { testingHooksOf } from '../../src/chat/testing-hooks.ts'

requirePeers()

describe('interop: msrp-bot server behind Kamailio over TLS', () => {
  let kam: KamailioInstance
  let server: ChatServer
  let room: UserAgent
  before(async () => {
    kam = await startKamailio({ defines: ['WITH_TLS'] })
    const { cert, key } = selfSignedCert()
    server = await startChatServer({ domain: kam.domain, rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0, tls: { port: 0, cert, key } } })
  })
  after(async () => {
    await room?.stop()
    await server?.close()
    await kam?.stop()
  })

  it('bots join a room on the server through Kamailio, SIP over TLS on both hops', async () => {
    const tlsPort = server.addresses.sip.find((a) => a.transport === 'tls')!.port
    // The room's binding at Kamailio points at the server's TLS listener. Registered over UDP
    // from a port that matches its Via, so Kamailio's NAT test keeps the Contact as given
    // (over TLS it would bind the registering connection instead).
    room = await kamailioUa(kam, 'lobby')
    const register = room.createRequest('REGISTER', `sip:${kam.domain}`, { to: `<sip:lobby@${kam.domain}>`, headers: [['Contact', `<sip:lobby@127.0.0.1:${tlsPort};transport=tls>;expires=300`], ['Expires', '300']] })
    assert.equal((await room.sendRequest(register)).status, 200)

    const make = (user: string): SipChatBackend =>
      createNodeChatBackend(
        { uri: `sip:${user}@${kam.domain}`, password: kam.password, transport: 'tls', outboundProxy: `sip:127.0.0.1:${kam.sipsPort};lr` },
        { tls: { ca: kam.tlsCert!, servername: 'example.test' }, publishPresence: false },
      )
    const alice = make('alice')
    const bob = make('bob')
    const received: BackendEvent[] = []
    bob.subscribe((e) => void received.push(e))
    try {
      await alice.start()
      await bob.start()
      const ra = await alice.join(`sip:lobby@${kam.domain}`, { nickname: 'alice' })
      await bob.join(`sip:lobby@${kam.domain}`, { nickname: 'bob' })
      assert.equal(server.room('lobby')!.participants().length, 2, 'both joined the server-side room')
      await ra.send('relayed by kamailio over tls')
      for (let i = 0; i < 300 && !received.some((e) => e.type === 'message'); i++) await Promise.all([testingHooksOf(alice).idle(), testingHooksOf(bob).idle(), new Promise((r) => setTimeout(r, 10))])
      const got = received.find((e) => e.type === 'message')
      assert.ok(got !== undefined && got.type === 'message', 'bob received the message')
      assert.equal(got.body, 'relayed by kamailio over tls')
      assert.ok(server.transportStats().sipConnections >= 1, 'Kamailio reached the server over its TLS listener')
    } finally {
      await alice.stop()
      await bob.stop()
    }
  })
})
