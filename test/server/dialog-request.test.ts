/** Issue 16 item 11: a request that cannot form a dialog is the client's error (400), never a 500. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startChatServer } from '../../src/server/index.ts'
import { TestParticipant } from './participant.ts'

test('a moderator\'s REFER, or a SUBSCRIBE, without Contact to a room or a user: 400, and nothing is logged as a fault', async () => {
  const warnings: string[] = []
  const server = await startChatServer({ domain: 'example.test', rooms: { lobby: { moderators: ['sip:alice@example.test'] } }, logger: { debug() {}, info() {}, warn: (l) => { warnings.push(l) } } })
  const alice = await TestParticipant.create(server, 'alice')
  const bob = await TestParticipant.create(server, 'bob')
  try {
    await bob.joinOk('lobby')
    for (const [method, target, headers] of [
      ['REFER', server.roomUri('lobby'), [['Refer-To', '<sip:bob@example.test;method=BYE>']]],
      ['SUBSCRIBE', server.roomUri('lobby'), [['Event', 'conference']]],
      ['SUBSCRIBE', 'sip:bob@example.test', [['Event', 'presence']]],
    ] as Array<[string, string, Array<[string, string]>]>) {
      const request = alice.core.createRequest(method, target, { from: `<${alice.uri}>`, headers })
      const response = await alice.core.sendRequest(request, { destination: alice.serverDestination })
      assert.equal(response.status, 400, `${method} ${target}`)
      assert.match(response.reason, /Contact/)
    }
    assert.deepEqual(warnings, [])
  } finally {
    await server.close()
    await alice.close()
    await bob.close()
  }
})
