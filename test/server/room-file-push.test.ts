// Files a room pushes to its participants (RFC 5547 §8.2 with the focus as sender): a room whose
// policy says pushFiles offers each stored file to every other participant present; one who
// declines does not affect the others; one who leaves mid-push has its push cancelled; the
// pushes are bounded (in flight and queued, the overflow told to the room); retention decides
// whether a room's files go with it.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import type { PushOutcome } from '../../src/server/room-file-push.ts'
import { memoryDialer } from '../../src/chat/msrp-dialer.ts'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'

const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

/** Resolves with the first `n` push outcomes the server reports from now on. */
function outcomes(chat: TestChat, n: number): Promise<PushOutcome[]> {
  const seen: PushOutcome[] = []
  return new Promise((resolve) => {
    const stop = chat.server.onFilePush((outcome) => {
      seen.push(outcome)
      if (seen.length === n) {
        stop()
        resolve(seen)
      }
    })
  })
}

describe('files pushed to every participant', () => {
  let dir: string
  let chat: TestChat
  let alice: TestParticipant
  let bob: TestParticipant
  let carol: TestParticipant
  let dave: TestParticipant

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-push-'))
    chat = await createTestChat({ rooms: { lobby: { pushFiles: true }, quiet: {} }, files: { dir } })
    alice = await chat.participant('alice')
    bob = await chat.participant('bob')
    carol = await chat.participant('carol')
    dave = await chat.participant('dave', { pushedFiles: 'decline' })
    for (const p of [alice, bob, carol, dave]) await p.join('lobby')
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('offers a stored file to the 3 others: two take it whole (hash checked), one declines (603) without touching them', async () => {
    const content = randomBytes(300 * 1024)
    const done = outcomes(chat, 3)
    await alice.sendFile(alice.room!.uri, content, { name: 'report.pdf' })
    const results = await done
    assert.deepEqual(results.map((o) => [o.to, o.status]).sort(), [['sip:bob@example.test', 200], ['sip:carol@example.test', 200], ['sip:dave@example.test', 603]])
    for (const who of [bob, carol]) {
      const file = await who.expectFile()
      assert.equal(file.name, 'report.pdf')
      assert.equal(file.room, alice.room!.uri)
      assert.equal(file.sha1, sha1(content))
      assert.deepEqual(Buffer.from(file.bytes), content)
    }
    assert.deepEqual(dave.pushedFiles.map((f) => [f.name, f.answer]), [['report.pdf', 'declined']])
    assert.equal(alice.files.length, 0, 'the sharer is not offered its own file')
    await chat.settled()
    const notices = bob.events.flatMap((e) => (e.type === 'notice' ? [e.text] : []))
    assert.ok(notices.some((t) => t.endsWith('; offered to everyone here')), notices.join(' | '))
    // One 'file' event per pushed file: the announcement of a pushed file is no second one.
    assert.equal(bob.events.filter((e) => e.type === 'file').length, 1)
  })
})

describe('push bounds', () => {
  let dir: string
  let chat: TestChat

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-push-bounds-'))
    chat = await createTestChat({ rooms: ['lobby'], files: { dir, push: true, maxPushes: 1, maxPushesPerRoom: 1, maxQueuedPushes: 1 } })
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs one push at once, queues one, and tells the room of the one the full queue could not take', async () => {
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => chat.participant(name)))
    for (const p of [alice!, bob!, carol!, dave!]) await p.join('lobby')
    const done = outcomes(chat, 2)
    const content = randomBytes(64 * 1024)
    await alice!.sendFile(alice!.room!.uri, content, { name: 'queued.bin' })
    const results = await done
    assert.deepEqual(results.map((o) => o.status), [200, 200])
    await chat.settled()
    const told = alice!.events.flatMap((e) => (e.type === 'notice' ? [e.text] : [])).filter((t) => t.startsWith('file 1 (queued.bin) was not offered to 1 participant(s)'))
    assert.equal(told.length, 1, 'the overflow is announced to the room, once')
    const takers = [bob!, carol!, dave!].filter((p) => p.files.length === 1)
    assert.equal(takers.length, 2)
    for (const p of takers) assert.equal(p.files[0]!.sha1, sha1(content))
    // The one it missed can still fetch it from the room.
    const missed = [bob!, carol!, dave!].find((p) => p.files.length === 0)!
    const pulled = await missed.pullFile('lobby', sha1(content))
    assert.deepEqual(Buffer.from(pulled.bytes!), content)
  })
})

