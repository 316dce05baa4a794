/**
 * REGISTER through the SIP user-agent API against a real Kamailio: digest without qop (RFC 2069
 * form) and with qop=auth, refresh with pre-emptive credentials, unregister, a wrong password.
 * Proof that the binding works: a MESSAGE from another SDK UA reaches the registered UA, and
 * gets 404 after unregistering.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registerer, SipAuthError, SipResponseError, type IncomingMessage, type UserAgent } from '../../src/sip/ua/index.ts'
import type { SipMessage } from '../../src/sip/message.ts'
import type { TcpTransport } from '../../src/sip/transport/tcp.ts'
import { startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers, wireLog } from './sip-ua-helpers.ts'

const skip = requirePeers()

for (const variant of [{ name: 'no qop', defines: [] as const }, { name: 'WITH_QOP', defines: ['WITH_QOP'] as const }]) {
  describe(`interop: Registerer against Kamailio (${variant.name})`, { skip }, () => {
    let kam: KamailioInstance
    const uas: UserAgent[] = []
    before(async () => {
      kam = await startKamailio({ defines: [...variant.defines] })
    })
    after(async () => {
      for (const ua of uas) await ua.stop()
      await kam?.stop()
    })

    it('registers over UDP (401 answered once), refreshes with pre-emptive credentials, and unregisters', async () => {
      const ua = await kamailioUa(kam, 'alice')
      uas.push(ua)
      const received: SipMessage[] = []
      const wire = wireLog(ua, received)
      const registerer = new Registerer(ua, { expires: 60 })
      const response = await registerer.register()
      assert.equal(response.status, 200)
      assert.equal(registerer.state, 'registered')
      assert.equal(registerer.expires, 60, 'Kamailio grants the 60 s we asked for (its range is 10..3600)')
      assert.deepEqual(wire.filter((w) => w.endsWith('REGISTER')), ['401 REGISTER', '200 REGISTER'])
      const challenge = received.find((m) => m.kind === 'response' && m.status === 401)!.headers.get('WWW-Authenticate')!
      assert.match(challenge, /realm="example\.test"/)
      if (variant.defines.length > 0) assert.match(challenge, /qop="auth"/)
      else assert.doesNotMatch(challenge, /qop/)
      // Refresh now (what the timer does at 90%): the cached credentials go with it, no new 401.
      const refreshed = await registerer.refresh()
      assert.equal(refreshed.status, 200)
      assert.deepEqual(wire.filter((w) => w.endsWith('REGISTER')), ['401 REGISTER', '200 REGISTER', '200 REGISTER'])
      const removed = await registerer.unregister()
      assert.equal(removed.status, 200)
      assert.equal(registerer.state, 'unregistered')
    })

    it('a registered TCP UA receives a MESSAGE through Kamailio; after unregistering the proxy answers 404', async () => {
      const bob = await kamailioUa(kam, 'bob', { transport: 'tcp' })
      const carol = await kamailioUa(kam, 'carol')
      uas.push(bob, carol)
      const got: IncomingMessage[] = []
      bob.on('message', (m) => got.push(m))
      const registerer = new Registerer(bob, { expires: 120 })
      await registerer.register()
      assert.ok(registerer.flow, 'registered over a TCP connection (RFC 5626 flow)')
      const sent = await carol.sendMessage('sip:bob@example.test', 'through the registrar')
      assert.equal(sent.status, 200)
      assert.equal(got.length, 1)
      assert.equal(got[0]!.text, 'through the registrar')
      await registerer.unregister()
      await assert.rejects(carol.sendMessage('sip:bob@example.test', 'gone?'), (e: unknown) => e instanceof SipResponseError && e.status === 404)
    })

    it('re-registers over a new TCP connection after the registration connection is lost, and stays reachable', async () => {
      const erin = await kamailioUa(kam, 'erin', { transport: 'tcp' })
      const frank = await kamailioUa(kam, 'frank')
      uas.push(erin, frank)
      const inbox: IncomingMessage[] = []
      erin.on('message', (m) => inbox.push(m))
      const registerer = new Registerer(erin, { expires: 120 })
      await registerer.register()
      const lost = registerer.flow!
      const reRegistered = new Promise<void>((resolve) => registerer.once('registered', () => resolve()))
      ;(erin.transport as TcpTransport).closeConnection(lost)
      await reRegistered
      assert.equal(registerer.state, 'registered')
      assert.ok(registerer.flow && registerer.flow !== lost, 'a new flow')
      await frank.sendMessage('sip:erin@example.test', 'still there?')
      assert.equal(inbox.at(-1)?.text, 'still there?')
      assert.equal(inbox.at(-1)?.request.source.connectionId, registerer.flow, 'delivered over the new connection')
      await registerer.unregister()
    })

    it('a wrong password fails with SipAuthError SIP_AUTH_FAILED naming the realm', async () => {
      const ua = await kamailioUa(kam, 'dave', { password: 'wrong' })
      uas.push(ua)
      const registerer = new Registerer(ua)
      const error = await registerer.register().then(() => undefined, (e: unknown) => e)
      assert.ok(error instanceof SipAuthError, String(error))
      assert.equal(error.code, 'SIP_AUTH_FAILED')
      assert.equal(error.realm, 'example.test')
      assert.match(error.message, /password \(or user name "dave"\) for realm "example\.test" was refused/)
      assert.equal(registerer.state, 'unregistered')
    })
  })
}
