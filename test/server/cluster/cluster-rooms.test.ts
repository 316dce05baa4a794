// A room owned by node B, used through node A: every RFC 7701 room rule holds across the proxy
// hop (joins, messages both ways, nicknames, private messages, roster, spoofing refused), and
// history and configuration live in Redis.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { TestParticipant } from '../participant.ts'
import { redisAvailable, startNode, startRedis, type RedisServer, type TestNode } from './harness.ts'

const redis = redisAvailable()

describe('a room on node B used through node A', { skip: redis.ok ? false : redis.why }, () => {
  let server: RedisServer
  let a: TestNode
  let b: TestNode
  const people: TestParticipant[] = []

  before(async () => {
    server = await startRedis()
    b = await startNode(server.url, 'b', ['lobby'])
    a = await startNode(server.url, 'a', ['lobby2'])
  })

  after(async () => {
    for (const p of people) await p.close()
    await a?.stop()
    await b?.stop()
    await server?.stop()
  })

  async function person(node: TestNode, user: string): Promise<TestParticipant> {
    const p = await TestParticipant.create(node.server, user, { transport: 'tcp' })
    people.push(p)
    return p
  }

  test('each node owns the rooms it created; the other does not hold them', () => {
    assert.equal(b.cluster.store.owns('sip:lobby@cluster.test'), true)
    assert.equal(a.cluster.store.owns('sip:lobby@cluster.test'), false)
    assert.equal(a.cluster.store.owns('sip:lobby2@cluster.test'), true)
    assert.equal(a.server.room('lobby'), undefined)
  })

  test('joins through A reach B, MSRP goes straight to B, and messages flow both ways', async () => {
    const alice = await person(a, 'alice')
    const bob = await person(b, 'bob')
    const joined = await alice.joinOk('lobby')
    // The answer's a=path is B's MSRP listener, not A's.
    assert.match(joined.answer.path[0]!, new RegExp(`:${b.server.addresses.msrp.port}/`))
    assert.ok(joined.response.headers.getList('Record-Route').length > 0, 'A record-routes the dialog')
    await bob.joinOk('lobby')
    assert.equal(b.server.room('lobby')?.participants().length, 2)
    assert.equal(await alice.say('lobby', 'hello from A'), 200)
    assert.equal((await bob.messages.next((m) => m.text === 'hello from A')).cpim.from.uri, alice.uri)
    assert.equal(await bob.say('lobby', 'hello from B'), 200)
    assert.equal((await alice.messages.next((m) => m.text === 'hello from B')).cpim.from.uri, bob.uri)
  })

  test('nicknames are unique across nodes (425 for a taken one)', async () => {
    const [alice, bob] = people
    assert.equal(await alice!.nickname('lobby', 'Al'), 200)
    assert.equal(await bob!.nickname('lobby', 'al'), 425)
    assert.equal(await bob!.nickname('lobby', 'Bobby'), 200)
  })

  test('private messages reach only the addressee; spoofed From is refused (403)', async () => {
    const [alice, bob] = people
    const carol = await person(a, 'carol')
    await carol.joinOk('lobby')
    assert.equal(await alice!.say('lobby', 'psst', { to: bob!.uri }), 200)
    assert.equal((await bob!.messages.next((m) => m.text === 'psst')).cpim.from.uri, alice!.uri)
    assert.equal(await alice!.say('lobby', 'spoof', { from: bob!.uri }), 403)
    assert.equal(await carol.say('lobby', 'after'), 200)
    await bob!.messages.next((m) => m.text === 'after')
    assert.equal(carol.messages.items.some((m) => m.text === 'psst' || m.text === 'spoof'), false)
  })

  test('a roster subscription through A gets B\'s conference-info NOTIFYs', async () => {
    const dave = await person(a, 'dave')
    const sub = await dave.subscribe('sip:lobby@cluster.test', 'conference')
    assert.equal(sub.response.status, 200)
    const notify = await dave.notifies.next((n) => n.body.includes('sip:alice@cluster.test'))
    assert.match(notify.body, /sip:bob@cluster\.test/)
  })

  test('a BYE through A ends the session on B', async () => {
    const carol = people[2]!
    assert.equal((await carol.leave('lobby')).status, 200)
    assert.equal(b.server.room('lobby')?.participants().some((p) => p.uri === carol.uri), false)
  })

  test('a participant over UDP through A (TCP between the nodes) joins, chats and leaves', async () => {
    const erin = await TestParticipant.create(a.server, 'erin', { transport: 'udp' })
    people.push(erin)
    await erin.joinOk('lobby')
    assert.equal(await erin.say('lobby', 'over udp'), 200)
    await people[1]!.messages.next((m) => m.text === 'over udp')
    assert.equal((await erin.leave('lobby')).status, 200)
  })

  test('a room dialled by node A\'s address (sip:lobby@<A>) works through A', async () => {
    const [, bob] = people
    const sip = a.server.addresses.sip.find((x) => x.transport === 'tcp')!
    const byAddress = `sip:lobby@127.0.0.1:${sip.port}`
    const frank = await person(a, 'frank')
    await frank.joinOk(byAddress)
    assert.equal(await frank.say(byAddress, 'dialled by address'), 200, 'CPIM To naming the address dialled is a public message')
    await bob!.messages.next((m) => m.text === 'dialled by address')
    assert.equal((await frank.leave(byAddress)).status, 200)
  })

  test('history and the roster version are kept in Redis by the owner', async () => {
    const redis = new Redis(server.url)
    try {
      const prefix = 'msrp-bot:cluster.test:room:{sip:lobby@cluster.test}'
      await b.cluster.leases.holder('sip:lobby@cluster.test') // after B's writes on its own connection
      const kept = (await redis.lrange(`${prefix}:history`, 0, -1)).map((e) => Buffer.from(JSON.parse(e).cpim, 'base64').toString('utf8'))
      assert.ok(kept.some((h) => h.includes('hello from A')))
      assert.ok(kept.every((h) => !h.includes('psst')), 'private messages are never kept')
      assert.equal(Number(await redis.hget(`${prefix}:meta`, 'version')), b.server.room('lobby')?.state.version)
    } finally {
      await redis.quit()
    }
  })
})
