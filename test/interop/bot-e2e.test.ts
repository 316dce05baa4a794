/**
 * The end-to-end test of the bot SDK on a real SIP network: the echo bot (`msrp-bot run`, a
 * child process) registers with Kamailio, joins a room on `msrp-bot server` (another child
 * process), and a participant driven over the network gets the echo.
 *
 * Routing, as an operator would set it up: Kamailio is the registrar and proxy of example.test;
 * the room sip:lobby@example.test lives on the msrp-bot server, whose address is registered
 * with Kamailio as the room's contact (a static binding, like a dispatcher entry). Bot and
 * participant send everything through Kamailio (outbound proxy), so the room's INVITE and
 * SUBSCRIBE cross Kamailio (record-routed, so in-dialog requests do too); MSRP flows directly
 * between each endpoint and the server, as the SDP says.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SipChatBackend } from '../../src/chat/index.ts'
import type { BackendEvent } from '../../src/chat/index.ts'
import type { UserAgent } from '../../src/sip/ua/index.ts'
import type { SipResponse } from '../../src/sip/message.ts'
import { freePort, LineProcess, startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers } from './sip-ua-helpers.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'

const skip = requirePeers()

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const DOMAIN = 'example.test'
const ROOM = `sip:lobby@${DOMAIN}`
/** A child `msrp-bot` process whose output lines can be awaited, without the developer's SIP_* environment. */
class MsrpBotProcess extends LineProcess {
  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIP_') && k !== 'MSRP_BOT_LOG_LEVEL'))
    super(process.execPath, ['bin/msrp-bot.js', ...args], { cwd: REPO, env: { ...base, ...env }, label: `msrp-bot ${args.slice(0, 2).join(' ')}` })
  }
}

/** Kamailio's registrations (`kamcmd ul.dump brief`): the AORs bound in usrloc. */
function registeredUsers(kam: KamailioInstance): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kamcmd', ['-s', `unix:${kam.runDir}/kamailio_ctl`, 'ul.dump', 'brief'], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kamcmd ul.dump failed: ${error.message} ${stderr}`))
      else resolve(String(stdout))
    })
  })
}

function aorBound(dump: string, user: string): boolean {
  return new RegExp(`AoR:\\s*${user}\\b`).test(dump)
}

