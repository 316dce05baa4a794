/**
 * An invitation through a real SIP proxy: a participant in a room on the msrp-bot server asks
 * the room to invite a bot (REFER method=INVITE, RFC 4579 §5.5). The bot is registered with
 * Kamailio, not with the server, so the server calls it through Kamailio (`callOutProxy`):
 * Kamailio looks the bot up in its location table and relays the room's INVITE; the bot's
 * handler accepts, the bot joins and answers in the room.
 *
 * Routing as in bot-e2e.test.ts: Kamailio is the registrar and proxy of example.test, the room
 * sip:lobby@example.test is a binding at Kamailio whose contact is the server. Kamailio
 * challenges every initial request from its domain, as a real network does: the room's INVITE
 * (From sip:lobby@example.test) gets a 407 and the server answers it with its account there
 * (`callOutCredentials`; Kamailio wants the From user as the digest user). A server with the
 * wrong password gives the inviter a clear INVITATION_FAILED instead.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBot, silentLogger, type Bot } from '../../src/bot/index.ts'
import type { BackendEvent, SipChatBackend } from '../../src/chat/index.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import { InvitationError } from '../../src/chat/backend-errors.ts'
import type { UserAgent } from '../../src/sip/ua/index.ts'
import { startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers } from './sip-ua-helpers.ts'

const skip = requirePeers()

describe('interop: a room on msrp-bot server invites a bot registered at Kamailio', { skip }, () => {
  let kam: KamailioInstance
  let server: ChatServer | undefined
  let wrongServer: ChatServer | undefined
  let roomBinding: UserAgent | undefined
  let annexBinding: UserAgent | undefined
  let alice: SipChatBackend | undefined
  let bot: Bot | undefined

  before(async () => {
    kam = await startKamailio({ defines: ['WITH_DEBUG'] })
  })
  after(async () => {
    await bot?.stop()
    await alice?.stop()
    await roomBinding?.stop()
    await annexBinding?.stop()
    await server?.close()
    await wrongServer?.close()
    await kam?.stop()
  })

  /** Kamailio learns where a room lives (a third-party REGISTER, as in bot-e2e.test.ts). */
  async function bindRoom(name: string, at: ChatServer): Promise<UserAgent> {
    const serverPort = at.addresses.sip.find((a) => a.transport === 'tcp')!.port
    const binding = await kamailioUa(kam, name)
    const register = binding.createRequest('REGISTER', `sip:${kam.host}:${kam.sipPort}`, {
      to: binding.fromHeader,
      headers: [['Contact', `<sip:${name}@127.0.0.1:${serverPort};transport=tcp>;expires=300`], ['Expires', '300']],
    })
    assert.equal((await binding.sendRequest(register)).status, 200)
    return binding
  }

  it('the server INVITEs the bot through Kamailio, answers its 407; the bot accepts, joins and answers in the room', { timeout: 60_000 }, async () => {
    const proxy = `sip:${kam.host}:${kam.sipPort};transport=tcp;lr`
    server = await startChatServer({
      domain: kam.domain,
      rooms: ['lobby'],
      transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 },
      callOutProxy: proxy,
      callOutCredentials: { username: 'lobby', password: kam.password },
    })
    const room = `sip:lobby@${kam.domain}`
    roomBinding = await bindRoom('lobby', server)

    // The bot registers with Kamailio only; the server does not know it.
    const botConfig = { uri: `sip:echo@${kam.domain}`, password: kam.password, outboundProxy: proxy, transport: 'tcp' as const }
    bot = createBot(botConfig, { backend: createNodeChatBackend(botConfig, { publishPresence: false }), logger: silentLogger })
    const invitations: Array<[string, string | undefined]> = []
    bot.on('invitation', async (ctx) => {
      invitations.push([ctx.invitation.room, ctx.invitation.by])
      await ctx.invitation.accept({ nickname: 'echo' })
    })
    bot.on('message:text', (ctx) => ctx.reply(`you said: ${ctx.text}`))
    await bot.start()
    assert.equal(server.registrar.locate(bot.uri).length, 0, 'the bot is not registered with the server')

    alice = createNodeChatBackend(
      { uri: `sip:alice@${kam.domain}`, password: kam.password, transport: 'tcp', outboundProxy: proxy },
      { reconnect: false, automaton: false, publishPresence: false, logger: { debug() {}, info() {}, warn() {} } },
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
    const lobby = await alice.join(room, { nickname: 'alice' })

    await lobby.invite!(bot.uri)
    assert.deepEqual(invitations, [[room, `sip:alice@${kam.domain}`]])
    await until((e): e is Extract<BackendEvent, { type: 'join' }> => e.type === 'join' && e.participant.uri === bot!.uri)
    assert.deepEqual(lobby.participants.map((p) => p.nickname).sort(), ['alice', 'echo'])

    await lobby.send('hello, invited bot')
    const echoed = await until((e): e is Extract<BackendEvent, { type: 'message' }> => e.type === 'message' && e.body === 'you said: hello, invited bot')
    assert.equal(echoed.sender.uri, bot.uri)
    assert.deepEqual(bot.rooms.map((r) => r.uri), [room])

    // The room's INVITE to the bot crossed Kamailio twice (challenged, then with credentials), and so did the bot's roster SUBSCRIBE.
    assert.equal(kam.log().match(/REQ INVITE sip:echo@example\.test .*From=sip:lobby@example\.test/g)?.length, 2)
    assert.match(kam.log(), /REQ SUBSCRIBE sip:lobby@example\.test .*From=sip:echo@example\.test/)

    // A second server whose password Kamailio refuses: the inviter learns why, the bot is not called.
    wrongServer = await startChatServer({
      domain: kam.domain,
      rooms: ['annex'],
      transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 },
      callOutProxy: proxy,
      callOutCredentials: { username: 'annex', password: 'not-the-password' },
    })
    annexBinding = await bindRoom('annex', wrongServer)
    const annex = await alice.join(`sip:annex@${kam.domain}`, { nickname: 'alice' })
    await assert.rejects(annex.invite!(bot.uri), (e: unknown) => {
      assert.ok(e instanceof InvitationError, String(e))
      assert.equal(e.code, 'INVITATION_FAILED')
      assert.equal(e.statusCode, 407)
      assert.match(e.message, /proxy refused the room server's credentials/)
      return true
    })
    assert.equal(invitations.length, 1, 'the bot was never called into the annex')
    assert.equal(kam.log().match(/REQ INVITE sip:echo@example\.test .*From=sip:annex@example\.test/g)?.length, 2, 'answered once, not again')
  })
})
