/**
 * A direct chat with a bot over a real SIP network: sipp sends a page-mode MESSAGE (RFC 3428)
 * to the echo bot's own address; the bot is registered with Kamailio over TCP, Kamailio
 * authenticates alice (407) and relays the MESSAGE to the bot's registration; the bot answers
 * 200 and then its own MESSAGE, which Kamailio authenticates (407, answered by the bot) and
 * relays to alice's registration: a sipp UAS that checks the echo.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBot, type Bot } from '../../src/bot/index.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { freePort, runSipp, startKamailio, type KamailioInstance } from './harness/index.ts'
import { messageScenarioForSdk, requirePeers, udpPortBound } from './sip-ua-helpers.ts'

const skip = requirePeers()

describe('interop: sipp writes to a bot registered at Kamailio', { skip }, () => {
  let kam: KamailioInstance
  let bot: Bot | undefined
  const heard: string[] = []

  before(async () => {
    kam = await startKamailio()
    const config = { uri: `sip:echo@${kam.domain}`, password: kam.password, outboundProxy: `sip:${kam.host}:${kam.sipPort};lr;transport=tcp`, transport: 'tcp' as const }
    bot = createBot(config, { backend: createNodeChatBackend(config, { publishPresence: false }) })
    bot.on('direct:text', (ctx) => {
      heard.push(`${ctx.direct.path} ${ctx.sender.uri} ${ctx.text.trim()}`)
      return ctx.reply(`you said: ${ctx.text.trim()}`)
    })
    await bot.start()
  })
  after(async () => {
    await bot?.stop()
    await kam?.stop()
  })

  it('sipp MESSAGE (alice) -> Kamailio (407) -> bot: 200, and the bot answers with a MESSAGE that reaches alice', { timeout: 60_000 }, async () => {
    const port = await freePort()
    const registered = await runSipp({
      scenario: 'register_keep.xml', remote: `${kam.host}:${kam.sipPort}`, localPort: port,
      args: ['-s', 'alice', '-au', 'alice', '-ap', kam.password, '-recv_timeout', '5000'],
    })
    assert.equal(registered.exitCode, 0, `${registered.command}\n${registered.errors}`)
    const answer = runSipp({ scenario: 'uas_bot_answer.xml', localPort: port, timeoutMs: 30_000 })
    await udpPortBound(port)
    const scenario = messageScenarioForSdk()
    const sent = await runSipp({
      scenario: scenario.path,
      remote: `${kam.host}:${kam.sipPort}`,
      transport: 'u1',
      args: ['-s', 'echo', '-au', 'alice', '-ap', kam.password, '-recv_timeout', '5000'],
    }).finally(scenario.dispose)
    assert.equal(sent.exitCode, 0, `${sent.command}\n${sent.errors}\n${sent.messages.slice(-3000)}`)
    assert.match(sent.messages, /SIP\/2\.0 407/)
    const received = await answer
    assert.equal(received.exitCode, 0, `${received.command}\n${received.errors}\n${received.messages.slice(-3000)}`)
    assert.match(received.messages, /you said: hello-from-sipp/)
    assert.deepEqual(heard, ['message sip:alice@example.test hello-from-sipp'])
  })
})