describe('file retention', () => {
  let dir: string
  let chat: TestChat

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-retention-'))
    chat = await createTestChat({ rooms: { kept: { fileRetention: 'keep' }, dropped: {} }, files: { dir } })
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('keep: the files outlive the room and are listed when it comes back; with-room (default): they go with it', async () => {
    const alice = await chat.participant('alice')
    for (const room of ['kept', 'dropped']) {
      await alice.join(room)
      await alice.sendFile(alice.room!.uri, new TextEncoder().encode(room), { name: `${room}.txt` })
      await alice.leave()
      assert.equal(chat.server.roomFiles(room).length, 1)
      const path = chat.server.roomFiles(room)[0]!.path
      assert.equal(await chat.server.deleteRoom(room), true)
      assert.equal(await access(path).then(() => true, () => false), room === 'kept', `${room}: file on disk after the room went`)
    }
    assert.deepEqual(chat.server.roomFiles('kept').map((f) => f.name), ['kept.txt'])
    assert.deepEqual(chat.server.roomFiles('dropped'), [])
    chat.server.rooms.create(chat.server.roomUri('kept'), { fileRetention: 'keep' })
    await alice.join('kept')
    assert.deepEqual(alice.roomFiles().map((f) => f.name), ['kept.txt'], 'the room back lists its kept file')
    const pulled = await alice.pullFile('kept', chat.server.roomFiles('kept')[0]!.sha1)
    assert.equal(new TextDecoder().decode(pulled.bytes), 'kept')
  })
})

describe('a participant that cannot take files', () => {
  let dir: string
  let chat: TestChat
  let page: SipChatBackend | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-push-page-'))
    chat = await createTestChat({ rooms: { lobby: { pushFiles: true } }, files: { dir } })
  })

  after(async () => {
    await page?.stop()
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers a push 488 at once when it has no MSRP listener (as the browser page), and the others get the file', async () => {
    const network = chat.network
    // Like the browser page: SIP and outgoing MSRP, but nothing that listens for MSRP.
    page = new SipChatBackend({ uri: 'sip:page@example.test', transport: 'tcp' }, { sipTransport: network.sip.createTransport({ host: 'page-1.clients.invalid', port: 5060 }), msrpDialer: memoryDialer(network.msrp), automaton: false, publishPresence: false })
    await page.start()
    await page.join(chat.roomUri('lobby'), { nickname: 'page' })
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob')
    await alice.join('lobby')
    await bob.join('lobby')
    const done = outcomes(chat, 2)
    await alice.sendFile(alice.room!.uri, new TextEncoder().encode('for all'), { name: 'all.txt' })
    assert.deepEqual((await done).map((o) => [o.to, o.status]).sort(), [['sip:bob@example.test', 200], ['sip:page@example.test', 488]])
    assert.equal((await bob.expectFile()).name, 'all.txt')
  })
})

describe('file retention of rooms created on demand', () => {
  for (const retention of ['with-room', 'keep'] as const) {
    it(`server default ${retention}: a room removed when its last participant left ${retention === 'keep' ? 'keeps' : 'takes'} its files`, async () => {
      const dir = await mkdtemp(join(tmpdir(), `room-file-on-demand-${retention}-`))
      const chat = await createTestChat({ rooms: [], autoCreateRooms: true, files: { dir, retention } })
      try {
        const alice = await chat.participant('alice')
        await alice.join(chat.roomUri('popup'))
        await alice.sendFile(alice.room!.uri, new TextEncoder().encode('ephemeral'), { name: 'e.txt' })
        const path = chat.server.roomFiles('popup')[0]!.path
        await alice.leave()
        await chat.settled()
        assert.equal(chat.server.room('popup'), undefined, 'the room went with its last participant')
        // The list goes at once; the folder's removal runs on after the BYE is answered, so only
        // a kept file is checked on disk here (deleteRoom, awaited, is checked in room-files.test.ts).
        assert.equal(chat.server.roomFiles('popup').length, retention === 'keep' ? 1 : 0)
        if (retention === 'keep') assert.equal(await access(path).then(() => true, () => false), true)
      } finally {
        await chat.close()
        await rm(dir, { recursive: true, force: true })
      }
    })
  }
})

