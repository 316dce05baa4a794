/**
 * A bot with a registrar, in a SylkServer room behind Kamailio: the echo bot (`msrp-bot run`)
 * registers with Kamailio and joins the room through it; a person on the SIP SIMPLE client also
 * comes through Kamailio (digest-authenticated). Kamailio routes the room URI to SylkServer
 * with a location binding (as bot-e2e does for msrp-bot server). MSRP goes straight between
 * each endpoint and SylkServer.
 *
 * SylkServer names a room after the user@host of the Request-URI it receives, and takes a
 * message whose CPIM To is any other URI for a private one. Kamailio's lookup rewrites the
 * Request-URI to the binding's Contact, so the room's URI as people dial it must have the same
 * user@host as that Contact: here `sip:lobby@127.0.0.1:<kamailio port>` and the Contact
 * `sip:lobby@127.0.0.1:<sylkserver port>` (docs/deploying.md, "Bots in SylkServer rooms").
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import type { UserAgent } from '../../src/sip/ua/index.ts'
import { LineProcess, peersAvailable, sipsimpleChat, startKamailio, startSylkServer, sylkServerAvailable, type KamailioInstance, type SylkServerInstance } from './harness/index.ts'
import { kamailioUa } from './sip-ua-helpers.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const sylkReady = sylkServerAvailable()
const kamReady = peersAvailable()
const skip = !sylkReady.ok ? sylkReady.why : !kamReady.ok ? kamReady.why : false

describe('interop: the echo bot registered with Kamailio, in a SylkServer room behind it', { skip }, () => {
  let kam: KamailioInstance
  let sylk: SylkServerInstance
  let roomBinding: UserAgent | undefined
  let bot: LineProcess | undefined
  let alice: LineProcess | undefined

  before(async () => {
    ;[kam, sylk] = await Promise.all([startKamailio({ defines: ['WITH_DEBUG'] }), startSylkServer()])
  })
  after(async () => {
    bot?.kill()
    alice?.kill()
    await roomBinding?.stop()
    await kam?.stop()
    await sylk?.stop()
  })

  it('registers, joins through Kamailio, and answers "hello" from a SIP SIMPLE client with "you said: hello"', { timeout: 90_000 }, async () => {
    const room = `sip:lobby@127.0.0.1:${kam.sipPort}`
    // Kamailio learns where the room lives: a binding whose Contact is SylkServer, with the
    // room's own user@host, so SylkServer's room is the URI people dial.
    roomBinding = await kamailioUa(kam, 'lobby')
    const register = roomBinding.createRequest('REGISTER', `sip:${kam.host}:${kam.sipPort}`, {
      to: roomBinding.fromHeader,
      headers: [
        ['Contact', `<sip:lobby@127.0.0.1:${sylk.sipPort};transport=tcp>;expires=300`],
        ['Expires', '300'],
      ],
    })
    assert.equal((await roomBinding.sendRequest(register)).status, 200)

    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIP_') && k !== 'MSRP_BOT_LOG_LEVEL'))
    const proxy = `sip:${kam.host}:${kam.sipPort};transport=tcp;lr`
    bot = new LineProcess(
      process.execPath,
      ['bin/msrp-bot.js', 'run', 'bots/echo.ts', '--uri', `sip:bot@${kam.domain}`, '--registrar', `sip:${kam.host}:${kam.sipPort};transport=tcp`, '--outbound-proxy', proxy, '--room', room, '--log-level', 'warn'],
      { cwd: REPO, env: { ...base, SIP_PASSWORD: kam.password }, label: 'msrp-bot run' },
    )
    await bot.waitFor(/running; Ctrl-C stops the bot/)
    assert.ok(bot.lines.includes(`msrp-bot: sip:bot@${kam.domain} registered`), bot.transcript())

    alice = sipsimpleChat(sylk, { room, proxy: `${kam.host}:${kam.sipPort}`, user: `sip:alice@${kam.domain}`, password: kam.password, nickname: 'alice', messages: ['hello'], privates: [[`sip:bot@${kam.domain}`, 'psst']], listen: 2 })
    await alice.waitFor(/MESSAGE bot <sip:bot@example\.test> text\/plain.*: you said: hello$/)
    await alice.waitFor(/MESSAGE bot <sip:bot@example\.test> private text\/plain.*: only you can see this: you said "psst"$/)
    assert.equal(await alice.exit(), 0, alice.transcript())
    // The welcome names the room as SylkServer knows it (sip:lobby@127.0.0.1, another URI than
    // the one dialled): the bot still took it for the room's notice and did not answer it.
    assert.ok(!alice.lines.some((l) => /you said: .*(Welcome!|has joined)/.test(l)), alice.transcript())
    for (const method of ['INVITE', 'SUBSCRIBE']) {
      assert.match(kam.log(), new RegExp(`REQ ${method} sip:lobby@127\\.0\\.0\\.1:${kam.sipPort} .*From=sip:bot@example\\.test`), `${method} from the bot through Kamailio`)
    }
    assert.match(kam.log(), /REQ INVITE sip:lobby@127\.0\.0\.1:\d+ .*From=sip:alice@example\.test/, 'alice came through Kamailio')
    assert.equal(await bot.interrupt(), 0, bot.transcript())
    assert.ok(bot.lines.includes('msrp-bot: stopping (leaving rooms, unregistering)'), bot.transcript())
  })
})
