// The receiving side of files a room pushes (RFC 5547 §8.2 with the focus as sender): a test
// participant sees each pushed offer (pushedFiles) and takes or declines it; an offer that looks
// like a room's push but comes from no room it is in is refused with 403.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat } from 'msrp-bot/testing'
import { generateSessionId } from '../../src/msrp/session.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { TestParticipant as RawParticipant } from '../server/participant.ts'

describe('files pushed to a test participant', () => {
  let dir: string
  let chat: TestChat

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'participant-files-'))
    chat = await createTestChat({ rooms: { lobby: { pushFiles: true } }, files: { dir } })
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('records the offer and takes the file (expectFile gives it with its room)', async () => {
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob')
    await alice.join('lobby')
    await bob.join('lobby')
    await alice.sendFile(alice.room!.uri, new TextEncoder().encode('hi all'), { name: 'hi.txt' })
    const file = await bob.expectFile()
    assert.equal(file.room, chat.roomUri('lobby'))
    assert.equal(file.from, chat.roomUri('lobby'))
    assert.equal(new TextDecoder().decode(file.bytes), 'hi all')
    assert.deepEqual(bob.pushedFiles.map((f) => [f.room, f.name, f.answer]), [[chat.roomUri('lobby'), 'hi.txt', 'accepted']])
  })

  it('refuses with 403 a file offered as a room push (Contact isfocus) by something it is not in', async () => {
    const carol = await chat.participant('carol')
    await carol.join('lobby')
    const mallory = await RawParticipant.create(chat.server, 'mallory')
    try {
      const offer = createOffer({
        path: [`msrp://mallory.invalid:2855/${generateSessionId()};tcp`],
        acceptTypes: ['*'],
        setup: 'active',
        direction: 'sendonly',
        file: { selector: { name: 'gift.exe', type: 'application/octet-stream', size: 4, hash: { algorithm: 'sha-1', value: '00'.repeat(20) } }, disposition: 'attachment' },
      })
      const { response } = await mallory.request('INVITE', carol.uri, { headers: [['Contact', '<sip:mallory@example.test>;isfocus']], body: offer, contentType: 'application/sdp' })
      assert.equal(response.status, 403)
      assert.match(response.reason, /not a participant of that room/, 'refused by carol, not by the server')
      assert.deepEqual(carol.pushedFiles, [])
      assert.deepEqual(carol.events.filter((e) => e.type === 'file'), [])
    } finally {
      await mallory.close()
    }
  })
})
