// Files in rooms (RFC 5547 on an RFC 7701 room): pushed into the room's store, pulled by
// another participant, bounded, and stored under safe names.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import { DiskFileSink } from '../../src/msrp/node-file-io.ts'
import { RoomFileStore, roomFolderName, sanitizeFileName } from '../../src/server/room-files.ts'

const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

describe('files in rooms', () => {
  let dir: string
  let chat: TestChat
  let alice: TestParticipant
  let bob: TestParticipant
  let room: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-files-'))
    chat = await createTestChat({ rooms: ['lobby', 'small'], files: { dir: join(dir, 'store'), maxFileBytes: 8 * 1024 * 1024, maxRoomBytes: 12 * 1024 * 1024 } })
    alice = await chat.participant('alice')
    bob = await chat.participant('bob')
    await alice.join('lobby')
    await bob.join('lobby')
    room = alice.room!.uri
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('stores a 5 MiB file pushed to the room; another participant pulls it to disk, hash checked', async () => {
    const content = randomBytes(5 * 1024 * 1024)
    const receipt = await alice.sendFile(room, content, { name: 'photo.jpg' })
    assert.equal(receipt.bytes, content.length)
    const [stored] = chat.server.roomFiles('lobby')
    assert.equal(stored?.name, 'photo.jpg')
    assert.equal(stored?.type, 'image/jpeg')
    assert.equal(stored?.sha1, sha1(content))
    assert.equal(stored?.from, 'sip:alice@example.test')
    await chat.settled()
    const notices = bob.events.flatMap((e) => (e.type === 'notice' ? [e.text] : []))
    assert.ok(notices.some((t) => t.startsWith(`alice shared file 1: photo.jpg (${content.length} bytes, image/jpeg), sha-1 ${sha1(content)}`)), notices.join(' | '))
    // The room's conference-info lists it (msrp-bot's <files>), for everyone in the room.
    for (const who of [alice, bob]) {
      assert.deepEqual(who.roomFiles().map((f) => ({ name: f.name, type: f.type, size: f.size, sha1: f.sha1, sender: f.sender, date: f.date?.getTime() })), [
        { name: 'photo.jpg', type: 'image/jpeg', size: content.length, sha1: sha1(content), sender: 'sip:alice@example.test', date: stored!.storedAt.getTime() },
      ])
    }
    const late = await chat.participant('dave')
    await late.join('lobby')
    assert.deepEqual(late.roomFiles().map((f) => f.name), ['photo.jpg'], 'a participant who joins later gets the list in its first document')
    await late.leave()
    const to = join(dir, 'pulled.jpg')
    const sink = new DiskFileSink(to)
    let largest = 0
    const pulled = await bob.pullFile('lobby', sha1(content), {
      write(data) {
        largest = Math.max(largest, data.length)
        return sink.write(data)
      },
    })
    await sink.close()
    assert.deepEqual({ name: pulled.name, size: pulled.size, sha1: pulled.sha1 }, { name: 'photo.jpg', size: content.length, sha1: sha1(content) })
    assert.ok((await readFile(to)).equals(content))
    assert.ok(largest <= 2048, `the pull wrote pieces of at most one chunk (largest ${largest})`)
  })

  it('refuses a file over the limit with 413 and says why, storing nothing', async () => {
    const before = chat.server.roomFiles('lobby').length
    await assert.rejects(alice.sendFile(room, new Uint8Array(9 * 1024 * 1024), { name: 'huge.bin' }), (e: { code?: string; statusCode?: number }) => e.code === 'SEND_REJECTED' && e.statusCode === 413)
    assert.equal(chat.server.roomFiles('lobby').length, before)
  })

  it('refuses a file that would pass the room quota with 413', async () => {
    await assert.rejects(alice.sendFile(room, new Uint8Array(8 * 1024 * 1024), { name: 'quota.bin' }), (e: { statusCode?: number }) => e.statusCode === 413)
  })

  it('stores a name like ../../x inside the room folder', async () => {
    await alice.sendFile(room, new TextEncoder().encode('x'), { name: '../../x' })
    const stored = chat.server.roomFiles('lobby').at(-1)!
    assert.equal(stored.name, '../../x', 'the name shown is the one sent')
    assert.ok(resolve(stored.path).startsWith(resolve(dir, 'store') + '/'), stored.path)
    assert.match(stored.path, /\/\d+-x$/)
    assert.equal(sanitizeFileName('..\\..\\evil\u0000.sh'), 'evil.sh')
    assert.equal(sanitizeFileName('...'), 'file')
    const pulled = await bob.pullFile('lobby', stored.sha1)
    assert.equal(new TextDecoder().decode(pulled.bytes), 'x')
  })

  it('refuses a file name over 1000 characters with 488 (every stored file must fit its room\'s manifest)', async () => {
    const before = chat.server.roomFiles('lobby').length
    await assert.rejects(alice.sendFile(room, new Uint8Array(1), { name: `${'n'.repeat(1001)}.txt` }), (e: { statusCode?: number }) => e.statusCode === 488)
    assert.equal(chat.server.roomFiles('lobby').length, before)
  })

  it('answers 404 for a hash the room does not have, and 403 to someone not in the room', async () => {
    await assert.rejects(bob.pullFile('lobby', '00'.repeat(20)), (e: { statusCode?: number }) => e.statusCode === 404)
    const carol = await chat.participant('carol')
    await assert.rejects(carol.sendFile(room, new Uint8Array(1), { name: 'a' }), (e: { statusCode?: number }) => e.statusCode === 403)
  })

  it('deletes the files with the room', async () => {
    const folders = await readdir(join(dir, 'store'))
    assert.ok(folders.length > 0)
    await chat.server.deleteRoom('lobby')
    assert.deepEqual(await readdir(join(dir, 'store')), [])
    assert.deepEqual(chat.server.roomFiles('lobby'), [])
  })
})

