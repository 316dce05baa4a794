/**
 * Issue 16 item 8: the focus dials (offer `a=setup:passive`, RFC 6135) only the address the
 * INVITE came from unless told otherwise (`msrpDial: 'any'`), and throttles a source whose
 * dials keep failing — so a client cannot turn the server into a port scanner.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock } from '../../../src/clock.ts'
import { DialGuard } from '../../../src/mixer/server/dial-policy.ts'
import { startChatServer, type ChatServer, type ChatServerOptions } from '../../../src/mixer/server/index.ts'
import { generateSessionId } from '../../../src/msrp/session.ts'
import { createOffer } from '../../../src/sdp/offer-answer.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import type { SipResponse } from '../../../src/sip/message.ts'
import { until } from '../../msrp/helpers.ts'
import { TestParticipant } from './participant.ts'

async function withServer(options: Partial<ChatServerOptions>, fn: (server: ChatServer, bob: TestParticipant) => Promise<void>): Promise<void> {
  const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], ...options })
  const bob = await TestParticipant.create(server, 'bob')
  try {
    await fn(server, bob)
  } finally {
    await server.close()
    await bob.close()
  }
}

/** INVITE offering a=setup:passive with `path` as our MSRP URI; ACKs a 200. */
async function invitePassive(server: ChatServer, bob: TestParticipant, path: string): Promise<SipResponse> {
  const offer = createOffer({ path: [path], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'passive' })
  const { request, response } = await bob.request('INVITE', server.roomUri('lobby'), { body: offer, contentType: 'application/sdp' })
  if (response.status === 200) {
    const dialog = bob.core.createUacDialog(request, response, (incoming) => incoming.respond(200))
    await bob.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), bob.serverDestination)
  }
  return response
}

describe('MSRP dial policy', () => {
  it('source (default): an a=path naming another host is refused with 488 and never dialled', async () => {
    await withServer({}, async (server, bob) => {
      let dialled = 0
      const stop = server.network!.msrp.listen('victim.invalid', 22, (stream) => {
        dialled++
        stream.destroy()
      })
      try {
        const response = await invitePassive(server, bob, `msrp://victim.invalid:22/${generateSessionId()};tcp`)
        assert.equal(response.status, 488)
        assert.match(response.headers.get('Warning') ?? '', /only connects to the address the INVITE came from/)
        assert.equal(dialled, 0)
        assert.equal(server.room('lobby')!.participants().length, 0)
      } finally {
        stop()
      }
    })
  })

  it('any: the focus dials the host a=path names', async () => {
    await withServer({ msrpDial: 'any', msrpBindTimeoutMs: 60_000 }, async (server, bob) => {
      let dialled = 0
      const stop = server.network!.msrp.listen('relay.invalid', 2855, (stream) => {
        dialled++
        stream.resume()
      })
      try {
        const response = await invitePassive(server, bob, `msrp://relay.invalid:2855/${generateSessionId()};tcp`)
        assert.equal(response.status, 200)
        await until(() => dialled > 0)
        assert.equal(dialled, 1)
      } finally {
        stop()
      }
    })
  })

  it('throttles a source after five failed dials: the next offer that needs a dial gets 503 with Retry-After', async () => {
    await withServer({ msrpDial: 'any' }, async (server, bob) => {
      for (let i = 0; i < 5; i++) {
        const response = await invitePassive(server, bob, `msrp://closed.invalid:${1000 + i}/${generateSessionId()};tcp`)
        assert.equal(response.status, 200, 'the offer itself is fine; the dial fails afterwards')
        // The failed dial ends the call (BYE); wait until the participant is gone.
        await until(() => server.room('lobby')!.participants().length === 0)
      }
      const response = await invitePassive(server, bob, `msrp://closed.invalid:2000/${generateSessionId()};tcp`)
      assert.equal(response.status, 503)
      assert.ok(Number(response.headers.get('Retry-After')) >= 1)
      // An offer that needs no dial (a=setup:active) still joins.
      const joined = await bob.join('lobby')
      assert.ok(!('status' in joined), 'an active participant still joins')
    })
  })
})

describe('DialGuard', () => {
  it('compares hosts without brackets or case, and forgets failures once the window passed', () => {
    const clock = new FakeClock()
    const guard = new DialGuard({ policy: 'source', clock, maxFailures: 2, windowMs: 10_000 })
    assert.equal(guard.check('[2001:DB8::1]', '2001:db8::1'), undefined)
    assert.equal(guard.check('192.0.2.7', '192.0.2.8')?.status, 488)
    guard.failed('192.0.2.8')
    clock.advance(5_000)
    guard.failed('192.0.2.8')
    const refusal = guard.check('192.0.2.8', '192.0.2.8')
    assert.equal(refusal?.status, 503)
    assert.equal(refusal?.status === 503 ? refusal.retryAfterSeconds : 0, 5)
    clock.advance(5_001)
    assert.equal(guard.check('192.0.2.8', '192.0.2.8'), undefined, 'one failure left in the window is below the limit')
    assert.equal(guard.check('192.0.2.9', '192.0.2.8')?.status, 488, 'the policy still applies')
  })

  it('remembers at most maxSources sources', () => {
    const clock = new FakeClock()
    const guard = new DialGuard({ policy: 'any', clock, maxFailures: 1, maxSources: 2 })
    guard.failed('a')
    guard.failed('b')
    guard.failed('c')
    assert.equal(guard.check('x', 'a'), undefined, 'the oldest source was forgotten')
    assert.equal(guard.check('x', 'c')?.status, 503)
  })
})
