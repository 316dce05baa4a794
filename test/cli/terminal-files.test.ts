// The terminal chat's /send, /files and /get against the in-process server with file storage.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import { TerminalFiles } from '../../src/cli/terminal-files.ts'
import { formatFileNotice, parseFileNotice } from '../../src/rooms/file-notice.ts'

describe('terminal chat file commands', () => {
  let dir: string
  let chat: TestChat
  let alice: TestParticipant
  let bob: TestParticipant
  let aliceFiles: TerminalFiles
  let bobFiles: TerminalFiles

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terminal-files-'))
    chat = await createTestChat({ rooms: ['lobby'], files: { dir: join(dir, 'store') } })
    alice = await chat.participant('alice')
    bob = await chat.participant('bob')
    await alice.join('lobby')
    await bob.join('lobby')
    aliceFiles = new TerminalFiles(alice.backend, alice.room!.uri)
    bobFiles = new TerminalFiles(bob.backend, bob.room!.uri)
    alice.backend.subscribe((e) => void aliceFiles.onEvent(e))
    bob.backend.subscribe((e) => void bobFiles.onEvent(e))
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('/send puts a file in the room, /files lists it for others, /get saves it', async () => {
    const path = join(dir, 'notes.txt')
    await writeFile(path, 'hello\nworld\n')
    assert.equal(await aliceFiles.handle(`/send ${path}`), '* sent notes.txt (12 bytes)')
    await chat.settled()
    assert.match((await bobFiles.handle('/files'))!, /^ {2}1\. notes\.txt \(12 bytes, text\/plain\) from alice$/)
    const to = join(dir, 'copy.txt')
    assert.equal(await bobFiles.handle(`/get 1 ${to}`), `* saved ${to}`)
    assert.equal(await readFile(to, 'utf8'), 'hello\nworld\n')
  })

  it('/files lists the room\'s files from its conference-info, shared before one joined too', async () => {
    const carol = await chat.participant('carol')
    await carol.join('lobby')
    const carolFiles = new TerminalFiles(carol.backend, carol.room!.uri, () => carol.room)
    assert.equal(await new TerminalFiles(carol.backend, carol.room!.uri).handle('/files'), '* no files yet', 'no announcement reached carol')
    assert.match((await carolFiles.handle('/files'))!, /^ {2}1\. notes\.txt \(12 bytes, text\/plain\) from alice$/)
    const to = join(dir, 'carol.txt')
    assert.equal(await carolFiles.handle(`/get 1 ${to}`), `* saved ${to}`)
    assert.equal(await readFile(to, 'utf8'), 'hello\nworld\n')
  })

  it('explains its usage and leaves other lines alone', async () => {
    assert.equal(await bobFiles.handle('/get 9'), '* usage: /get <n> [path] (see /files)')
    assert.equal(await bobFiles.handle('/send'), '* usage: /send <path>')
    assert.match((await bobFiles.handle(`/send ${join(dir, 'missing')}`))!, /^\* could not send/)
    assert.equal(await bobFiles.handle('hello'), undefined)
  })

  it('reads back the announcement the server writes, one line whatever the name', () => {
    const file = { sender: 'alice', number: 3, name: 'a (b), c\nd.txt', size: 5, type: 'text/plain', sha1: 'ab'.repeat(20) }
    assert.deepEqual(parseFileNotice(formatFileNotice(file)), { ...file, name: 'a (b), c d.txt' })
    assert.equal(parseFileNotice('alice has joined the room'), undefined)
  })
})

describe('terminal chat in a room that pushes files', () => {
  let dir: string
  let chat: TestChat

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terminal-pushed-'))
    chat = await createTestChat({ rooms: { lobby: { pushFiles: true } }, files: { dir: join(dir, 'store') } })
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('says the room offers a file, saves it only on /get', async () => {
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob', { pushedFiles: 'leave' })
    await alice.join('lobby')
    await bob.join('lobby')
    const bobFiles = new TerminalFiles(bob.backend, bob.room!.uri)
    const said: string[] = []
    let offered!: () => void
    const offer = new Promise<void>((resolve) => (offered = resolve))
    bob.backend.subscribe((e) => {
      const line = bobFiles.onEvent(e)
      if (line === undefined) return
      said.push(line)
      if (line.includes('the room offers you')) offered()
    })
    await alice.sendFile(alice.room!.uri, new TextEncoder().encode('pushed text'), { name: 'pushed.txt' })
    await offer
    const n = /\/get (\d+)/.exec(said.find((l) => l.includes('the room offers you'))!)![1]!
    assert.match(said.join('\n'), /the room offers you pushed\.txt \(11 bytes\) from alice/)
    const to = join(dir, 'got.txt')
    assert.equal(await bobFiles.handle(`/get ${n} ${to}`), `* saved ${to}`)
    assert.equal(await readFile(to, 'utf8'), 'pushed text')
  })
})
