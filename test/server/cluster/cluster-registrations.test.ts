// Registrations shared through Redis: a person registered through node A is reachable through
// node B (requests and presence), and stops being so once unregistered.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestParticipant } from '../participant.ts'
import { redisAvailable, startNode, startRedis, type RedisServer, type TestNode } from './harness.ts'

const redis = redisAvailable()

describe('registrations across nodes', { skip: redis.ok ? false : redis.why }, () => {
  let server: RedisServer
  let a: TestNode
  let b: TestNode
  let alice: TestParticipant
  let bob: TestParticipant

  before(async () => {
    server = await startRedis()
    a = await startNode(server.url, 'a')
    b = await startNode(server.url, 'b')
    alice = await TestParticipant.create(a.server, 'alice', { transport: 'tcp' })
    bob = await TestParticipant.create(b.server, 'bob', { transport: 'tcp' })
  })

  after(async () => {
    await alice?.close()
    await bob?.close()
    await a?.stop()
    await b?.stop()
    await server?.stop()
  })

  test('a MESSAGE sent through B reaches a person registered through A', async () => {
    assert.equal((await alice.register(600)).status, 200)
    // A shares the binding right after answering the REGISTER: the first MESSAGE may beat it (404).
    assert.equal(await statusFrom(bob, 'hi across nodes', 200), 200)
    const received = await alice.sipMessages.next()
    assert.equal(received.body.toString('utf8'), 'hi across nodes')
  })

  test('presence published through A is seen by a watcher on B', async () => {
    const pidf = `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${alice.uri}"><tuple id="t1"><status><basic>open</basic></status><note>on node A</note></tuple></presence>`
    const published = await alice.request('PUBLISH', alice.uri, { headers: [['Event', 'presence'], ['Expires', '600']], body: pidf, contentType: 'application/pidf+xml' })
    assert.equal(published.response.status, 200)
    const sub = await bob.subscribe(alice.uri, 'presence')
    assert.equal(sub.response.status, 200)
    const callId = sub.request.headers.get('Call-ID')!
    assert.match((await bob.notifies.next((n) => n.callId === callId)).body, /<note>on node A<\/note>/)
  })

  test('once unregistered through A, B answers 404', async () => {
    assert.equal((await alice.register(0)).status, 200)
    assert.equal(await statusFrom(bob, 'anyone?', 404), 404)
  })
})

/** Sends MESSAGEs to alice through `from`'s node until one gets `wanted` (at most 50 round trips). */
async function statusFrom(from: TestParticipant, body: string, wanted: number): Promise<number> {
  let status = 0
  for (let attempt = 0; attempt < 50 && status !== wanted; attempt++) {
    status = (await from.request('MESSAGE', 'sip:alice@cluster.test', { body, contentType: 'text/plain' })).response.status
  }
  return status
}
