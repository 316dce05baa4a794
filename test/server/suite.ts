/**
 * The chat-server integration suite, written once and run over two transports: real loopback
 * TCP (chat-server.tcp.test.ts) and in process (chat-server.memory.test.ts). DESIGN.md "one code
 * path": the same assertions must hold on both.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { parseConferenceInfo } from '../../src/conference/parse.ts'
import type { ConferenceInfo } from '../../src/conference/types.ts'
import { startChatServer, type ChatServer, type ChatServerOptions } from '../../src/server/index.ts'
import { MODERATION_TYPE as MODERATION_CONTENT_TYPE } from '../../src/rooms/content-types.ts'
import { buildModerationRequest } from '../../src/rooms/moderation.ts'
import { TestParticipant, type ReceivedNotify } from './participant.ts'
import { buildCpim } from '../../src/cpim/builder.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import type { MsrpConnection } from '../../src/msrp/connection.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'

export type SuiteTransport = 'memory' | 'tcp'

const DOMAIN = 'example.test'
const MOD = `sip:mod@${DOMAIN}`

/** Starts a server for one test; `fn` gets it and a participant factory; everything is closed afterwards. */
export async function withServer(
  kind: SuiteTransport,
  options: Partial<ChatServerOptions>,
  fn: (server: ChatServer, join: (user: string, password?: string) => Promise<TestParticipant>) => Promise<void>,
): Promise<void> {
  const server = await startChatServer({
    domain: DOMAIN,
    rooms: { lobby: { moderators: [MOD] } },
    transport: kind === 'memory' ? { kind: 'memory' } : { kind: 'sockets', host: '127.0.0.1', port: 0 },
    ...options,
  })
  const people: TestParticipant[] = []
  try {
    await fn(server, async (user, password) => {
      const p = await TestParticipant.create(server, user, password === undefined ? {} : { password })
      people.push(p)
      return p
    })
  } finally {
    await server.close()
    for (const p of people) await p.close()
  }
}

function conferenceDoc(n: ReceivedNotify): ConferenceInfo {
  return parseConferenceInfo(n.body)
}

function users(info: ConferenceInfo): string[] {
  return (info.users?.list ?? []).map((u) => u.entity).sort()
}

