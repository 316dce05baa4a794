import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildCpim, parseCpim, cpimText } from '../../../src/cpim/index.ts'
import { Messager, SipAuthError, SipResponseError, type IncomingMessage } from '../../../src/sip/ua/index.ts'
import { TransactionTimeoutError } from '../../../src/sip/transaction/errors.ts'
import { digestGuard, settle, world } from './helpers.ts'

describe('Messager and incoming MESSAGE (RFC 3428)', () => {
  const w = world()
  after(() => w.close())

  it('sends text/plain to another UA, which gets a message event and answers 200 by default', async () => {
    const alice = await w.ua('alice')
    const bob = await w.ua('bob')
    const got: IncomingMessage[] = []
    bob.on('message', (m) => got.push(m))
    const response = await alice.sendMessage('sip:bob@bob.test:5060', 'hello bob')
    assert.equal(response.status, 200)
    assert.equal(got.length, 1)
    assert.equal(got[0]!.text, 'hello bob')
    assert.equal(got[0]!.contentType, 'text/plain')
    assert.equal(got[0]!.from.uri.kind === 'sip' && got[0]!.from.uri.user, 'alice')
  })

  it('carries a message/cpim body intact both ways', async () => {
    const carol = await w.ua('carol')
    const dave = await w.ua('dave')
    let received: IncomingMessage | undefined
    dave.on('message', (m) => { received = m })
    const cpim = buildCpim({ from: { uri: 'sip:carol@example.test' }, to: [{ uri: 'sip:dave@example.test' }], contentType: 'text/plain', body: 'wrapped hi' })
    await new Messager(carol, 'sip:dave@dave.test:5060', cpim, 'message/cpim').message()
    assert.ok(received)
    assert.equal(received.contentType, 'message/cpim')
    assert.equal(cpimText(parseCpim(received.body)), 'wrapped hi')
  })

  it('reject(486) from the receiver rejects the sender with SipResponseError status 486', async () => {
    const erin = await w.ua('erin')
    const fred = await w.ua('fred')
    fred.on('message', (m) => m.reject(486))
    await assert.rejects(erin.sendMessage('sip:fred@fred.test:5060', 'busy?'), (e: unknown) => e instanceof SipResponseError && e.status === 486)
  })

  it('defer() lets the application answer later', async () => {
    const gus = await w.ua('gus')
    const hal = await w.ua('hal')
    let pending: IncomingMessage | undefined
    hal.on('message', (m) => {
      m.defer()
      pending = m
    })
    let settled = false
    const sending = gus.sendMessage('sip:hal@hal.test:5060', 'later').finally(() => { settled = true })
    await settle()
    assert.equal(settled, false)
    pending!.accept()
    assert.equal((await sending).status, 200)
  })

  it('a UA without a message listener answers 480 so nothing is lost silently', async () => {
    const ian = await w.ua('ian')
    await w.ua('jan')
    await assert.rejects(ian.sendMessage('sip:jan@jan.test:5060', 'anyone?'), (e: unknown) => e instanceof SipResponseError && e.status === 480)
  })

  it('an outbound proxy configured without ;lr is still the next hop, sent to as a loose route (RFC 3261 §8.1.2)', async () => {
    const proxy = await w.server('strictless.test')
    proxy.handler = (r) => r.respond(202)
    const ua = await w.ua('ossie', { outboundProxy: 'sip:strictless.test:5060' })
    assert.equal(ua.nextHopOf(ua.createRequest('MESSAGE', 'sip:lou@example.test')).host, 'strictless.test')
    assert.equal((await ua.sendMessage('sip:lou@example.test', 'via the proxy')).status, 202)
    const [got] = proxy.of('MESSAGE')
    assert.ok(got, 'the proxy received the MESSAGE')
    assert.equal(got.uri, 'sip:lou@example.test', 'the Request-URI stays the target')
    assert.equal(got.headers.get('Route'), '<sip:strictless.test:5060;lr>')
  })

  it('answers a 407 with Proxy-Authorization; the next MESSAGE carries it pre-emptively', async () => {
    const proxy = await w.server('proxy.test')
    const auth = digestGuard('example.test', 'secret', { qop: false })
    proxy.handler = async (r) => {
      const result = await auth.verify(r.message.headers.getAllLines('Proxy-Authorization'), { method: 'MESSAGE' })
      if (result.ok) r.respond(202)
      else r.respond(407, { headers: auth.challenge().map((v) => ['Proxy-Authenticate', v] as const) })
    }
    const kim = await w.ua('kim', { outboundProxy: 'sip:proxy.test:5060;lr' })
    assert.equal((await kim.sendMessage('sip:lou@example.test', 'one')).status, 202)
    assert.equal((await kim.sendMessage('sip:lou@example.test', 'two')).status, 202)
    const messages = proxy.of('MESSAGE')
    assert.equal(messages.length, 3, '407 once, then pre-emptive credentials')
    assert.equal(messages[0]!.headers.has('Proxy-Authorization'), false)
    assert.ok(messages[2]!.headers.has('Proxy-Authorization'))
    assert.equal(messages[2]!.headers.get('Route'), '<sip:proxy.test:5060;lr>')
  })

  it('a 407 without a configured password rejects with SIP_AUTH_NO_CREDENTIALS', async () => {
    const proxy = await w.server('proxy2.test')
    const auth = digestGuard()
    proxy.handler = (r) => r.respond(407, { headers: auth.challenge().map((v) => ['Proxy-Authenticate', v] as const) })
    const ua = await w.ua('mo', { outboundProxy: 'sip:proxy2.test:5060;lr', password: undefined })
    await assert.rejects(ua.sendMessage('sip:x@example.test', 'x'), (e: unknown) => e instanceof SipAuthError && e.code === 'SIP_AUTH_NO_CREDENTIALS')
  })

  it('no answer rejects with a typed transaction timeout', async () => {
    const proxy = await w.server('silent.test')
    proxy.handler = () => {}
    const ua = await w.ua('ned', { outboundProxy: 'sip:silent.test:5060;lr' })
    const sending = ua.sendMessage('sip:x@example.test', 'x')
    await settle()
    w.clock.advance(32_000)
    await assert.rejects(sending, (e: unknown) => e instanceof TransactionTimeoutError && e.code === 'SIP_TRANSACTION_TIMEOUT')
  })

  it('answers OPTIONS with Allow, Accept and Supported', async () => {
    const server = await w.server('asker.test')
    await w.ua('olga')
    const request = server.core.createRequest('OPTIONS', 'sip:olga@olga.test:5060', { from: '<sip:asker@example.test>' })
    const response = await server.core.sendRequest(request)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('Allow')!, /INVITE.*MESSAGE.*SUBSCRIBE/)
    assert.match(response.headers.get('Accept')!, /message\/cpim/)
    assert.match(response.headers.get('Supported')!, /timer/)
  })
})
