import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { LOBBY, client, quiet, startServer, until } from './helpers.ts'

const rosterEvents = (events: BackendEvent[]) =>
  events.flatMap((e) => (e.type === 'join' || e.type === 'leave' || e.type === 'nickname' ? [`${e.type} ${e.participant.uri.slice(4, e.participant.uri.indexOf('@'))} ${e.participant.nickname ?? '-'}`] : []))

describe('roster events (RFC 4575 NOTIFYs → join / leave / nickname)', () => {
  it('INVITE then NICKNAME is one join with the nickname; a nameless newcomer is announced after the wait or when it speaks', async () => {
    const server = await startServer()
    const alice = await client(server, 'alice', { joinNicknameWaitMs: 100 })
    await alice.backend.join(LOBBY, { nickname: 'alice' })

    const bob = await client(server, 'bob')
    await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [alice.backend, bob.backend])
    assert.deepEqual(rosterEvents(alice.events), ['join bob bob'])

    const carol = await client(server, 'carol')
    await carol.backend.join(LOBBY, {})
    await until(server, [alice.backend, carol.backend], () => rosterEvents(alice.events).length === 2, 'carol announced')
    assert.deepEqual(rosterEvents(alice.events).at(-1), 'join carol -')

    const dave = await client(server, 'dave')
    const rd = await dave.backend.join(LOBBY, {})
    await rd.send('hi, no name yet')
    await quiet(server, [alice.backend, dave.backend])
    const afterDave = alice.events.slice(alice.events.findIndex((e) => e.type === 'join' && e.participant.uri === 'sip:dave@example.test'))
    assert.equal(afterDave[0]?.type, 'join', 'the join comes before the message')
    assert.equal(afterDave[1]?.type, 'message')

    await rd.setNickname('dave')
    await bob.backend.stop()
    await quiet(server, [alice.backend, dave.backend, carol.backend])
    assert.deepEqual(rosterEvents(alice.events).slice(-2), ['nickname dave dave', 'leave bob bob'])
    for (const c of [alice, carol, dave]) await c.backend.stop()
    await server.close()
  })
})
