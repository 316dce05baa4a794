/**
 * Who may do what with `users` set (issue 16 items 4, 6, 7): foreign identities need an
 * assertion or `allowGuests`, unknown users are challenged like known ones, digest failures are
 * throttled and logged one line each, and the roster shows no participant's address.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConferenceInfo } from '../../src/conference/parse.ts'
import { startChatServer, type ChatServer, type ChatServerOptions } from '../../src/server/index.ts'
import { TestParticipant } from './participant.ts'

const DOMAIN = 'example.test'
const USERS = { alice: 'alice-secret', bob: 'bob-secret' }
/** The fail2ban filter of docs/security.md, as a RegExp (`<HOST>` → an address). */
const FAIL2BAN = /auth failure source=(\S+) port=\d+ user=\S+ method=\S+ reason=\S+$/

interface Env {
  server: ChatServer
  lines: string[]
  make: (user: string, init?: { password?: string; uri?: string; host?: string }) => Promise<TestParticipant>
}

async function withServer(options: Partial<ChatServerOptions>, fn: (env: Env) => Promise<void>): Promise<void> {
  const lines: string[] = []
  const logger = { debug: () => {}, info: () => {}, warn: (line: string) => { lines.push(line) } }
  const server = await startChatServer({ domain: DOMAIN, users: USERS, rooms: ['lobby'], logger, ...options })
  const people: TestParticipant[] = []
  try {
    await fn({
      server,
      lines,
      make: async (user, init = {}) => {
        const p = await TestParticipant.create(server, user, init)
        people.push(p)
        return p
      },
    })
  } finally {
    await server.close()
    for (const p of people) await p.close()
  }
}

const conference = (p: TestParticipant, room: string, headers: Array<[string, string]> = []) =>
  p.request('SUBSCRIBE', room, { headers: [['Event', 'conference'], ['Expires', '600'], ['Accept', 'application/conference-info+xml'], ...headers] })

