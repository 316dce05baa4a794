/**
 * Issue 16 item 1: a From such as `<sip:mod%40example.test%3F@evil.test>` names the user
 * `mod@example.test?` at evil.test, a foreign guest, and must never be taken for
 * `sip:mod@example.test`. Each test below is one consequence the attack had, without a password.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startChatServer, type ChatServer, type ChatServerOptions } from '../../src/server/index.ts'
import { MODERATION_TYPE as MODERATION_CONTENT_TYPE } from '../../src/rooms/content-types.ts'
import { buildModerationRequest } from '../../src/rooms/moderation.ts'
import { TestParticipant } from './participant.ts'
import { TransportSet } from '../../src/sip/transport/transport-set.ts'

const DOMAIN = 'example.test'
const USERS = { mod: 'mod-secret', alice: 'alice-secret', bob: 'bob-secret' }
/** The crafted identity of the attack: decoded, its user part is `<name>@example.test?`. */
const spoof = (name: string): string => `sip:${name}%40${DOMAIN}%3F@evil.test`

async function withServer(fn: (server: ChatServer, people: { join: (user: keyof typeof USERS) => Promise<TestParticipant>; attacker: (as: string) => Promise<TestParticipant> }) => Promise<void>, options: Partial<ChatServerOptions> = {}): Promise<void> {
  const server = await startChatServer({ domain: DOMAIN, users: USERS, allowGuests: true, rooms: { lobby: { moderators: [`sip:mod@${DOMAIN}`] } }, ...options })
  const people: TestParticipant[] = []
  const make = async (user: string, init: { password?: string; uri?: string }): Promise<TestParticipant> => {
    const p = await TestParticipant.create(server, user, init)
    people.push(p)
    return p
  }
  try {
    await fn(server, {
      join: (user) => make(user, { password: USERS[user] }),
      attacker: (as) => make('mallory', { uri: spoof(as) }),
    })
  } finally {
    await server.close()
    for (const p of people) await p.close()
  }
}

