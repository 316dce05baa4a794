// The manifest of a room folder: written atomically, read back with every entry checked.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MANIFEST_NAME, ManifestUnreadableError, readManifest, writeManifest } from '../../src/server/room-file-manifest.ts'

describe('room file manifest', () => {
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-file-manifest-'))
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a folder without a manifest reads as undefined', async () => {
    assert.equal(await readManifest(dir, 10), undefined)
  })

  it('round-trips the entries, leaves no temp file, and drops repeats', async () => {
    await writeFile(join(dir, '1-a.txt'), 'abc')
    const entry = { number: 1, name: 'a.txt', type: 'text/plain', size: 3, sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d', from: 'sip:alice@example.test', storedAt: new Date('2026-01-02T03:04:05.000Z'), file: '1-a.txt' }
    await writeManifest(dir, 'sip:lobby@example.test', [entry, { ...entry, number: 2 }, { ...entry, number: 3, sha1: entry.sha1.toUpperCase(), file: '3-a.txt' }])
    assert.deepEqual((await readdir(dir)).sort(), ['1-a.txt', MANIFEST_NAME])
    const read = await readManifest(dir, 10)
    assert.equal(read?.room, 'sip:lobby@example.test')
    assert.deepEqual(read?.entries, [entry])
    assert.equal(read?.dropped.length, 2, 'a repeated number and file, a repeated SHA-1 (read in lower case)')
    assert.ok(read!.dropped.every((d) => /repeats|missing/.test(d)), read!.dropped.join(' | '))
  })

  it('a manifest over 64 KiB per file the room may hold is not read (a bound on what start parses)', async () => {
    await writeFile(join(dir, MANIFEST_NAME), ' '.repeat(3 * 64 * 1024 + 1))
    await assert.rejects(readManifest(dir, 2), (e) => e instanceof ManifestUnreadableError && /more than the 196608 .* at most 2 files/.test(e.message))
  })

  it('a manifest of the wrong shape is unreadable, with the reason', async () => {
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ version: 2, room: 'sip:lobby@example.test', files: [] }))
    await assert.rejects(readManifest(dir, 10), (e) => e instanceof ManifestUnreadableError && /expected shape/.test(e.message))
  })
})