describe('identities with --users (issue 16)', () => {
  test('item 7: an unknown user is challenged exactly like a known one', async () => {
    await withServer({}, async ({ make }) => {
      const known = await make('alice', { password: 'wrong' })
      const unknown = await make('nobody', { password: 'wrong' })
      const answers = await Promise.all([known.register(), unknown.register()])
      for (const a of answers) {
        assert.equal(a.status, 401)
        assert.equal(a.reason, 'Unauthorized')
        assert.equal(a.headers.getAllLines('WWW-Authenticate').length, 2)
      }
      const bare = await make('ghost')
      assert.equal((await bare.register()).status, 401, 'no credentials: the same challenge')
    })
  })

  test('item 4: a foreign identity is refused: join, roster and presence subscriptions, MESSAGE', async () => {
    await withServer({}, async ({ server, make }) => {
      const alice = await make('alice', { password: USERS.alice })
      assert.equal((await alice.register()).status, 200)
      const carol = await make('carol', { uri: 'sip:carol@elsewhere.test' })
      const joined = await carol.join('lobby')
      assert.ok('status' in joined && joined.status === 403, 'join refused')
      assert.equal((await conference(carol, server.roomUri('lobby'))).response.status, 403)
      assert.equal((await carol.request('SUBSCRIBE', alice.uri, { headers: [['Event', 'presence'], ['Accept', 'application/pidf+xml']] })).response.status, 403)
      assert.equal((await carol.request('MESSAGE', alice.uri, { body: 'hi', contentType: 'text/plain' })).response.status, 403)
      assert.equal(server.room('lobby')!.participants().length, 0)
    })
  })

  test('item 4: allowGuests lets foreign identities in as guests', async () => {
    await withServer({ allowGuests: true }, async ({ server, make }) => {
      const carol = await make('carol', { uri: 'sip:carol@elsewhere.test' })
      await carol.joinOk('lobby')
      assert.deepEqual(server.room('lobby')!.participants().map((p) => p.uri), ['sip:carol@elsewhere.test'])
    })
  })

  test('item 4: a trusted proxy asserts identities with P-Asserted-Identity (RFC 3325); others cannot', async () => {
    await withServer({ trustedProxies: ['proxy.invalid'] }, async ({ server, make }) => {
      const viaProxy = await make('carol', { uri: 'sip:carol@elsewhere.test', host: 'proxy.invalid' })
      const asserted = await conference(viaProxy, server.roomUri('lobby'), [['P-Asserted-Identity', '<sip:carol@elsewhere.test>']])
      assert.equal(asserted.response.status, 200)
      const both = await conference(viaProxy, server.roomUri('lobby'), [['P-Asserted-Identity', '<tel:+15550100>, "Carol" <sip:carol@elsewhere.test>']])
      assert.equal(both.response.status, 200, 'a tel and a sip assertion together (RFC 3325 §9.1)')
      const asAlice = await conference(viaProxy, server.roomUri('lobby'), [['P-Asserted-Identity', `<sip:alice@${DOMAIN}>`]])
      assert.equal(asAlice.response.status, 200, 'the proxy vouches for local users too')
      assert.equal((await conference(viaProxy, server.roomUri('lobby'))).response.status, 403, 'no assertion: a foreign From is refused')
      const direct = await make('mallory', { uri: 'sip:carol@elsewhere.test' })
      const forged = await conference(direct, server.roomUri('lobby'), [['P-Asserted-Identity', `<sip:alice@${DOMAIN}>`]])
      assert.equal(forged.response.status, 403, 'an untrusted source\'s assertion is ignored')
      const unreadable = await conference(viaProxy, server.roomUri('lobby'), [['P-Asserted-Identity', '<sip:alice@exa mple.test>']])
      assert.equal(unreadable.response.status, 400)
    })
  })

  test('item 6: digest failures are throttled per user and logged one fail2ban line each', async () => {
    await withServer({ authThrottle: { perUser: 3, perSource: 100 } }, async ({ make, lines }) => {
      const guesser = await make('alice', { password: 'guess' })
      for (let i = 0; i < 3; i++) assert.equal((await guesser.register()).status, 401)
      const blocked = await guesser.register()
      assert.equal(blocked.status, 403)
      assert.ok(Number(blocked.headers.get('Retry-After')) > 0)
      const owner = await make('alice', { password: USERS.alice })
      assert.equal((await owner.register()).status, 403, 'the user is locked for the window, whoever asks')
      const bob = await make('bob', { password: USERS.bob })
      assert.equal((await bob.register()).status, 200, 'other users are not affected')
      const failures = lines.filter((l) => FAIL2BAN.test(l))
      assert.equal(failures.filter((l) => l.includes('reason=bad-response')).length, 3)
      assert.equal(failures.filter((l) => l.includes('reason=throttled')).length, 2)
      for (const l of failures) assert.match(l, /user=alice method=REGISTER/)
    })
  })

  test('item 6: failures are throttled per source across user names', async () => {
    await withServer({ authThrottle: { perUser: 100, perSource: 2 } }, async ({ make }) => {
      const first = await make('nobody1', { password: 'x', host: 'attacker.invalid' })
      const firstAnswer = await first.register()
      assert.equal(firstAnswer.status, 401)
      await first.close()
      const second = await make('nobody2', { password: 'x', host: 'attacker.invalid' })
      assert.equal((await second.register()).status, 401)
      await second.close()
      const third = await make('alice', { password: USERS.alice, host: 'attacker.invalid' })
      assert.equal((await third.register()).status, 403, 'the source is locked even with the right password')
    })
  })

  test('item 6: a user name cannot forge or split a log line', async () => {
    await withServer({}, async ({ make, lines }) => {
      // The digest user name is the attacker's text: spaces and a fake field in it.
      const forger = await make('alice reason=ok source=192.0.2.99', { password: 'x', uri: `sip:alice@${DOMAIN}`, host: 'forger.invalid' })
      assert.equal((await forger.request('MESSAGE', `sip:bob@${DOMAIN}`, { body: 'x', contentType: 'text/plain' })).response.status, 407)
      const failures = lines.filter((l) => FAIL2BAN.test(l))
      assert.equal(failures.length, 1)
      assert.equal(failures[0]!.split(' ').length, 7, failures[0])
      assert.match(failures[0]!, /user=alice%20reason%3Dok%20source%3D192\.0\.2\.99 method=MESSAGE reason=bad-response$/)
    })
  })

  test("item 4: the roster names no participant's IP address or port", async () => {
    await withServer({}, async ({ server, make }) => {
      const alice = await make('alice', { password: USERS.alice })
      await alice.joinOk('lobby')
      const watched = await conference(alice, server.roomUri('lobby'))
      assert.equal(watched.response.status, 200)
      const notify = await alice.notifies.next((n) => n.event.startsWith('conference') && n.body.includes('alice'))
      const users = parseConferenceInfo(notify.body).users?.list ?? []
      const endpoints = users.flatMap((u) => u.endpoints.map((e) => e.entity))
      assert.deepEqual(endpoints, [alice.uri])
      assert.ok(!notify.body.includes('.invalid'), 'the Contact host is not in the document')
    })
  })
})
