// Every step of a reconnect is bounded, and a failure at any step schedules the next attempt
// (issue: a bot stuck "reconnecting, 1 in flight" after a server restart). The client runs on a
// FakeClock, so "bounded" is checked in fake time: each test brings the bot back in a fraction
// of the 64*T1 (32 s) a lost request would otherwise wait for.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock } from '../../src/clock.ts'
import type { RoomClient } from '../../src/chat/room-client.ts'
import { startChatServer } from '../../src/server/index.ts'
import type { ChatServer } from '../../src/server/index.ts'
import { DOMAIN, LOBBY, client } from './helpers.ts'
import type { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import { testingHooksOf } from '../../src/chat/testing-hooks.ts'

/** Lets the in-process networks deliver what is in flight (they move on the event loop, not the clock). */
async function turns(count = 30): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Advances fake time in small steps, letting the networks work in between, until `done()`; returns the fake ms it took. */
async function advanceUntil(clock: FakeClock, done: () => boolean, limitMs: number): Promise<number> {
  const start = clock.now()
  while (!done()) {
    assert.ok(clock.now() - start < limitMs, `not done within ${limitMs} ms of fake time`)
    await clock.advanceAsync(5)
    await turns()
  }
  return clock.now() - start
}

/** A crash as the clients see it: cut off, connections dropped, the server gone (no goodbyes). */
async function crash(server: ChatServer, clients: Array<{ backend: SipChatBackend }>): Promise<void> {
  const sip = server.network!.sip
  for (const c of clients) sip.partition(DOMAIN, c.backend.userAgent!.localAddress.address)
  for (const c of clients) testingHooksOf(c.backend).dropConnections()
  await turns(3)
  await server.close()
  sip.heal()
}

describe('SipChatBackend reconnect: every step bounded', () => {
  it('a REGISTER written to a connection that then closes unanswered is abandoned at once; the next attempt gets the bot back', async () => {
    const clock = new FakeClock()
    const server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'] })
    const network = server.network!
    const alice = await client(server, 'alice', { clock })
    const room = (await alice.backend.join(LOBBY, { nickname: 'alice' })) as RoomClient
    await crash(server, [alice])
    assert.equal(alice.backend.state, 'reconnecting')

    // What a restarting server looks like for a moment: it takes the connection and the
    // REGISTER, answers nothing, and closes.
    const hole = network.sip.createTransport({ host: DOMAIN, port: 5060 })
    let registers = 0
    hole.on('message', (bytes) => {
      if (bytes.toString('latin1').startsWith('REGISTER ')) registers++
    })
    await hole.listen()
    await advanceUntil(clock, () => registers > 0, 1000)
    await hole.close()
    const restarted = await startChatServer({ domain: DOMAIN, rooms: ['lobby'], transport: { kind: 'memory', network } })

    const took = await advanceUntil(clock, () => alice.backend.state === 'online' && room.state === 'joined', 2000)
    assert.ok(took < 2000, `back after ${took} ms of fake time (a REGISTER left to Timer F waits 32 000)`)
    assert.equal(room.nickname, 'alice')
    await alice.backend.stop()
    await restarted.close()
  })

  it('an INVITE that gets no answer is given up at the step deadline; join() rejects with JOIN_FAILED saying so', async () => {
    const clock = new FakeClock()
    const server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'] })
    const alice = await client(server, 'alice', { clock, stepTimeoutMs: 1000 })
    // The focus never hears the INVITE (its 64*T1 Timer B would end it only after 32 s).
    server.network!.sip.setDropFilter((bytes) => bytes.toString('latin1').startsWith('INVITE '))
    let outcome: unknown
    const joining = alice.backend.join(LOBBY, { nickname: 'alice' }).then(
      () => 'joined',
      (error: unknown) => (outcome = error),
    )
    await advanceUntil(clock, () => outcome !== undefined, 1500)
    await joining
    assert.equal((outcome as { code?: string }).code, 'JOIN_FAILED')
    assert.equal(((outcome as Error).cause as { code?: string }).code, 'CHAT_STEP_TIMEOUT')
    assert.match((outcome as Error).message, /INVITE sip:lobby@example\.test got no outcome within 1000 ms/)
    server.network!.sip.setDropFilter(undefined)
    await alice.backend.stop()
    await server.close()
  })

  it('a room whose MSRP session broke keeps trying to re-join while signalling is up, instead of staying suspended', async () => {
    const clock = new FakeClock()
    const server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'] })
    const sip = server.network!.sip
    const alice = await client(server, 'alice', { clock, stepTimeoutMs: 1000 })
    const room = (await alice.backend.join(LOBBY, { nickname: 'alice' })) as RoomClient
    // The first re-join's INVITE is lost: that attempt fails at its deadline.
    let invitesDropped = 0
    sip.setDropFilter((bytes) => {
      if (invitesDropped > 0 || !bytes.toString('latin1').startsWith('INVITE ')) return false
      invitesDropped++
      return true
    })
    testingHooksOf(room).dropMedia()
    await turns()
    assert.equal(room.state, 'suspended')
    const took = await advanceUntil(clock, () => room.state === 'joined', 3000)
    assert.equal(invitesDropped, 1)
    assert.ok(took >= 1000, 'the first re-join waited for its deadline')
    assert.equal(room.nickname, 'alice')
    assert.equal(alice.backend.state, 'online')
    sip.setDropFilter(undefined)
    await alice.backend.stop()
    await server.close()
  })
})