describe('interop: the echo bot through Kamailio in a room on msrp-bot server', { skip }, () => {
  let kam: KamailioInstance
  let server: MsrpBotProcess | undefined
  let bot: MsrpBotProcess | undefined
  let roomBinding: UserAgent | undefined
  let alice: SipChatBackend | undefined

  before(async () => {
    // WITH_DEBUG: Kamailio logs every request it handles, to show which ones crossed it.
    kam = await startKamailio({ defines: ['WITH_DEBUG'] })
  })
  after(async () => {
    bot?.kill()
    server?.kill()
    await alice?.stop()
    await roomBinding?.stop()
    await kam?.stop()
  })

  it('bot registers with Kamailio, joins the room on msrp-bot server, a participant gets the echo; SIGINT stops both cleanly', { timeout: 90_000 }, async () => {
    // 1. The chat server, as an operator runs it.
    const serverPort = await freePort()
    server = new MsrpBotProcess(['server', '--host', '127.0.0.1', '--port', String(serverPort), '--msrp-port', '0', '--domain', DOMAIN, '--rooms', 'lobby', '--log-level', 'warn'])
    const ready = await server.waitFor(/ready/)
    assert.match(ready, new RegExp(`tcp://127\\.0\\.0\\.1:${serverPort}\\b.*rooms ${ROOM}`))

    // 2. Kamailio learns where the room lives: a binding for sip:lobby@example.test whose contact
    //    is the server (REGISTER over UDP with a third-party Contact, RFC 3261 §10.2).
    roomBinding = await kamailioUa(kam, 'lobby')
    const register = roomBinding.createRequest('REGISTER', `sip:${kam.host}:${kam.sipPort}`, {
      to: roomBinding.fromHeader,
      headers: [
        ['Contact', `<sip:lobby@127.0.0.1:${serverPort};transport=tcp>;expires=300`],
        ['Expires', '300'],
      ],
    })
    const bound = await roomBinding.sendRequest(register)
    assert.equal(bound.status, 200, `REGISTER of the room: ${bound.status} ${bound.reason}`)

    // 3. The echo bot, as a bot author runs it against the network.
    const proxy = `sip:${kam.host}:${kam.sipPort};transport=tcp;lr`
    bot = new MsrpBotProcess(
      ['run', 'bots/echo.ts', '--uri', `sip:bot@${DOMAIN}`, '--registrar', `sip:${kam.host}:${kam.sipPort};transport=tcp`, '--outbound-proxy', proxy, '--room', ROOM, '--log-level', 'warn'],
      { SIP_PASSWORD: kam.password },
    )
    await bot.waitFor(/running; Ctrl-C stops the bot/)
    assert.ok(bot.lines.includes(`msrp-bot: sip:bot@${DOMAIN} registered`), bot.lines.join('\n'))
    assert.ok(bot.lines.includes(`msrp-bot: joined ${ROOM} as bot`), bot.lines.join('\n'))
    assert.ok(aorBound(await registeredUsers(kam), 'bot'), 'Kamailio has the bot in its location table')

    // 4. A participant on the same network (registered with Kamailio, everything through it).
    alice = createNodeChatBackend(
      { uri: `sip:alice@${DOMAIN}`, password: kam.password, transport: 'tcp', outboundProxy: proxy },
      { reconnect: false, automaton: false, logger: { debug() {}, info() {}, warn() {} } },
    )
    const events: BackendEvent[] = []
    let wake: (() => void) | undefined
    alice.subscribe((event) => {
      events.push(event)
      wake?.()
    })
    const until = async <E extends BackendEvent>(test: (e: BackendEvent) => e is E): Promise<E> => {
      for (;;) {
        const found = events.find(test)
        if (found !== undefined) return found
        await new Promise<void>((resolve) => (wake = resolve))
      }
    }
    await alice.start()
    // Kamailio routes a pager MESSAGE for the bot to the bot's registered TCP flow; the echo bot
    // takes it (200 from its UA: the bot's To tag, not Kamailio's 404 for an unknown user) and
    // answers with its own MESSAGE, which Kamailio routes to alice's registration.
    const probe = await alice.userAgent!.sendMessage(`sip:bot@${DOMAIN}`, 'are you there?').then(
      (response) => response,
      (error: { response?: SipResponse }) => {
        if (error.response === undefined) throw error
        return error.response
      },
    )
    assert.equal(`${probe.status} ${probe.reason}`, '200 OK')
    assert.match(probe.headers.get('To') ?? '', /;tag=/, 'the response comes from the bot UA (To tag)')
    const answer = await until((e): e is Extract<BackendEvent, { type: 'direct' }> => e.type === 'direct')
    assert.equal(answer.body, 'you said: are you there?')
    assert.equal(answer.sender.uri, `sip:bot@${DOMAIN}`)
    assert.equal(answer.path, 'message')

    const room = await alice.join(ROOM, { nickname: 'alice' })
    assert.deepEqual(room.participants.map((p) => p.nickname).sort(), ['alice', 'bot'])
    await room.send('hello through kamailio')
    const echoed = await until((e): e is Extract<BackendEvent, { type: 'message' }> => e.type === 'message' && e.body === 'you said: hello through kamailio')
    assert.equal(echoed.sender.uri, `sip:bot@${DOMAIN}`)
    assert.equal(echoed.sender.nickname, 'bot')
    assert.equal(echoed.private, false)
    // The bot's and alice's joins (INVITE) and roster subscriptions (SUBSCRIBE) crossed Kamailio.
    for (const who of ['bot', 'alice']) {
      for (const method of ['INVITE', 'SUBSCRIBE']) {
        assert.match(kam.log(), new RegExp(`REQ ${method} sip:lobby@example\\.test .*From=sip:${who}@example\\.test`), `${method} from ${who} through Kamailio`)
      }
    }

    // 5. Ctrl-C to the bot: it leaves the room and unregisters from Kamailio, and exits 0.
    assert.equal(await bot.interrupt(), 0, `${bot.lines.join('\n')}\n${bot.stderr}`)
    assert.ok(bot.lines.includes('msrp-bot: stopping (leaving rooms, unregistering)'), bot.lines.join('\n'))
    const left = await until((e): e is Extract<BackendEvent, { type: 'leave' }> => e.type === 'leave' && e.participant.nickname === 'bot')
    assert.equal(left.participant.uri, `sip:bot@${DOMAIN}`)
    assert.ok(!aorBound(await registeredUsers(kam), 'bot'), 'the bot unregistered from Kamailio')
    // Its BYE followed the dialog's route set (Record-Route: Kamailio).
    assert.match(kam.log(), /REQ BYE \S+ .*From=sip:bot@example\.test/)

    // 6. Ctrl-C to the server: it says BYE to the participant (through Kamailio) and exits 0.
    assert.equal(await server.interrupt(), 0, `${server.lines.join('\n')}\n${server.stderr}`)
    assert.ok(server.lines.some((l) => /chat server stopped/.test(l)), server.lines.join('\n'))
    // The BYE says why (RFC 3326): for a server shutting down the client reports its connection
    // lost (FOCUS_RESTARTING, it would re-join later); a BYE without a Reason ends in room-closed.
    const ended = await until((e): e is BackendEvent => e.type === 'room-closed' || (e.type === 'connection' && e.state === 'disconnected'))
    if (ended.type === 'connection') assert.equal((ended.error as { code?: string } | undefined)?.code, 'FOCUS_RESTARTING')
    else assert.equal(ended.type === 'room-closed' && ended.room, ROOM)
  })
})
