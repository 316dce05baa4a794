/**
 * Pager-mode MESSAGE (RFC 3428) through a real Kamailio: from a sipp UAC to an SDK UA that
 * registered over TCP, from the SDK to a sipp UAS, and SDK to SDK with text/plain and
 * message/cpim bodies.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildCpim, cpimText, parseCpim } from '../../src/cpim/index.ts'
import { Registerer, type IncomingMessage, type UserAgent } from '../../src/sip/ua/index.ts'
import { freePort, runSipp, startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, messageScenarioForSdk, requirePeers, udpPortBound, wireLog } from './sip-ua-helpers.ts'

const skip = requirePeers()

describe('interop: MESSAGE through Kamailio', { skip }, () => {
  let kam: KamailioInstance
  let bot: UserAgent
  let alice: UserAgent
  let aliceWire: string[] = []
  const inbox: IncomingMessage[] = []
  before(async () => {
    kam = await startKamailio()
    bot = await kamailioUa(kam, 'bot', { transport: 'tcp' })
    bot.on('message', (m) => inbox.push(m))
    await new Registerer(bot, { expires: 300 }).register()
    alice = await kamailioUa(kam, 'alice')
    aliceWire = wireLog(alice)
  })
  after(async () => {
    await bot?.stop()
    await alice?.stop()
    await kam?.stop()
  })

  it('sipp message.xml (alice, UDP) -> Kamailio (407, auth) -> SDK UA registered over TCP: 200 from the SDK', async () => {
    const before = inbox.length
    const scenario = messageScenarioForSdk()
    const result = await runSipp({
      scenario: scenario.path,
      remote: `${kam.host}:${kam.sipPort}`,
      transport: 'u1',
      args: ['-s', 'bot', '-au', 'alice', '-ap', 'secret', '-recv_timeout', '5000'],
    }).finally(scenario.dispose)
    assert.equal(result.exitCode, 0, `${result.command}\n${result.errors}\n${result.messages.slice(-3000)}`)
    assert.match(result.messages, /SIP\/2\.0 407/)
    assert.equal(inbox.length, before + 1)
    const got = inbox.at(-1)!
    assert.equal(got.text.trim(), 'hello-from-sipp')
    assert.equal(got.contentType, 'text/plain')
    assert.equal(got.from.uri.kind === 'sip' ? got.from.uri.user : '', 'alice')
    assert.equal(got.request.source.transport, 'TCP', 'Kamailio reused the registration connection')
  })

  it('SDK (alice, UDP) -> Kamailio -> sipp uas_message.xml (bob, registered by register_keep.xml): 200 with the UAS tag', async () => {
    const port = await freePort()
    const registered = await runSipp({
      scenario: 'register_keep.xml', remote: `${kam.host}:${kam.sipPort}`, localPort: port,
      args: ['-s', 'bob', '-au', 'bob', '-ap', 'secret', '-recv_timeout', '5000'],
    })
    assert.equal(registered.exitCode, 0, `${registered.command}\n${registered.errors}`)
    const uas = runSipp({ scenario: 'uas_message.xml', localPort: port, timeoutMs: 20_000 })
    await udpPortBound(port)
    const response = await alice.sendMessage('sip:bob@example.test', 'hello-from-sipp')
    assert.equal(response.status, 200)
    assert.match(response.headers.get('To')!, /tag=\d*SIPpTag04/)
    const result = await uas
    assert.equal(result.exitCode, 0, `${result.command}\n${result.errors}\n${result.messages.slice(-3000)}`)
    assert.match(result.messages, /MESSAGE sip:bob@/)
  })

  it('SDK to SDK: text/plain and message/cpim arrive intact (Kamailio 407 answered once, then pre-emptive)', async () => {
    const start = inbox.length
    const plain = await alice.sendMessage('sip:bot@example.test', 'plain hello \u00e9')
    assert.equal(plain.status, 200)
    const cpim = buildCpim({ from: { uri: 'sip:alice@example.test' }, to: [{ uri: 'sip:bot@example.test' }], contentType: 'text/plain', body: 'wrapped hello' })
    const wrapped = await alice.sendMessage('sip:bot@example.test', cpim, 'message/cpim')
    assert.equal(wrapped.status, 200)
    assert.equal(inbox.length, start + 2)
    assert.equal(inbox[start]!.text, 'plain hello \u00e9')
    assert.equal(inbox[start + 1]!.contentType, 'message/cpim')
    assert.equal(cpimText(parseCpim(inbox[start + 1]!.body)), 'wrapped hello')
    // Three MESSAGEs from alice in this file, one 407: the credentials were reused.
    assert.equal(aliceWire.filter((w) => w === '407 MESSAGE').length, 1)
    assert.equal(aliceWire.filter((w) => w === '200 MESSAGE').length, 3)
  })
})
