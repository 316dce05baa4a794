// A bot in a room whose policy pushes files (RFC 5547 §8.2, the room as sender): each pushed file
// is one bot.on('file') with ctx.room set and the same ctx.file API as a file shared in the room;
// not downloaded → 603; over the download cap → 413; the bot leaving while it rings → the
// room cancels the push.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import type { PushOutcome } from '../../src/server/room-file-push.ts'

/** The next push outcome for `to` the server reports. */
function outcomeFor(chat: TestChat, to: string): Promise<PushOutcome> {
  return new Promise((resolve) => {
    const stop = chat.server.onFilePush((outcome) => {
      if (outcome.to !== to) return
      stop()
      resolve(outcome)
    })
  })
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('files a push room offers a bot', () => {
  let dir: string
  let chat: TestChat
  let alice: TestParticipant
  const botUri = 'sip:keeper@example.test'

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bot-file-push-'))
    chat = await createTestChat({ rooms: ['lobby'], files: { dir, push: true } })
    alice = await chat.participant('alice')
    await alice.join('lobby')
  })

  after(async () => {
    await chat.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('gets file once per pushed file, with ctx.room and the sharer\'s nickname; not downloaded → 603; over the cap → 413', async () => {
    const bot = chat.createBot({ uri: botUri })
    const seen: string[] = []
    bot.on('file', async (ctx) => {
      seen.push(`${ctx.room?.uri} ${ctx.file.name} ${ctx.sender.nickname}`)
      if (ctx.file.name === 'keep.txt') seen.push(new TextDecoder().decode(await ctx.file.download()))
      if (ctx.file.name === 'big.bin') await assert.rejects(ctx.file.download({ maxBytes: 10 }), /FILE_TOO_LARGE|over the 10-byte cap/)
      // skip.txt: not downloaded, declined after the handlers
    })
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'keeper' })
    const room = alice.room!.uri
    for (const [name, content, status] of [['keep.txt', 'kept', 200], ['skip.txt', 'skipped', 603], ['big.bin', 'x'.repeat(100), 413]] as const) {
      const outcome = outcomeFor(chat, botUri)
      await alice.sendFile(room, text(content), { name })
      assert.equal((await outcome).status, status, name)
    }
    await chat.settled()
    assert.deepEqual(seen, [`${room} keep.txt alice`, 'kept', `${room} skip.txt alice`, `${room} big.bin alice`], 'one file event per pushed file')
    await bot.stop()
  })

  it('leaving the room while the push rings cancels it (487)', async () => {
    const bot = chat.createBot({ uri: 'sip:leaver@example.test' })
    let offered!: () => void
    const ringing = new Promise<void>((resolve) => (offered = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let download: Promise<unknown> | undefined
    bot.on('file', async (ctx) => {
      offered()
      await gate
      download = ctx.file.download()
      await download.catch(() => undefined)
    })
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'leaver' })
    const outcome = outcomeFor(chat, 'sip:leaver@example.test')
    await alice.sendFile(alice.room!.uri, text('never mind'), { name: 'late.txt' })
    await ringing
    await bot.leave(chat.roomUri('lobby'))
    assert.equal((await outcome).status, 487)
    release()
    await chat.settled()
    await assert.rejects(download!, 'a cancelled push cannot be downloaded')
    await bot.stop()
  })

  it('leaving the room while the file streams cancels the push (487) and the download fails', async () => {
    const bot = chat.createBot({ uri: 'sip:streamer@example.test' })
    let firstBytes!: () => void
    const streaming = new Promise<void>((resolve) => (firstBytes = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let download: Promise<unknown> | undefined
    bot.on('file', async (ctx) => {
      // A sink that stalls after its first write: the push stays in the middle of the file.
      download = ctx.file.downloadTo({ write: () => (firstBytes(), gate) }, { maxBytes: 1024 * 1024 })
      await download.catch(() => undefined)
    })
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'streamer' })
    const outcome = outcomeFor(chat, 'sip:streamer@example.test')
    await alice.sendFile(alice.room!.uri, new Uint8Array(512 * 1024).fill(7), { name: 'stream.bin' })
    await streaming
    await bot.leave(chat.roomUri('lobby'))
    assert.equal((await outcome).status, 487)
    release()
    await assert.rejects(download!, 'the file never arrived whole')
    await bot.stop()
  })
})
