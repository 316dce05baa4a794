import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BYE_REASONS, byeMeaning, parseReasonHeader } from '../../src/rooms/bye-reason.ts'
import { LOBBY, client, quiet, startServer, until } from './helpers.ts'

describe('BYE Reason (RFC 3326) from a focus', () => {
  it('reads the server\'s causes: 403 kicked, 410 closed, 503 restarting, 408 media failed', () => {
    assert.equal(byeMeaning(BYE_REASONS.kicked), 'kicked')
    assert.equal(byeMeaning(BYE_REASONS['room-closed']), 'closed')
    assert.equal(byeMeaning(BYE_REASONS.shutdown), 'restarting')
    assert.equal(byeMeaning(BYE_REASONS['media-failed']), 'media-failed')
    assert.equal(byeMeaning('sip ; cause=404'), 'closed')
  })

  it('falls back to the text of other foci, and says unknown without a usable Reason', () => {
    assert.equal(byeMeaning('Q.850;cause=16;text="Kicked by admin"'), 'kicked')
    assert.equal(byeMeaning('SIP;cause=200;text="Removed by moderator"'), 'kicked')
    assert.equal(byeMeaning('SIP;text="Conference ended"'), 'closed')
    assert.equal(byeMeaning(undefined), 'unknown')
    assert.equal(byeMeaning(''), 'unknown')
    assert.equal(byeMeaning('SIP;cause=200'), 'unknown')
    assert.equal(byeMeaning(';;;="'), 'unknown')
  })

  it('parses several reason-values and quoted text holding commas and semicolons', () => {
    assert.deepEqual(parseReasonHeader('Q.850;cause=16, SIP;cause=410;text="Room closed; bye, all"'), [
      { protocol: 'Q.850', cause: 16, text: undefined },
      { protocol: 'SIP', cause: 410, text: 'Room closed; bye, all' },
    ])
  })

  it('a deleted room (server.deleteRoom) is room-closed "closed", with no reconnect', async () => {
    const server = await startServer()
    const bob = await client(server, 'bob')
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [bob.backend])
    assert.equal(await server.deleteRoom('lobby'), true)
    await until(server, [bob.backend], () => bob.events.some((e) => e.type === 'room-closed'), 'room-closed')
    assert.deepEqual(bob.events.find((e) => e.type === 'room-closed'), { type: 'room-closed', room: LOBBY, reason: 'closed' })
    assert.equal(bob.events.some((e) => e.type === 'connection'), false, 'a closed room is not a connection loss')
    assert.equal(bob.backend.state, 'online')
    await assert.rejects(rb.send('hello?'), { code: 'SEND_DISCONNECTED' })
    await bob.backend.stop()
    await server.close()
  })

  it('a server shutting down is not a kick: the client goes reconnecting and comes back to a new server', async () => {
    const first = await startServer()
    const bob = await client(first, 'bob')
    await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(first, [bob.backend])
    await first.close()
    const second = await startServer({ transport: { kind: 'memory', network: first.network! } })
    await until(second, [bob.backend], () => bob.events.some((e) => e.type === 'connection' && e.state === 'reconnected'), 'reconnected')
    assert.equal(bob.events.some((e) => e.type === 'room-closed'), false)
    const lost = bob.events.find((e) => e.type === 'connection' && e.state === 'disconnected')
    assert.ok(lost !== undefined)
    await until(second, [bob.backend], () => second.room('lobby')!.participants().some((p) => p.nickname === 'bob'), 'bob back in the lobby')
    await bob.backend.stop()
    await second.close()
  })
})