const PIDF = (entity: string, basic: 'open' | 'closed', note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t1"><status><basic>${basic}</basic></status><note>${note}</note></tuple></presence>`

/** Defines the suite for one transport. */
export function chatServerSuite(kind: SuiteTransport): void {
  describe(`chat server over ${kind}`, () => {
    test('join: 200 with isfocus Contact and an RFC 7701 SDP answer; unknown room 404', async () => {
      await withServer(kind, {}, async (server, join) => {
        const alice = await join('alice')
        const joined = await alice.joinOk('lobby')
        const contact = joined.response.headers.get('Contact') ?? ''
        assert.match(contact, /^<sip:lobby@[^>]+>;isfocus$/)
        const answer = joined.answer
        assert.deepEqual(answer.acceptTypes, ['message/cpim'])
        assert.ok(answer.acceptWrappedTypes.length > 0)
        assert.equal(answer.chatroom?.nickname, true)
        assert.equal(answer.chatroom?.privateMessages, true)
        assert.equal(answer.setup, 'passive', 'we offered active, so the focus is passive (RFC 6135)')
        assert.equal(answer.maxSize, 64 * 1024)
        assert.match(answer.path[0]!, new RegExp(`^msrp://[^/]+:${server.addresses.msrp.port}/`))
        assert.equal(server.room('lobby')!.participants().length, 1)
        const refused = await alice.join('nowhere')
        assert.ok('status' in refused && refused.status === 404)
      })
    })

    test('public messages reach every other participant, not the sender', async () => {
      await withServer(kind, {}, async (_server, join) => {
        const [alice, bob, carol] = await Promise.all([join('alice'), join('bob'), join('carol')])
        for (const p of [alice, bob, carol]) await p.joinOk('lobby')
        assert.equal(await alice.say('lobby', 'hello room'), 200)
        const [b, c] = await Promise.all([bob.messages.next(), carol.messages.next()])
        assert.equal(b.text, 'hello room')
        assert.equal(c.text, 'hello room')
        assert.equal(b.cpim.from.uri, alice.uri, 'the CPIM From is the sender (RFC 7701 §6.1)')
        assert.equal(b.cpim.to[0]!.uri, `sip:lobby@${DOMAIN}`)
        assert.equal(await bob.say('lobby', 'hi alice'), 200)
        assert.equal((await alice.messages.next()).text, 'hi alice')
        assert.equal(alice.messages.items.length, 1, 'alice never got her own message back')
      })
    })

    test('a CPIM To naming the room by the address the participant dialled is public, not a 404 private message', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        const sip = server.addresses.sip[0]!
        const dialled = `sip:lobby@${sip.host}:${sip.port}`
        await alice.joinOk(dialled)
        await bob.joinOk('lobby')
        // TestParticipant.say puts the URI it joined by in the CPIM To.
        assert.equal(await alice.say(dialled, 'hi via the IP form'), 200)
        const got = await bob.messages.next()
        assert.equal(got.text, 'hi via the IP form')
        assert.equal(got.cpim.to[0]!.uri, dialled, 'relayed unchanged (RFC 7701 §6.1)')
        // Bob joined by the domain form: the IP form is no address of his.
        assert.equal(await bob.say('lobby', 'x', { to: dialled }), 404)
      })
    })

    test('a SEND whose only recipient leaves as it arrives is answered 200, never 481 (RFC 4975 §7.2)', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        await alice.joinOk('lobby')
        const bobRoom = await bob.joinOk('lobby')
        // Bob's session is closing just as the copy reaches it: it answers 481 for its own
        // session and sends BYE. Alice's session is fine, so she must not hear 481.
        const session = bobRoom.session as unknown as { handleRequest(request: MsrpRequest, connection: MsrpConnection): void }
        const original = session.handleRequest.bind(session)
        let leaving: Promise<unknown> | undefined
        session.handleRequest = (request, connection) => {
          if (request.method !== 'SEND') return original(request, connection)
          connection.respond(request, 481)
          leaving ??= bob.leave('lobby')
        }
        assert.equal(await alice.say('lobby', 'anyone here?'), 200)
        await leaving
        assert.deepEqual(server.room('lobby')!.participants().map((p) => p.uri), [alice.uri])
        assert.equal(await alice.say('lobby', 'empty room'), 200, 'nobody left to deliver to is no failure either')
      })
    })

    test('private messages reach only the addressee; unknown addressee 404; spoofed From 403', async () => {
      await withServer(kind, {}, async (_server, join) => {
        const [alice, bob, carol] = await Promise.all([join('alice'), join('bob'), join('carol')])
        for (const p of [alice, bob, carol]) await p.joinOk('lobby')
        assert.equal(await alice.say('lobby', 'psst bob', { to: bob.uri }), 200)
        const got = await bob.messages.next()
        assert.equal(got.text, 'psst bob')
        assert.equal(got.cpim.to[0]!.uri, bob.uri)
        assert.equal(await alice.say('lobby', 'for everyone'), 200)
        assert.equal((await carol.messages.next()).text, 'for everyone', "carol's first message is the public one")
        assert.equal(await alice.say('lobby', 'to nobody', { to: `sip:ghost@${DOMAIN}` }), 404)
        assert.equal(await alice.say('lobby', 'i am bob', { from: bob.uri }), 403)
        assert.equal(await alice.sendRaw('lobby', 'text/plain', 'not cpim'), 415)
        assert.equal(await alice.sendRaw('lobby', 'message/cpim', 'garbage without headers'), 400)
        assert.equal(await alice.say('lobby', 'still works'), 200)
        assert.equal((await bob.messages.next((m) => m.text === 'still works')).text, 'still works')
      })
    })

    test('fast delivery mode (Failure-Report: partial copies) relays public and private messages', async () => {
      await withServer(kind, { deliveryMode: 'fast' }, async (_server, join) => {
        const [alice, bob, carol] = await Promise.all([join('alice'), join('bob'), join('carol')])
        for (const p of [alice, bob, carol]) await p.joinOk('lobby')
        assert.equal(await alice.say('lobby', 'fast hello'), 200)
        assert.deepEqual((await Promise.all([bob.messages.next(), carol.messages.next()])).map((m) => m.text), ['fast hello', 'fast hello'])
        assert.equal(await alice.say('lobby', 'fast private', { to: carol.uri }), 200)
        assert.equal((await carol.messages.next()).text, 'fast private')
        assert.equal(await alice.say('lobby', 'spoof', { from: bob.uri }), 403)
      })
    })

    test('nicknames: 200, 425 for case variants of a taken one, 424 when malformed', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        await alice.joinOk('lobby')
        await bob.joinOk('lobby')
        assert.equal(await alice.nickname('lobby', 'Alice'), 200)
        assert.equal(await bob.nickname('lobby', 'alice'), 425)
        assert.equal(await bob.nickname('lobby', 'ALICE'), 425)
        assert.equal(await bob.nickname('lobby', 'x'.repeat(100)), 424)
        assert.equal(await bob.nickname('lobby', '   '), 424)
        assert.equal(await bob.nickname('lobby', 'Bobby'), 200)
        const nicknames = server.room('lobby')!.participants().map((p) => p.nickname).sort()
        assert.deepEqual(nicknames, ['Alice', 'Bobby'])
      })
    })

    test('roster: SUBSCRIBE conference gets full state, then partials with increasing versions', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob, watcher] = await Promise.all([join('alice'), join('bob'), join('watcher')])
        await alice.joinOk('lobby')
        const sub = await watcher.subscribe(server.roomUri('lobby'), 'conference')
        assert.equal(sub.response.status, 200)
        const callId = sub.request.headers.get('Call-ID')!
        const first = conferenceDoc(await watcher.notifies.next((n) => n.callId === callId))
        assert.equal(first.state, 'full')
        assert.equal(first.version, 1)
        assert.deepEqual(users(first), [alice.uri])
        await bob.joinOk('lobby')
        const joined = conferenceDoc(await watcher.notifies.next((n) => n.callId === callId))
        assert.equal(joined.state, 'partial')
        assert.equal(joined.version, 2)
        assert.deepEqual(users(joined), [bob.uri])
        assert.equal(await bob.nickname('lobby', 'Bob'), 200)
        const renamed = conferenceDoc(await watcher.notifies.next((n) => n.callId === callId))
        assert.equal(renamed.version, 3)
        assert.equal(renamed.users?.list[0]?.displayText, 'Bob')
        assert.equal((await bob.leave('lobby')).status, 200)
        const left = conferenceDoc(await watcher.notifies.next((n) => n.callId === callId))
        assert.equal(left.version, 4)
        assert.equal(left.users?.list[0]?.state, 'deleted')
        assert.equal((await watcher.subscribe(server.roomUri('lobby'), 'presence')).response.status, 489)
      })
    })

    test('isComposing and IMDN ride through unchanged', async () => {
      await withServer(kind, {}, async (_server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        await alice.joinOk('lobby')
        await bob.joinOk('lobby')
        const composing = '<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>'
        assert.equal(await alice.say('lobby', '', { contentType: 'application/im-iscomposing+xml', body: composing }), 200)
        const got = await bob.messages.next()
        assert.equal(got.contentType, 'application/im-iscomposing+xml')
        assert.equal(got.text, composing)
      })
    })

    test('REFER method=BYE: a moderator removes a participant; others get 403', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [mod, troll, bob] = await Promise.all([join('mod'), join('troll'), join('bob')])
        for (const p of [mod, troll, bob]) await p.joinOk('lobby')
        const denied = await bob.inDialog('lobby', 'REFER', { headers: [['Refer-To', `<${troll.uri};method=BYE>`]] })
        assert.equal(denied.status, 403)
        const accepted = await mod.inDialog('lobby', 'REFER', { headers: [['Refer-To', `<${troll.uri};method=BYE>`]] })
        assert.equal(accepted.status, 202)
        assert.equal(await troll.byes.next(), server.roomUri('lobby'))
        const frag = await mod.notifies.next((n) => n.event === 'refer')
        assert.match(frag.body, /^SIP\/2\.0 200 OK/)
        assert.match(frag.state, /^terminated/)
        assert.deepEqual(server.room('lobby')!.participants().map((p) => p.uri).sort(), [bob.uri, mod.uri].sort())
        assert.equal(await mod.say('lobby', 'bye troll'), 200)
        assert.equal((await bob.messages.next()).text, 'bye troll')
      })
    })

    test('a kicked participant\'s SEND in flight is answered before the BYE (the sender learns it was delivered)', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [mod, troll, carol] = await Promise.all([join('mod'), join('troll'), join('carol')])
        for (const p of [mod, troll]) await p.joinOk('lobby')
        const carolRoom = await carol.joinOk('lobby')
        // Carol holds the relayed copy, so troll's SEND is still in flight at the focus.
        const session = carolRoom.session as unknown as { handleRequest(request: MsrpRequest, connection: MsrpConnection): void }
        const original = session.handleRequest.bind(session)
        let release: (() => void) | undefined
        const held = new Promise<void>((resolve) => {
          session.handleRequest = (request, connection) => {
            if (request.method !== 'SEND' || release !== undefined) return original(request, connection)
            release = () => original(request, connection)
            resolve()
          }
        })
        const room = server.room('lobby')!
        const removed = new Promise<void>((resolve) => {
          const stop = room.store.subscribe((e) => {
            if (e.type === 'roster' && e.change.kind === 'leave') {
              stop()
              resolve()
            }
          })
        })
        const sending = troll.say('lobby', 'last words')
        await held
        assert.equal((await mod.inDialog('lobby', 'REFER', { headers: [['Refer-To', `<${troll.uri};method=BYE>`]] })).status, 202)
        await removed
        assert.equal(room.participants().some((p) => p.uri === troll.uri), false, 'out of the roster at once')
        release!()
        assert.equal(await sending, 200, 'the in-flight SEND is answered with the delivery result')
        assert.equal(await troll.byes.next(), server.roomUri('lobby'))
        assert.equal((await carol.messages.next()).text, 'last words')
      })
    })

    test('mute (msrp-bot moderation MESSAGE): muted participants get 403, unmute restores', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [mod, bob, carol] = await Promise.all([join('mod'), join('bob'), join('carol')])
        for (const p of [mod, bob, carol]) await p.joinOk('lobby')
        const room = server.roomUri('lobby')
        const body = (action: 'mute' | 'unmute') => buildModerationRequest({ action, target: bob.uri })
        assert.equal((await carol.request('MESSAGE', room, { body: body('mute'), contentType: MODERATION_CONTENT_TYPE })).response.status, 403)
        assert.equal((await mod.request('MESSAGE', room, { body: 'mute bob', contentType: 'text/plain' })).response.status, 415)
        assert.equal((await mod.request('MESSAGE', room, { body: '{"action":"shout"}', contentType: MODERATION_CONTENT_TYPE })).response.status, 400)
        assert.equal((await mod.request('MESSAGE', room, { body: body('mute'), contentType: MODERATION_CONTENT_TYPE })).response.status, 200)
        assert.equal(await bob.say('lobby', 'can I talk?'), 403)
        assert.equal((await mod.request('MESSAGE', room, { body: body('unmute'), contentType: MODERATION_CONTENT_TYPE })).response.status, 200)
        assert.equal(await bob.say('lobby', 'yes'), 200)
        assert.equal((await carol.messages.next()).text, 'yes')
      })
    })

    test('rate limit (403) and size limit (413) per room', async () => {
      await withServer(kind, { rooms: { lobby: { rateLimit: { burst: 2, perSecond: 0.001 }, maxMessageSize: 400 } } }, async (_server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        await alice.joinOk('lobby')
        await bob.joinOk('lobby')
        assert.equal(await alice.say('lobby', 'x'.repeat(1000)), 413)
        assert.equal(await alice.say('lobby', 'one'), 200)
        assert.equal(await alice.say('lobby', 'two'), 200)
        assert.equal(await alice.say('lobby', 'three'), 403)
        assert.equal(await bob.say('lobby', 'bob is not limited by alice'), 200)
        assert.deepEqual((await Promise.all([alice.messages.next()])).map((m) => m.text), ['bob is not limited by alice'])
      })
    })

    test('registrar without digest: anyone registers; query lists the binding', async () => {
      await withServer(kind, {}, async (server, join) => {
        const alice = await join('alice')
        const response = await alice.register(600)
        assert.equal(response.status, 200)
        assert.match(response.headers.get('Contact') ?? '', /expires=600/)
        assert.equal(server.registrar.locate(alice.uri).length, 1)
        assert.equal((await alice.register(10)).status, 423)
        assert.equal((await alice.register(0)).status, 200)
        assert.equal(server.registrar.locate(alice.uri).length, 0)
      })
    })

    test('registrar with digest: challenge, good password 200, wrong password refused, unknown user challenged alike', async () => {
      await withServer(kind, { users: { alice: 'wonderland', bob: 'builder' } }, async (server, join) => {
        const alice = await join('alice', 'wonderland')
        assert.equal((await alice.register()).status, 200)
        assert.equal(server.registrar.locate(alice.uri).length, 1)
        const mallory = await join('bob', 'not-the-password')
        assert.equal((await mallory.register()).status, 401)
        // No user enumeration (issue 16 item 7): an unknown user is answered like a wrong password.
        const eve = await join('eve', 'anything')
        assert.equal((await eve.register()).status, 401)
        // Joining a room also needs credentials for local users.
        const noPassword = await join('alice')
        const refused = await noPassword.join('lobby')
        assert.ok('status' in refused && refused.status === 401)
        await alice.joinOk('lobby')
        // The proxy challenges local senders with 407 (RFC 3261 §22.3).
        const bob = await join('bob', 'builder')
        assert.equal((await bob.register()).status, 200)
        assert.equal((await noPassword.request('MESSAGE', bob.uri, { body: 'x', contentType: 'text/plain' })).response.status, 407)
        assert.equal((await alice.request('MESSAGE', bob.uri, { body: 'authenticated page', contentType: 'text/plain' })).response.status, 200)
        assert.equal((await bob.sipMessages.next()).body.toString(), 'authenticated page')
      })
    })

    test('presence: PUBLISH PIDF, SUBSCRIBE gets it in a NOTIFY, republish notifies again', async () => {
      await withServer(kind, {}, async (_server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        const published = await alice.request('PUBLISH', alice.uri, { headers: [['Event', 'presence'], ['Expires', '600']], body: PIDF(alice.uri, 'open', 'here'), contentType: 'application/pidf+xml' })
        assert.equal(published.response.status, 200)
        const etag = published.response.headers.get('SIP-ETag')
        assert.ok(etag)
        const forged = await bob.request('PUBLISH', alice.uri, { headers: [['Event', 'presence']], body: PIDF(alice.uri, 'closed', 'forged'), contentType: 'application/pidf+xml' })
        assert.equal(forged.response.status, 403)
        const sub = await bob.subscribe(alice.uri, 'presence')
        assert.equal(sub.response.status, 200)
        const callId = sub.request.headers.get('Call-ID')!
        const first = await bob.notifies.next((n) => n.callId === callId)
        assert.equal(first.contentType, 'application/pidf+xml')
        assert.match(first.body, /<note>here<\/note>/)
        assert.match(first.state, /^active/)
        const update = await alice.request('PUBLISH', alice.uri, { headers: [['Event', 'presence'], ['SIP-If-Match', etag!]], body: PIDF(alice.uri, 'closed', 'away'), contentType: 'application/pidf+xml' })
        assert.equal(update.response.status, 200)
        assert.match((await bob.notifies.next((n) => n.callId === callId)).body, /<note>away<\/note>/)
      })
    })

    test('proxy: MESSAGE between registered users; 404 unregistered, 403 foreign domain', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        assert.equal((await bob.register()).status, 200)
        // The binding remembers bob's connection (RFC 5626 flow): requests go back over it.
        assert.ok(server.registrar.locate(bob.uri)[0]?.destination.connectionId !== undefined)
        const sent = await alice.request('MESSAGE', bob.uri, { body: 'hi bob, page mode', contentType: 'text/plain' })
        assert.equal(sent.response.status, 200)
        const got = await bob.sipMessages.next()
        assert.equal(got.body.toString(), 'hi bob, page mode')
        assert.match(got.headers.get('From') ?? '', /alice@example\.test/)
        assert.equal((await alice.request('MESSAGE', `sip:carol@${DOMAIN}`, { body: 'x', contentType: 'text/plain' })).response.status, 404)
        assert.equal((await alice.request('MESSAGE', 'sip:someone@elsewhere.test', { body: 'x', contentType: 'text/plain' })).response.status, 403)
        assert.equal((await alice.request('OPTIONS', `sip:${DOMAIN}`)).response.status, 200)
      })
    })

    test('proxy: INVITE between registered users is record-routed; ACK and BYE pass through', async () => {
      await withServer(kind, {}, async (_server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        bob.acceptCalls = true
        assert.equal((await bob.register()).status, 200)
        const offer = createOffer({ path: [`msrp://127.0.0.1:9/${'a'.repeat(10)};tcp`], acceptTypes: ['text/plain'] })
        const { request, response } = await alice.request('INVITE', bob.uri, { body: offer, contentType: 'application/sdp' })
        assert.equal(response.status, 200)
        assert.ok(response.headers.getAllLines('Record-Route').length >= 1, 'the proxy record-routes the dialog')
        const call = await bob.calls.next()
        assert.match(call.request.headers.get('Via') ?? '', /branch=/)
        const dialog = alice.core.createUacDialog(request, response)
        await alice.core.sendAck(dialog.createAck(readCSeq(request.headers).seq))
        assert.equal(await bob.callRequests.next((m) => m === 'ACK'), 'ACK')
        const bye = await alice.core.sendRequest(dialog.createRequest('BYE'), { dialog })
        assert.equal(bye.status, 200)
        assert.equal(await bob.callRequests.next((m) => m === 'BYE'), 'BYE')
      })
    })

    test('a participant that offers a=setup:passive is dialled by the focus (RFC 6135)', async () => {
      await withServer(kind, {}, async (_server, join) => {
        const [alice, bob] = await Promise.all([join('alice'), join('bob')])
        await alice.joinOk('lobby')
        const joined = await bob.joinPassive('lobby')
        assert.equal(joined.answer.setup, 'active')
        assert.equal(await alice.say('lobby', 'hello passive bob'), 200)
        assert.equal((await bob.messages.next()).text, 'hello passive bob')
        assert.equal(await bob.say('lobby', 'hi'), 200)
        assert.equal((await alice.messages.next()).text, 'hi')
      })
    })

    test('leaving: BYE and a dropped MSRP connection both remove the participant; others keep chatting', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob, carol] = await Promise.all([join('alice'), join('bob'), join('carol')])
        for (const p of [alice, bob, carol]) await p.joinOk('lobby')
        assert.equal((await carol.leave('lobby')).status, 200)
        // Bob's MSRP connection dies: the focus ends his call with BYE.
        bob.rooms.get(server.roomUri('lobby'))!.session.connection!.close()
        assert.equal(await bob.byes.next(), server.roomUri('lobby'))
        assert.deepEqual(server.room('lobby')!.participants().map((p) => p.uri), [alice.uri])
        const dave = await join('dave')
        await dave.joinOk('lobby')
        assert.equal(await alice.say('lobby', 'anyone?'), 200)
        assert.equal((await dave.messages.next()).text, 'anyone?')
      })
    })

    test('bad input on either protocol: error answers or a closed connection, and chat goes on', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [alice, bob, mallory] = await Promise.all([join('alice'), join('bob'), join('mallory')])
        await alice.joinOk('lobby')
        await bob.joinOk('lobby')
        // MSRP: garbage on a fresh connection closes that connection only.
        const { host, port } = server.addresses.msrp
        const stream: Duplex = server.network !== undefined ? server.network.msrp.connect(host, port) : connect({ host, port })
        const closed = new Promise<void>((resolve) => stream.on('close', () => resolve()))
        stream.on('error', () => undefined)
        stream.resume()
        stream.write('MSRP abcd SEND\r\nTo-Path: not a uri\r\n\r\n-------abcd$\r\n' + 'x'.repeat(100) + '\r\n\r\n')
        await closed
        // SIP: an unparseable request gets 400 (or is dropped); a bare junk datagram/segment is dropped.
        const target = { host: mallory.serverDestination.host, port: mallory.serverDestination.port, transport: mallory.transport }
        await mallory.set.send(Buffer.from('INVITE sip:lobby@example.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKjunk\r\nCSeq: banana\r\nContent-Length: 0\r\n\r\n'), target).catch(() => undefined)
        // Not SDP: 488; a SEND to a session id nobody has: 481 (RFC 4975 §10).
        const notSdp = await mallory.request('INVITE', server.roomUri('lobby'), { body: 'hello', contentType: 'text/plain' })
        assert.equal(notSdp.response.status, 488)
        const badSdp = await mallory.request('INVITE', server.roomUri('lobby'), { body: 'v=0\r\nm=audio 9 RTP/AVP 0\r\n', contentType: 'application/sdp' })
        assert.ok([400, 488].includes(badSdp.response.status))
        assert.equal(await alice.say('lobby', 'still chatting'), 200)
        assert.equal((await bob.messages.next()).text, 'still chatting')
        assert.equal(server.room('lobby')!.participants().length, 2)
      })
    })

    test('Success-Report: yes gets a success REPORT once every recipient took the message; a refused one a failure REPORT (RFC 4975 §7.1.2)', async () => {
      await withServer(kind, {}, async (server, join) => {
        const [mod, alice, bob] = await Promise.all([join('mod'), join('alice'), join('bob')])
        for (const p of [mod, alice, bob]) await p.joinOk('lobby')
        const session = alice.rooms.get(server.roomUri('lobby'))!.session
        const reports: Array<{ code: number | undefined; messageId: string | undefined; range: unknown }> = []
        session.on('report', (r) => reports.push({ code: r.headers.Status?.code, messageId: r.headers['Message-ID'], range: r.headers['Byte-Range'] }))
        const cpim = (text: string) => buildCpim({ from: { uri: alice.uri }, to: [{ uri: server.roomUri('lobby') }], contentType: 'text/plain', body: text })
        // send() with successReport resolves only after the success REPORT arrived.
        const sent = await session.send({ contentType: 'message/cpim', body: cpim('confirmed?'), successReport: true })
        assert.equal((await bob.messages.next()).text, 'confirmed?')
        assert.equal(reports.length, 1)
        assert.equal(reports[0]!.code, 200)
        assert.equal(reports[0]!.messageId, sent.messageId)
        // Muted: the SEND is refused (403) and, as a success REPORT was asked for, a failure REPORT follows.
        assert.equal((await mod.request('MESSAGE', server.roomUri('lobby'), { body: buildModerationRequest({ action: 'mute', target: alice.uri }), contentType: MODERATION_CONTENT_TYPE })).response.status, 200)
        const failed = new Promise<number | undefined>((resolve) => session.once('report', (r) => resolve(r.headers.Status?.code)))
        await assert.rejects(session.send({ contentType: 'message/cpim', body: cpim('muted'), successReport: true }), { status: 403 })
        assert.equal(await failed, 403)
      })
    })

    test('BYE Reason (RFC 3326): kicked 403, MSRP failure 408, room deleted 410, shutdown 503', async () => {
      const server = await startChatServer({ domain: DOMAIN, rooms: { lobby: { moderators: [MOD] }, dev: {} }, transport: kind === 'memory' ? { kind: 'memory' } : { kind: 'sockets', host: '127.0.0.1', port: 0 } })
      const [mod, troll, bob, carol, dave] = await Promise.all([TestParticipant.create(server, 'mod'), TestParticipant.create(server, 'troll'), TestParticipant.create(server, 'bob'), TestParticipant.create(server, 'carol'), TestParticipant.create(server, 'dave')])
      try {
        for (const p of [mod, troll, bob]) await p.joinOk('lobby')
        await carol.joinOk('dev')
        await dave.joinOk('dev')
        assert.equal((await mod.inDialog('lobby', 'REFER', { headers: [['Refer-To', `<${troll.uri};method=BYE>`]] })).status, 202)
        assert.deepEqual(await troll.byeReasons.next(), { room: server.roomUri('lobby'), reason: 'SIP;cause=403;text="Removed by moderator"' })
        bob.rooms.get(server.roomUri('lobby'))!.session.connection!.close()
        assert.deepEqual(await bob.byeReasons.next(), { room: server.roomUri('lobby'), reason: 'SIP;cause=408;text="MSRP session failed"' })
        // deleteRoom: BYE 410 to each participant, the roster subscription ends with noresource.
        const sub = await dave.subscribe(server.roomUri('dev'), 'conference')
        const callId = sub.request.headers.get('Call-ID')!
        await dave.notifies.next((n) => n.callId === callId)
        assert.equal(await server.deleteRoom('dev'), true)
        assert.deepEqual(await carol.byeReasons.next(), { room: server.roomUri('dev'), reason: 'SIP;cause=410;text="Room closed"' })
        assert.deepEqual(await dave.byeReasons.next(), { room: server.roomUri('dev'), reason: 'SIP;cause=410;text="Room closed"' })
        const last = await dave.notifies.next((n) => n.callId === callId && n.state.startsWith('terminated'))
        assert.match(last.state, /reason=noresource/)
        assert.equal(server.room('dev'), undefined)
        assert.equal(await server.deleteRoom('dev'), false)
        const again = await carol.join('dev')
        assert.equal((again as { status?: number }).status, 404)
        // Shutdown: 503, not a kick.
        await server.close()
        assert.deepEqual(await mod.byeReasons.next(), { room: server.roomUri('lobby'), reason: 'SIP;cause=503;text="Server shutting down"' })
      } finally {
        await server.close()
        for (const p of [mod, troll, bob, carol, dave]) await p.close()
      }
    })

    test('close: BYE to every participant and a final NOTIFY to roster watchers', async () => {
      const server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'], transport: kind === 'memory' ? { kind: 'memory' } : { kind: 'sockets', host: '127.0.0.1', port: 0 } })
      const alice = await TestParticipant.create(server, 'alice')
      const bob = await TestParticipant.create(server, 'bob')
      try {
        await alice.joinOk('lobby')
        await bob.joinOk('lobby')
        const sub = await bob.subscribe(server.roomUri('lobby'), 'conference')
        const callId = sub.request.headers.get('Call-ID')!
        await bob.notifies.next((n) => n.callId === callId)
        await server.close()
        assert.equal(await alice.byes.next(), server.roomUri('lobby'))
        assert.equal(await bob.byes.next(), server.roomUri('lobby'))
        const last = await bob.notifies.next((n) => n.callId === callId && n.state.startsWith('terminated'))
        assert.match(last.state, /reason=noresource/)
      } finally {
        await server.close()
        await alice.close()
        await bob.close()
      }
    })
  })
}
