import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LOBBY, client, quiet, startServer, until } from './helpers.ts'
import type { UserAgent } from '../../src/sip/ua/index.ts'

/** Records the status of every OPTIONS the backend's user agent sends (the no-Reason probe). */
function watchOptions(backend: { userAgent: UserAgent | undefined }): number[] {
  const ua = backend.userAgent!
  const statuses: number[] = []
  const send = ua.sendRequest.bind(ua)
  ua.sendRequest = async (request, options) => {
    const response = await send(request, options)
    if (request.method === 'OPTIONS') statuses.push(response.status)
    return response
  }
  return statuses
}

describe('SipChatBackend moderation and room end', () => {
  it('a moderator kicks: REFER method=BYE removes the participant, who gets room-closed "kicked"', async () => {
    const server = await startServer()
    const mod = await client(server, 'mod')
    const bob = await client(server, 'bob')
    const rm = await mod.backend.join(LOBBY, { nickname: 'mod' })
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [mod.backend, bob.backend])
    // bob is no moderator: 403 → NOT_AUTHORIZED
    await assert.rejects(rb.removeParticipant('sip:mod@example.test'), { code: 'NOT_AUTHORIZED' })
    await rm.removeParticipant('sip:bob@example.test')
    await until(server, [mod.backend, bob.backend], () => bob.events.some((e) => e.type === 'room-closed'), 'bob gets room-closed')
    const closed = bob.events.find((e) => e.type === 'room-closed')
    assert.deepEqual(closed, { type: 'room-closed', room: LOBBY, reason: 'kicked' })
    assert.ok(mod.events.some((e) => e.type === 'leave' && e.participant.uri === 'sip:bob@example.test'))
    await assert.rejects(rb.send('still here?'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SEND_DISCONNECTED')
      assert.match(err.message, /removed by a moderator/)
      assert.doesNotMatch(err.message, /re-joins by itself/)
      return true
    })
    assert.equal(bob.backend.rooms.length, 0)
    assert.equal(bob.backend.state, 'online', 'a kick is not a connection loss')
    await mod.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('mute (msrp-bot extension): the muted participant’s sends are refused until unmuted', async () => {
    const server = await startServer()
    const mod = await client(server, 'mod')
    const bob = await client(server, 'bob')
    const rm = await mod.backend.join(LOBBY, { nickname: 'mod' })
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await assert.rejects(rb.setMuted('sip:mod@example.test', true), { code: 'NOT_AUTHORIZED' })
    await rm.setMuted('sip:bob@example.test', true)
    await assert.rejects(rb.send('can you hear me?'), (err: Error & { code?: string; statusCode?: number }) => {
      assert.equal(err.code, 'SEND_REJECTED')
      assert.equal(err.statusCode, 403)
      return true
    })
    await rm.setMuted('sip:bob@example.test', false)
    await rb.send('back')
    await quiet(server, [mod.backend, bob.backend])
    assert.ok(mod.texts().includes('bob: back'))
    assert.ok(!mod.texts().some((t) => t.includes('can you hear me')))
    await assert.rejects(rm.setMuted('sip:ghost@example.test', true), { code: 'PARTICIPANT_NOT_FOUND' })
    await mod.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('the focus shuts down (BYE Reason 503) and the room is gone when the bot comes back: room-closed "closed"', async () => {
    const server = await startServer()
    const bob = await client(server, 'bob')
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [bob.backend])
    server.rooms.delete(LOBBY)
    await server.focus.close() // BYE to every participant
    await until(server, [bob.backend], () => bob.events.some((e) => e.type === 'room-closed'), 'room-closed')
    assert.deepEqual(bob.events.find((e) => e.type === 'room-closed'), { type: 'room-closed', room: LOBBY, reason: 'closed' })
    await assert.rejects(rb.send('hello?'), { code: 'SEND_DISCONNECTED' })
    await bob.backend.stop()
    await server.close()
  })

  it('a bare BYE (no Reason, as SylkServer sends) and the room is gone (404 to OPTIONS): room-closed "closed"', async () => {
    const server = await startServer({ byeReasons: false })
    const bob = await client(server, 'bob')
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [bob.backend])
    const probes = watchOptions(bob.backend)
    assert.equal(await server.focus.deleteRoom(LOBBY), true) // bare BYE, then the room is gone
    await until(server, [bob.backend], () => bob.events.some((e) => e.type === 'room-closed'), 'room-closed')
    assert.deepEqual(bob.events.find((e) => e.type === 'room-closed'), { type: 'room-closed', room: LOBBY, reason: 'closed' })
    assert.deepEqual(probes, [404], 'the room was probed with OPTIONS (RFC 3261 §11)')
    assert.equal(bob.backend.state, 'online', 'no reconnect: the OPTIONS answer decided')
    await assert.rejects(rb.send('hello?'), { code: 'SEND_DISCONNECTED' })
    await bob.backend.stop()
    await server.close()
  })

  it('a bare BYE while the room still answers OPTIONS (200) means the bot was removed: room-closed "kicked"', async () => {
    const server = await startServer({ byeReasons: false })
    const mod = await client(server, 'mod')
    const bob = await client(server, 'bob')
    const rm = await mod.backend.join(LOBBY, { nickname: 'mod' })
    await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [mod.backend, bob.backend])
    const probes = watchOptions(bob.backend)
    await rm.removeParticipant('sip:bob@example.test')
    await until(server, [mod.backend, bob.backend], () => bob.events.some((e) => e.type === 'room-closed'), 'room-closed')
    assert.deepEqual(bob.events.find((e) => e.type === 'room-closed'), { type: 'room-closed', room: LOBBY, reason: 'kicked' })
    assert.deepEqual(probes, [200], 'the room still answers OPTIONS')
    await mod.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('a focus that does not know the mute extension (415) yields NOT_SUPPORTED', async () => {
    const { toModerationError } = await import('../../src/chat/error-mapping.ts')
    const error = toModerationError({ status: 415 }, 'mute', LOBBY, 'sip:bob@example.test') as Error & { code?: string }
    assert.equal(error.code, 'NOT_SUPPORTED')
    assert.match(error.message, /not supported/)
  })
})
