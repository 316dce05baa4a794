// Files a room keeps survive a restart: the room folder's manifest is read back at start, every
// entry checked (schema, a file inside the folder of the listed size), and what does not hold is
// logged and dropped; folders of rooms whose files go with them are cleared at start.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { access, mkdir, mkdtemp, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat } from 'msrp-bot/testing'
import { MANIFEST_NAME, writeManifest } from '../../src/server/room-file-manifest.ts'
import { RoomFileStore, roomFolderName } from '../../src/server/room-files.ts'

const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false)
const rooms = { kept: { fileRetention: 'keep' as const }, dropped: {} }
const KEPT = 'sip:kept@example.test'

/** A server log that records warnings, to check that what is dropped is said. */
function recordingLog(): { warnings: string[]; logger: { debug(): void; info(): void; warn(m: string): void } } {
  const warnings: string[] = []
  return { warnings, logger: { debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m) } }
}

/** Runs a server on `store` in which alice shares `files` in the room `kept` (and one in `dropped`), then stops it. */
async function storeFiles(store: string, files: Record<string, string>): Promise<void> {
  const chat = await createTestChat({ rooms, files: { dir: store } })
  try {
    const alice = await chat.participant('alice')
    await alice.join('kept')
    for (const [name, content] of Object.entries(files)) await alice.sendFile(alice.room!.uri, text(content), { name })
    await alice.leave()
    await alice.join('dropped')
    await alice.sendFile(alice.room!.uri, text('gone'), { name: 'gone.txt' })
  } finally {
    await chat.close()
  }
}

async function manifestOf(store: string): Promise<{ files: Array<Record<string, unknown>> }> {
  return JSON.parse(await readFile(join(store, roomFolderName(KEPT), MANIFEST_NAME), 'utf8')) as { files: Array<Record<string, unknown>> }
}