describe('files in a bot\'s rooms', () => {
  let dir: string
  let chat: TestChat

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-bot-files-'))
    chat = await createTestChat({ rooms: ['lobby'], files: { dir } })
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a file shared in the room reaches bot.on(\'file\') with ctx.room; replyWithFile shares the answer in the room, once', async () => {
    const bot = chat.createBot({ uri: 'sip:counter@example.test' })
    const seen: string[] = []
    bot.on('file', async (ctx) => {
      seen.push(`${ctx.room?.uri} ${ctx.file.name} ${ctx.sender.nickname}`)
      const text = new TextDecoder().decode(await ctx.file.download())
      await ctx.replyWithFile(new TextEncoder().encode(`${text.split('\n').length} lines`), { name: `${ctx.file.name}.count` })
    })
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'counter' })
    const alice = await chat.participant('alice')
    await alice.join('lobby')
    await alice.sendFile(alice.room!.uri, new TextEncoder().encode('a\nb\nc'), { name: 'abc.txt' })
    await chat.settled()
    assert.deepEqual(seen, ['sip:lobby@example.test abc.txt alice'], 'the bot does not answer its own file')
    const files = chat.server.roomFiles('lobby')
    assert.deepEqual(files.map((f) => `${f.name} from ${f.from}`), ['abc.txt from sip:alice@example.test', 'abc.txt.count from sip:counter@example.test'])
    const pulled = await alice.pullFile('lobby', files[1]!.sha1)
    assert.equal(new TextDecoder().decode(pulled.bytes), '3 lines')
    const room = bot.rooms.find((r) => r.uri === chat.roomUri('lobby'))!
    assert.deepEqual(room.files().map((f) => `${f.name} ${f.sha1} ${f.sender}`), files.map((f) => `${f.name} ${f.sha1} ${f.from}`), 'room.files() lists what the room stores')
  })
})

describe('file transfer bounds in rooms', () => {
  let dir: string
  let chat: TestChat

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-bounds-'))
    chat = await createTestChat({ rooms: ['lobby'], files: { dir } })
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('lets one participant run at most 4 transfers at once (486 for the fifth)', async () => {
    const alice = await chat.participant('alice')
    await alice.join('lobby')
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const started: Array<() => void> = []
    const running = Array.from({ length: 4 }, () => new Promise<void>((resolve) => started.push(resolve)))
    const stalled = {
      name: 'slow.bin',
      type: 'application/octet-stream',
      size: 10_000,
      sha1: '00'.repeat(20),
      source: async function* () {
        started.shift()?.() // the transfer is up: the room answered and the connection is bound
        yield new Uint8Array(100)
        await gate // the rest never comes until released
      },
    }
    const first = Array.from({ length: 4 }, () => alice.backend.sendFile(alice.room!.uri, stalled))
    for (const f of first) f.catch(() => undefined)
    await Promise.all(running)
    await assert.rejects(alice.backend.sendFile(alice.room!.uri, stalled), (e: { statusCode?: number }) => e.statusCode === 486)
    release()
    for (const f of first) await assert.rejects(f, { code: 'SEND_DISCONNECTED' })
    assert.deepEqual(chat.server.roomFiles('lobby'), [], 'nothing half-sent is stored')
  })
})

describe('the room folder manifest', () => {
  it('uploads committed at once are all listed in the manifest (its writes do not cross)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'room-files-manifest-'))
    try {
      const store = new RoomFileStore({ dir })
      const room = 'sip:lobby@example.test'
      const uploads = await Promise.all([1, 2, 3, 4, 5].map((n) => store.reserve(room, { name: `f${n}.txt`, type: 'text/plain', size: 1, from: 'sip:alice@example.test' })))
      await Promise.all(uploads.map((u) => writeFile(u.partPath, 'x')))
      await Promise.all(uploads.map((u, i) => u.commit({ sha1: sha1(new Uint8Array([i])) })))
      const manifest = JSON.parse(await readFile(join(dir, roomFolderName(room), 'manifest.json'), 'utf8')) as { room: string; files: Array<{ number: number }> }
      assert.equal(manifest.room, room)
      assert.deepEqual(manifest.files.map((f) => f.number).sort(), [1, 2, 3, 4, 5])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