describe('a From whose user part hides another identity (issue 16 item 1)', () => {
  test('the crafted guest is not the moderator: REFER method=BYE is 403 and nobody is kicked', async () => {
    await withServer(async (server, { join, attacker }) => {
      const alice = await join('alice')
      await alice.joinOk('lobby')
      const mallory = await attacker('mod')
      await mallory.joinOk('lobby')
      const room = server.room('lobby')!
      const guest = room.participants().find((p) => p.uri !== alice.uri)!
      assert.equal(guest.uri, spoof('mod'), 'the guest keeps its own identity, escaped')
      assert.equal(room.roleOf(guest.uri), 'participant')
      const kick = await mallory.inDialog('lobby', 'REFER', { headers: [['Refer-To', `<${alice.uri};method=BYE>`]] })
      assert.equal(kick.status, 403)
      assert.deepEqual(room.participants().map((p) => p.uri).sort(), [alice.uri, spoof('mod')].sort())
    })
  })

  test('the crafted guest cannot mute', async () => {
    await withServer(async (server, { join, attacker }) => {
      const [alice, bob] = [await join('alice'), await join('bob')]
      await alice.joinOk('lobby')
      await bob.joinOk('lobby')
      const mallory = await attacker('mod')
      await mallory.joinOk('lobby')
      const mute = await mallory.request('MESSAGE', server.roomUri('lobby'), { body: buildModerationRequest({ action: 'mute', target: alice.uri }), contentType: MODERATION_CONTENT_TYPE })
      assert.equal(mute.response.status, 403)
      assert.equal(await alice.say('lobby', 'not muted'), 200)
      assert.equal((await bob.messages.next()).text, 'not muted')
    })
  })

  test('the crafted guest cannot send CPIM as bob', async () => {
    await withServer(async (_server, { join, attacker }) => {
      const bob = await join('bob')
      await bob.joinOk('lobby')
      const mallory = await attacker('bob')
      await mallory.joinOk('lobby')
      assert.equal(await mallory.say('lobby', 'i am bob', { from: bob.uri }), 403)
      assert.equal(await mallory.say('lobby', 'as myself', { from: spoof('bob') }), 200)
      assert.equal((await bob.messages.next()).cpim.from.uri, spoof('bob'))
    })
  })

  test("the crafted guest does not receive bob's private messages", async () => {
    await withServer(async (_server, { join, attacker }) => {
      const alice = await join('alice')
      await alice.joinOk('lobby')
      const mallory = await attacker('bob')
      await mallory.joinOk('lobby')
      assert.equal(await alice.say('lobby', 'psst bob', { to: `sip:bob@${DOMAIN}` }), 404, 'bob is not in the room; the guest is not bob')
      const bob = await join('bob')
      await bob.joinOk('lobby')
      assert.equal(await alice.say('lobby', 'psst bob, again', { to: bob.uri }), 200)
      assert.equal((await bob.messages.next()).text, 'psst bob, again')
      assert.equal(await alice.say('lobby', 'for everyone'), 200)
      assert.equal((await mallory.messages.next()).text, 'for everyone', "the guest's first message is the public one")
    })
  })

  test('the crafted guest cannot register a contact for bob, so MESSAGEs to bob never reach it', async () => {
    await withServer(async (server, { join, attacker }) => {
      const mallory = await attacker('bob')
      const registered = await mallory.register()
      assert.notEqual(registered.status, 200)
      assert.equal(server.registrar.locate(`sip:bob@${DOMAIN}`).length, 0)
      const alice = await join('alice')
      assert.equal((await alice.request('MESSAGE', `sip:bob@${DOMAIN}`, { body: 'hi bob', contentType: 'text/plain' })).response.status, 404)
    })
  })

  test("the crafted guest cannot remove bob's bindings with Contact: *", async () => {
    await withServer(async (server, { join, attacker }) => {
      const bob = await join('bob')
      assert.equal((await bob.register()).status, 200)
      const mallory = await attacker('bob')
      const request = mallory.core.createRequest('REGISTER', `sip:${DOMAIN}`, { from: `<${mallory.uri}>`, to: `<${mallory.uri}>`, headers: [['Contact', '*'], ['Expires', '0']] })
      const response = await mallory.core.sendRequest(request, { destination: mallory.serverDestination })
      assert.notEqual(response.status, 200)
      assert.equal(server.registrar.locate(bob.uri).length, 1)
    })
  })

  test("the crafted guest cannot publish bob's presence", async () => {
    await withServer(async (_server, { attacker }) => {
      const mallory = await attacker('bob')
      const pidf = `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bob@${DOMAIN}"><tuple id="t1"><status><basic>closed</basic></status></tuple></presence>`
      const published = await mallory.request('PUBLISH', `sip:bob@${DOMAIN}`, { headers: [['Event', 'presence']], body: pidf, contentType: 'application/pidf+xml' })
      assert.equal(published.response.status, 403)
    })
  })

  test('a From that does not parse is refused with 400, never taken as a foreign guest', async () => {
    await withServer(async (server) => {
      // Our own client refuses to build such a request, so this one is written by hand.
      const raw = new TransportSet([server.network!.sip.createTransport({ host: 'raw.invalid', port: 5060 })])
      await raw.listen()
      try {
        const answered = new Promise<string>((resolve) => raw.on('message', (bytes) => {
          const text = bytes.toString('utf8')
          if (!text.startsWith('SIP/2.0 1')) resolve(text)
        }))
        const server0 = server.addresses.sip.find((a) => a.transport === 'memory')!
        const request = [
          `INVITE ${server.roomUri('lobby')} SIP/2.0`,
          'Via: SIP/2.0/MEMORY raw.invalid:5060;branch=z9hG4bK-unparseable-from',
          'Max-Forwards: 70',
          'From: <sip:mod@example.test@evil.test>;tag=x',
          `To: <${server.roomUri('lobby')}>`,
          'Call-ID: unparseable-from',
          'CSeq: 1 INVITE',
          'Contact: <sip:mallory@raw.invalid:5060;transport=memory>',
          'Content-Length: 0',
          '', '',
        ].join('\r\n')
        await raw.send(Buffer.from(request), { host: server0.host, port: server0.port, transport: 'memory' })
        assert.match(await answered, /^SIP\/2\.0 400 /)
        assert.equal(server.room('lobby')!.participants().length, 0)
      } finally {
        await raw.close()
      }
    })
  })
})