describe('kept room files after a restart', () => {
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-files-restore-'))
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('lists the kept files again (conference-info and pulls by hash); clears the folder of a room whose files go with it', async () => {
    const store = join(dir, 'restart')
    await storeFiles(store, { 'a.txt': 'first', 'b.txt': 'second' })
    assert.equal(await exists(join(store, roomFolderName('sip:dropped@example.test'))), true, 'a stop leaves the with-room folder (as a crash would)')
    const chat = await createTestChat({ rooms, files: { dir: store } })
    try {
      assert.deepEqual(chat.server.roomFiles('kept').map((f) => [f.number, f.name, f.size, f.sha1, f.from]), [
        [1, 'a.txt', 5, sha1(text('first')), 'sip:alice@example.test'],
        [2, 'b.txt', 6, sha1(text('second')), 'sip:alice@example.test'],
      ])
      assert.equal(await exists(join(store, roomFolderName('sip:dropped@example.test'))), false, 'with-room leftovers are removed at start')
      assert.deepEqual(chat.server.roomFiles('dropped'), [])
      const bob = await chat.participant('bob')
      await bob.join('kept')
      assert.deepEqual(bob.roomFiles().map((f) => [f.name, f.sha1]), [['a.txt', sha1(text('first'))], ['b.txt', sha1(text('second'))]])
      const pulled = await bob.pullFile('kept', sha1(text('second')))
      assert.equal(new TextDecoder().decode(pulled.bytes), 'second')
      // Numbers go on after the restored ones; the new file is in the manifest too.
      await bob.sendFile(bob.room!.uri, text('third'), { name: 'c.txt' })
      assert.deepEqual(chat.server.roomFiles('kept').map((f) => f.number), [1, 2, 3])
      assert.deepEqual((await manifestOf(store)).files.map((f) => f.file), ['1-a.txt', '2-b.txt', '3-c.txt'])
    } finally {
      await chat.close()
    }
  })

  it('a corrupt manifest: nothing is listed, the folder is moved aside for the operator, and the log says so', async () => {
    const store = join(dir, 'corrupt')
    await storeFiles(store, { 'a.txt': 'first' })
    const folder = join(store, roomFolderName(KEPT))
    await writeFile(join(folder, MANIFEST_NAME), '{"version": x\nFAKE log line')
    const log = recordingLog()
    const chat = await createTestChat({ rooms, files: { dir: store }, serverLogger: log.logger })
    try {
      assert.deepEqual(chat.server.roomFiles('kept'), [])
      assert.equal(await exists(folder), false)
      const aside = (await readdir(store)).filter((n) => n.startsWith(`${roomFolderName(KEPT)}.unreadable-`))
      assert.equal(aside.length, 1, 'moved aside, not deleted')
      assert.ok(log.warnings.some((w) => w.includes('is not JSON')), log.warnings.join(' | '))
      assert.ok(log.warnings.every((w) => !w.includes('\n')), 'what the manifest holds cannot start a log line of its own')
      // The room takes files again, from number 1, in a fresh folder.
      const alice = await chat.participant('alice')
      await alice.join('kept')
      await alice.sendFile(alice.room!.uri, text('new'), { name: 'new.txt' })
      assert.deepEqual(chat.server.roomFiles('kept').map((f) => f.number), [1])
    } finally {
      await chat.close()
    }
  })

  it('a manifest that names another room is not trusted', async () => {
    const store = join(dir, 'moved')
    await storeFiles(store, { 'a.txt': 'first' })
    const folder = join(store, roomFolderName(KEPT))
    const manifest = await manifestOf(store)
    await writeFile(join(folder, MANIFEST_NAME), JSON.stringify({ ...manifest, version: 1, room: 'sip:other@example.test' }))
    const log = recordingLog()
    const chat = await createTestChat({ rooms: { ...rooms, other: { fileRetention: 'keep' } }, files: { dir: store }, serverLogger: log.logger })
    try {
      assert.deepEqual(chat.server.roomFiles('kept'), [])
      assert.deepEqual(chat.server.roomFiles('other'), [])
      assert.ok(log.warnings.some((w) => w.includes('names sip:other@example.test')), log.warnings.join(' | '))
    } finally {
      await chat.close()
    }
  })

  it('a file removed behind the server\'s back, or of another size, is dropped from the list; files the manifest does not name are removed', async () => {
    const store = join(dir, 'removed')
    await storeFiles(store, { 'a.txt': 'first', 'b.txt': 'second', 'c.txt': 'third' })
    const folder = join(store, roomFolderName(KEPT))
    await unlink(join(folder, '1-a.txt'))
    await writeFile(join(folder, '3-c.txt'), 'third, longer')
    await writeFile(join(folder, '9-stray.bin'), 'not listed')
    await writeFile(join(folder, '4-d.txt.part'), 'half an upload')
    const log = recordingLog()
    const chat = await createTestChat({ rooms, files: { dir: store }, serverLogger: log.logger })
    try {
      assert.deepEqual(chat.server.roomFiles('kept').map((f) => f.name), ['b.txt'])
      assert.deepEqual((await readdir(folder)).sort(), ['2-b.txt', MANIFEST_NAME])
      assert.ok(log.warnings.some((w) => w.includes('1-a.txt') && w.includes('missing')), log.warnings.join(' | '))
      assert.ok(log.warnings.some((w) => w.includes('3-c.txt') && w.includes('the manifest says 5')), log.warnings.join(' | '))
      assert.ok(log.warnings.some((w) => w.includes('removed 9-stray.bin')), log.warnings.join(' | '))
      assert.deepEqual((await manifestOf(store)).files.map((f) => f.file), ['2-b.txt'], 'the manifest is rewritten to what is listed')
    } finally {
      await chat.close()
    }
  })

  it('path tricks in a manifest (../, absolute, a link out of the folder) list nothing and touch nothing outside', async () => {
    const store = join(dir, 'tricks')
    await storeFiles(store, { 'a.txt': 'first' })
    const folder = join(store, roomFolderName(KEPT))
    const outside = join(dir, 'secret.txt')
    await writeFile(outside, 'secret')
    await symlink(outside, join(folder, '7-link.txt'))
    const manifest = await manifestOf(store)
    const good = manifest.files[0]!
    const forged = (file: string, number: number): Record<string, unknown> => ({ ...good, number, file, size: 6, sha1: sha1(text(`${number}`)) })
    const rel = `../../${basename(outside)}`
    await writeFile(join(folder, MANIFEST_NAME), JSON.stringify({ version: 1, room: KEPT, files: [good, forged(rel, 2), forged(outside, 3), forged(`4-../../${basename(outside)}`, 4), forged('5-..', 5), forged('7-link.txt', 7), { number: 'x' }] }))
    const log = recordingLog()
    const chat = await createTestChat({ rooms, files: { dir: store }, serverLogger: log.logger })
    try {
      assert.deepEqual(chat.server.roomFiles('kept').map((f) => f.name), ['a.txt'])
      assert.equal(await readFile(outside, 'utf8'), 'secret', 'the file outside is untouched')
      assert.equal(dirname(chat.server.roomFiles('kept')[0]!.path), folder)
      assert.deepEqual((await readdir(folder)).sort(), ['1-a.txt', MANIFEST_NAME], 'the link itself is removed, not what it points to')
      assert.equal(log.warnings.filter((w) => w.includes('dropped entry')).length, 6, log.warnings.join(' | '))
    } finally {
      await chat.close()
    }
  })

  it('an upload that arrives while the start-up read runs waits for it and is numbered after the kept files', async () => {
    const store = join(dir, 'during')
    const folder = join(store, roomFolderName(KEPT))
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, '1-a.txt'), 'first')
    await writeManifest(folder, KEPT, [{ number: 1, name: 'a.txt', type: 'text/plain', size: 5, sha1: sha1(text('first')), from: 'sip:alice@example.test', storedAt: new Date(), file: '1-a.txt' }])
    const files = new RoomFileStore({ dir: store })
    const restoring = files.restore(() => 'keep', recordingLog().logger)
    const upload = files.reserve(KEPT, { name: 'b.txt', type: 'text/plain', size: 1, from: 'sip:bob@example.test' })
    await restoring
    const reservation = await upload
    await writeFile(reservation.partPath, 'b')
    const stored = await reservation.commit({ sha1: sha1(text('b')) })
    assert.equal(stored.number, 2)
    assert.deepEqual(files.list(KEPT).map((f) => f.name), ['a.txt', 'b.txt'])
  })

  it('a manifest over the quota of the restarted server keeps the oldest files that fit', async () => {
    const store = join(dir, 'quota')
    await storeFiles(store, { 'a.txt': 'first', 'b.txt': 'second', 'c.txt': 'third' })
    const chat = await createTestChat({ rooms, files: { dir: store, maxRoomFiles: 2 } })
    try {
      assert.deepEqual(chat.server.roomFiles('kept').map((f) => f.name), ['a.txt', 'b.txt'])
      assert.equal(await exists(join(store, roomFolderName(KEPT), '3-c.txt')), false)
    } finally {
      await chat.close()
    }
  })
})
