/**
 * The user-agent API over TLS against Kamailio (WITH_TLS, self-signed certificate pinned as the
 * only CA, name example.test): REGISTER with digest, refresh, MESSAGE between two TLS UAs,
 * unregister, and a wrong password.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registerer, SipAuthError, type IncomingMessage, type UserAgent } from '../../src/sip/ua/index.ts'
import { startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers, wireLog } from './sip-ua-helpers.ts'

const skip = requirePeers()

describe('interop: REGISTER and MESSAGE over TLS (Kamailio WITH_TLS)', { skip }, () => {
  let kam: KamailioInstance
  const uas: UserAgent[] = []
  before(async () => {
    kam = await startKamailio({ defines: ['WITH_TLS'] })
  })
  after(async () => {
    for (const ua of uas) await ua.stop()
    await kam?.stop()
  })

  async function tlsUa(user: string, password?: string): Promise<UserAgent> {
    const ua = await kamailioUa(kam, user, {
      transport: 'tls',
      tls: { ca: kam.tlsCert!, servername: 'example.test' },
      ...(password === undefined ? {} : { password }),
    })
    uas.push(ua)
    return ua
  }

  it('registers over TLS with digest, refreshes, and receives a MESSAGE over its TLS connection', async () => {
    const alice = await tlsUa('alice')
    const bob = await tlsUa('bob')
    const aliceWire = wireLog(alice)
    const inbox: IncomingMessage[] = []
    bob.on('message', (m) => inbox.push(m))
    const aliceReg = new Registerer(alice, { expires: 60 })
    const bobReg = new Registerer(bob, { expires: 60 })
    assert.equal((await aliceReg.register()).status, 200)
    assert.equal((await bobReg.register()).status, 200)
    assert.deepEqual(aliceWire.filter((w) => w.endsWith('REGISTER')), ['401 REGISTER', '200 REGISTER'])
    assert.equal(alice.transport.protocol, 'tls')
    assert.ok(aliceReg.flow, 'the registration runs over a TLS connection')
    assert.equal((await aliceReg.refresh()).status, 200)

    const response = await alice.sendMessage('sip:bob@example.test', 'over tls')
    assert.equal(response.status, 200)
    assert.equal(inbox.length, 1)
    assert.equal(inbox[0]!.text, 'over tls')
    assert.equal(inbox[0]!.request.source.transport, 'TLS')

    assert.equal((await aliceReg.unregister()).status, 200)
    assert.equal((await bobReg.unregister()).status, 200)
  })

  it('a wrong password over TLS fails with SipAuthError', async () => {
    const eve = await tlsUa('eve', 'wrong')
    await assert.rejects(new Registerer(eve).register(), (e: unknown) => e instanceof SipAuthError && e.code === 'SIP_AUTH_FAILED' && e.realm === 'example.test')
  })
})
