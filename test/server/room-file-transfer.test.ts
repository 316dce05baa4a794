// File transfers in rooms are bounded: transfers at once (503 past the room-wide cap, 486 past
// one identity's), and a file session the participant never connects is dropped after the bind
// timeout with a BYE (RFC 3326 Reason 408), freeing its place.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { FakeClock } from '../../src/clock.ts'
import { generateSessionId } from '../../src/msrp/session.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import type { SipResponse } from '../../src/sip/message.ts'
import { Inbox, TestParticipant } from './participant.ts'

const BIND_TIMEOUT_MS = 5_000

/**
 * Pushes a file offer to the room (a=setup:active: the participant should connect) and never
 * opens the MSRP connection. ACKs a 200; BYEs in the dialog land in `byes` with their Reason.
 */
async function unconnectedPush(server: ChatServer, who: TestParticipant, byes: Inbox<string | undefined>): Promise<SipResponse> {
  const offer = createOffer({
    path: [`msrp://${who.user}.invalid:2855/${generateSessionId()};tcp`],
    acceptTypes: ['*'],
    setup: 'active',
    direction: 'sendonly',
    file: { selector: { name: 'never.bin', type: 'application/octet-stream', size: 10, hash: { algorithm: 'sha-1', value: '00'.repeat(20) } } },
  })
  const { request, response } = await who.request('INVITE', server.roomUri('lobby'), { body: offer, contentType: 'application/sdp' })
  if (response.status === 200) {
    const dialog = who.core.createUacDialog(request, response, (incoming) => {
      incoming.respond(200)
      if (incoming.method === 'BYE') byes.push(incoming.message.headers.get('Reason'))
    })
    await who.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), who.serverDestination)
  }
  return response
}

describe('file transfer bounds in rooms (unconnected sessions)', () => {
  let dir: string
  let clock: FakeClock
  let server: ChatServer
  let bob: TestParticipant
  let carol: TestParticipant

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-transfer-'))
    clock = new FakeClock()
    server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], clock, msrpBindTimeoutMs: BIND_TIMEOUT_MS, files: { dir, maxTransfers: 2, maxTransfersPerIdentity: 1 } })
    bob = await TestParticipant.create(server, 'bob')
    carol = await TestParticipant.create(server, 'carol')
    await bob.joinOk('lobby')
    await carol.joinOk('lobby')
  })

  after(async () => {
    await server.close()
    await bob.close()
    await carol.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses past the per-identity cap (486) and the room-wide cap (503); the bind timeout drops an unconnected session with a BYE and frees its place', async () => {
    const bobByes = new Inbox<string | undefined>()
    const carolByes = new Inbox<string | undefined>()
    assert.equal((await unconnectedPush(server, bob, bobByes)).status, 200)
    const second = await unconnectedPush(server, bob, new Inbox())
    assert.equal(second.status, 486, 'one transfer at once per identity here')
    assert.match(second.headers.get('Warning') ?? '', /too many file transfers going/)
    assert.equal((await unconnectedPush(server, carol, carolByes)).status, 200)
    const dave = await TestParticipant.create(server, 'dave')
    try {
      await dave.joinOk('lobby')
      const full = await unconnectedPush(server, dave, new Inbox())
      assert.equal(full.status, 503, 'two transfers at once in all rooms here')
      assert.equal(full.headers.get('Retry-After'), '10')
      assert.match(full.headers.get('Warning') ?? '', /too many file transfers at once/)

      clock.advance(BIND_TIMEOUT_MS - 1)
      assert.equal(bobByes.items.length + carolByes.items.length, 0, 'nothing before the bind timeout')
      clock.advance(1)
      assert.equal(await bobByes.next(), 'SIP;cause=408;text="MSRP session failed"')
      assert.equal(await carolByes.next(), 'SIP;cause=408;text="MSRP session failed"')
      // Both places are free again, and the participants are still in the room.
      assert.equal((await unconnectedPush(server, bob, new Inbox())).status, 200)
      assert.equal((await unconnectedPush(server, dave, new Inbox())).status, 200)
      assert.equal(server.room('lobby')!.participants().length, 3)
      assert.deepEqual(server.roomFiles('lobby'), [], 'nothing stored')
    } finally {
      await dave.close()
    }
  })
})
