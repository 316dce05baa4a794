import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileNameForKey, fileStorage } from '../../../src/bot/session/file-storage.ts'
import { memoryStorage } from '../../../src/bot/session/storage.ts'

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-bot-storage-'))
  dirs.push(dir)
  return dir
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('memoryStorage', () => {
  it('reads what was written, as a copy, and forgets deleted keys', async () => {
    const storage = memoryStorage<{ n: number }>()
    assert.equal(await storage.read('k'), undefined)
    const value = { n: 1 }
    await storage.write('k', value)
    value.n = 99 // changing the object afterwards does not change what is stored
    const read = await storage.read('k')
    assert.deepEqual(read, { n: 1 })
    read!.n = 5
    assert.deepEqual(await storage.read('k'), { n: 1 })
    await storage.delete('k')
    await storage.delete('k') // missing: no error
    assert.equal(await storage.read('k'), undefined)
  })

  it('holds at most maxKeys keys, dropping the one written longest ago (a flood of new people is bounded)', async () => {
    const storage = memoryStorage<number>({ maxKeys: 2 })
    await storage.write('a', 1)
    await storage.write('b', 2)
    await storage.write('a', 3) // a is now the newest
    await storage.write('c', 4)
    assert.equal(await storage.read('b'), undefined)
    assert.equal(await storage.read('a'), 3)
    assert.equal(await storage.read('c'), 4)
    assert.throws(() => memoryStorage({ maxKeys: 0 }), /positive integer/)
  })
})

describe('fileStorage', () => {
  it('keeps values as JSON files that a new adapter on the same directory reads back', async () => {
    const dir = join(await tempDir(), 'nested', 'sessions') // made on first write
    const first = fileStorage<{ count: number }>({ dir })
    assert.equal(await first.read('session:sip:lobby@x sip:alice@x'), undefined)
    await first.write('session:sip:lobby@x sip:alice@x', { count: 3 })
    const second = fileStorage<{ count: number }>({ dir })
    assert.deepEqual(await second.read('session:sip:lobby@x sip:alice@x'), { count: 3 })
    await second.delete('session:sip:lobby@x sip:alice@x')
    assert.equal(await first.read('session:sip:lobby@x sip:alice@x'), undefined)
    assert.deepEqual(await readdir(dir), [])
  })

  it('never names a file outside its directory, whatever the key (path traversal)', async () => {
    const root = await tempDir()
    const dir = join(root, 'store')
    const storage = fileStorage<string>({ dir })
    const hostile = ['../escape', '../../etc/passwd', '/abs/path', '..', '.', 'a\\..\\b', 'nul\0byte', '']
    for (const key of hostile) await storage.write(key, key)
    assert.deepEqual(await readdir(root), ['store']) // nothing landed beside the directory
    const files = await readdir(dir)
    assert.equal(files.length, hostile.length) // one file per key, none shared
    for (const file of files) assert.match(file, /^[a-z0-9_-]*\.json$/)
    for (const key of hostile) assert.equal(await storage.read(key), key)
  })

  it('keeps keys apart that differ only in case or in characters it encodes', async () => {
    const names = await Promise.all(['Alice', 'alice', 'a_41lice', 'a.b', 'a/b'].map(fileNameForKey))
    assert.equal(new Set(names).size, names.length)
    const long = await fileNameForKey('x'.repeat(500))
    assert.ok(long.length < 100 && long.startsWith('~'), 'long keys are named by their hash')
    assert.notEqual(long, await fileNameForKey('x'.repeat(501)))
  })

  it('survives a crash mid-write: a torn temporary file is ignored and the old value stays', async () => {
    const dir = await tempDir()
    const storage = fileStorage<{ count: number }>({ dir })
    await storage.write('k', { count: 1 })
    const name = await fileNameForKey('k')
    // What a process killed during write() leaves behind: half a temporary file, never renamed.
    await writeFile(join(dir, `${name}.deadbeef.tmp`), '{"count": 2', 'utf8')
    assert.deepEqual(await fileStorage<{ count: number }>({ dir }).read('k'), { count: 1 })
    await storage.write('k', { count: 3 })
    assert.deepEqual(await storage.read('k'), { count: 3 })
    assert.equal(await readFile(join(dir, name), 'utf8'), '{"count":3}')
  })

  it('reports a damaged file with its path and what to do', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, await fileNameForKey('k')), 'not json', 'utf8')
    await assert.rejects(fileStorage({ dir }).read('k'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BOT_STORAGE_FAILED')
      assert.match(error.message, /is not valid JSON; fix or delete the file/)
      return true
    })
    assert.throws(() => fileStorage({ dir: '' }), /needs the directory/)
  })

  it('fails a write into an unusable directory with a StorageError and leaves no temporary file', async () => {
    const root = await tempDir()
    const blocker = join(root, 'file')
    await writeFile(blocker, 'x', 'utf8')
    await assert.rejects(fileStorage({ dir: blocker }).write('k', 1), { code: 'BOT_STORAGE_FAILED' })
    assert.deepEqual(await readdir(root), ['file'])
  })
})
