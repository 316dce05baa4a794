import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { FakeClock } from '../../src/clock.ts'
import { LOBBY, client, quiet, startServer } from './helpers.ts'

const rosterEvents = (events: BackendEvent[]) =>
  events.flatMap((e) => (e.type === 'join' || e.type === 'leave' || e.type === 'nickname' ? [`${e.type} ${e.participant.uri.slice(4, e.participant.uri.indexOf('@'))} ${e.participant.nickname ?? '-'}`] : []))

describe('roster events (RFC 4575 NOTIFYs → join / leave / nickname)', () => {
  it('INVITE then NICKNAME is one join with the nickname; a nameless newcomer is announced after the wait or when it speaks', async () => {
    const server = await startServer()
    // The wait for a newcomer's nickname runs on alice's clock: however slow the machine, bob's
    // NICKNAME comes within it, and carol's wait ends only when the test says so.
    const clock = new FakeClock()
    const alice = await client(server, 'alice', { joinNicknameWaitMs: 100, clock })
    await alice.backend.join(LOBBY, { nickname: 'alice' })

    const bob = await client(server, 'bob')
    await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [alice.backend, bob.backend])
    assert.deepEqual(rosterEvents(alice.events), ['join bob bob'])

    const carol = await client(server, 'carol')
    await carol.backend.join(LOBBY, {})
    await quiet(server, [carol.backend])
    assert.deepEqual(rosterEvents(alice.events), ['join bob bob'], 'carol is held while her nickname may still come')
    await clock.advanceAsync(100)
    await quiet(server, [alice.backend, carol.backend])
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
