import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registerer, SipAuthError, SipResponseError } from '../../../src/sip/ua/index.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { digestGuard, settle, until, world } from './helpers.ts'

const PROXY = 'sip:server.test:5060;lr'

describe('Registerer', () => {
  const w = world()
  after(() => w.close())

  it('answers a 401 with MD5 qop=auth digest, retries with a new CSeq and the same Call-ID, and reuses credentials pre-emptively', async () => {
    const server = await w.server()
    const auth = digestGuard()
    server.handler = async (r) => {
      const result = await auth.verify(r.message.headers.getAllLines('Authorization'), { method: 'REGISTER' })
      if (!result.ok) {
        r.respond(401, { headers: auth.challenge({ stale: result.reason === 'stale' }).map((v) => ['WWW-Authenticate', v] as const) })
        return
      }
      r.respond(200, { headers: [['Contact', `${r.message.headers.get('Contact')}`], ['Expires', '300']] })
    }
    const ua = await w.ua('alice', { outboundProxy: PROXY })
    const registerer = new Registerer(ua, { expires: 300 })
    const states: string[] = []
    registerer.on('state', (s) => states.push(s))
    const response = await registerer.register()
    assert.equal(response.status, 200)
    assert.equal(registerer.state, 'registered')
    assert.deepEqual(states, ['registering', 'registered'])
    const [first, second] = server.of('REGISTER')
    assert.ok(first && second)
    assert.equal(first.headers.get('Call-ID'), second.headers.get('Call-ID'))
    assert.equal(readCSeq(second.headers).seq, readCSeq(first.headers).seq + 1)
    assert.equal(first.headers.has('Authorization'), false)
    assert.match(second.headers.get('Authorization')!, /qop=auth, nc=00000001/)
    // The refresh carries credentials up front (nc incremented) and is not challenged.
    await registerer.refresh()
    const third = server.of('REGISTER')[2]!
    assert.match(third.headers.get('Authorization')!, /nc=00000002/)
    assert.equal(server.of('REGISTER').length, 3)
    assert.equal(readCSeq(third.headers).seq, readCSeq(second.headers).seq + 1)
  })

  it('refreshes before the expiry the registrar chose (our Contact expires param wins over Expires)', async () => {
    const server = await w.server('reg2.test')
    server.handler = (r) => {
      const contact = r.message.headers.get('Contact')!.replace(/;expires=\d+/, '')
      r.respond(200, { headers: [['Contact', `<sip:other@phone.test>;expires=3000, ${contact};expires=100`], ['Expires', '999']] })
    }
    const ua = await w.ua('bob', { outboundProxy: 'sip:reg2.test:5060;lr' })
    const registerer = new Registerer(ua, { expires: 3600 })
    await registerer.register()
    assert.equal(registerer.expires, 100)
    assert.equal(registerer.contacts.length, 2, 'both bindings of the AOR are reported')
    assert.equal(server.of('REGISTER').length, 1)
    w.clock.advance(89_000)
    await settle()
    assert.equal(server.of('REGISTER').length, 1, 'no refresh before 90% of 100 s')
    w.clock.advance(1_000)
    await until(() => server.of('REGISTER').length === 2, 'the refresh')
    await settle()
    assert.equal(registerer.state, 'registered')
  })

  it('retries a 423 Interval Too Brief with Min-Expires', async () => {
    const server = await w.server('reg3.test')
    server.handler = (r) => {
      const expires = Number(r.message.headers.get('Expires'))
      if (expires < 60) r.respond(423, { headers: [['Min-Expires', '60']] })
      else r.respond(200, { headers: [['Expires', String(expires)]] })
    }
    const ua = await w.ua('carol', { outboundProxy: 'sip:reg3.test:5060;lr' })
    const registerer = new Registerer(ua, { expires: 20 })
    await registerer.register()
    assert.deepEqual(server.of('REGISTER').map((r) => r.headers.get('Expires')), ['20', '60'])
    assert.equal(registerer.expires, 60)
  })

  it('a second 401 for the same realm rejects with SipAuthError SIP_AUTH_FAILED naming the realm', async () => {
    const server = await w.server('reg4.test')
    const auth = digestGuard('example.test', 'other-password', { qop: false })
    server.handler = async (r) => {
      const result = await auth.verify(r.message.headers.getAllLines('Authorization'), { method: 'REGISTER' })
      if (result.ok) r.respond(200)
      else r.respond(401, { headers: auth.challenge().map((v) => ['WWW-Authenticate', v] as const) })
    }
    const ua = await w.ua('dave', { outboundProxy: 'sip:reg4.test:5060;lr' })
    const registerer = new Registerer(ua)
    const error = await registerer.register().then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof SipAuthError)
    assert.equal(error.code, 'SIP_AUTH_FAILED')
    assert.equal(error.realm, 'example.test')
    assert.match(error.message, /password .*realm "example\.test" was refused/)
    assert.equal(server.of('REGISTER').length, 2)
    assert.equal(registerer.state, 'unregistered')
  })

  it('stale=true is retried without failing (SHA-256)', async () => {
    const server = await w.server('reg5.test')
    let round = 0
    const auth = digestGuard('example.test', 'secret', { algorithms: ['SHA-256'] })
    server.handler = async (r) => {
      round++
      const result = await auth.verify(r.message.headers.getAllLines('Authorization'), { method: 'REGISTER' })
      if (round === 2 && result.ok) {
        // Pretend the nonce expired just now.
        r.respond(401, { headers: auth.challenge({ stale: true }).map((v) => ['WWW-Authenticate', v] as const) })
        return
      }
      if (result.ok) r.respond(200, { headers: [['Expires', '600']] })
      else r.respond(401, { headers: auth.challenge().map((v) => ['WWW-Authenticate', v] as const) })
    }
    const ua = await w.ua('erin', { outboundProxy: 'sip:reg5.test:5060;lr' })
    const response = await new Registerer(ua).register()
    assert.equal(response.status, 200)
    const registers = server.of('REGISTER')
    assert.equal(registers.length, 3)
    assert.match(registers[2]!.headers.get('Authorization')!, /algorithm=SHA-256/)
  })

  it('a 403 rejects with SipResponseError carrying the status', async () => {
    const server = await w.server('reg6.test')
    server.handler = (r) => r.respond(403)
    const ua = await w.ua('frank', { outboundProxy: 'sip:reg6.test:5060;lr' })
    await assert.rejects(new Registerer(ua).register(), (e: unknown) => e instanceof SipResponseError && e.status === 403 && /403 Forbidden/.test(e.message))
  })

  it('re-registers over a new connection when the registration flow closes', async () => {
    const server = await w.server('reg7.test')
    server.handler = (r) => r.respond(200, { headers: [['Expires', '600']] })
    const ua = await w.ua('gina', { outboundProxy: 'sip:reg7.test:5060;lr' })
    const registerer = new Registerer(ua, { retryBaseMs: 1000, random: () => 1 })
    await registerer.register()
    const flow = registerer.flow
    assert.ok(flow, 'the flow is known')
    const states: string[] = []
    registerer.on('state', (s) => states.push(s))
    assert.ok(w.network.closeConnection(flow))
    await until(() => states.includes('registering'), 'connection loss noticed')
    w.clock.advance(0)
    await until(() => registerer.state === 'registered', 're-registration')
    assert.equal(server.of('REGISTER').length, 2)
    assert.notEqual(registerer.flow, flow)
    assert.deepEqual(states, ['registering', 'registered'])
  })

  it('unregisters with Expires 0 on UserAgent.stop()', async () => {
    const w2 = world()
    const server = await w2.server('reg8.test')
    server.handler = (r) => r.respond(200, { headers: [['Expires', r.message.headers.get('Expires')!]] })
    const ua = await w2.ua('hank', { outboundProxy: 'sip:reg8.test:5060;lr' })
    const registerer = new Registerer(ua)
    await registerer.register()
    await w2.close()
    const last = server.of('REGISTER').at(-1)!
    assert.equal(last.headers.get('Expires'), '0')
    assert.match(last.headers.get('Contact')!, /;expires=0/)
    assert.equal(registerer.state, 'terminated')
  })
})
