// Files to and from a bot outside rooms (RFC 5547 push to its own address), through the
// in-process server's registrar and proxy.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import type { Bot } from 'msrp-bot'

const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

describe('files sent to a bot directly', () => {
  let chat: TestChat
  let bot: Bot
  let alice: TestParticipant
  const seen: Array<{ name: string; type: string; size: number; hash: string | undefined }> = []

  before(async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    bot = chat.createBot({ uri: 'sip:echo@example.test' })
    bot.on('file', async (ctx) => {
      seen.push({ name: ctx.file.name, type: ctx.file.type, size: ctx.file.size, hash: ctx.file.hash })
      if (ctx.file.name.startsWith('ignored')) return // not downloaded: declined
      const bytes = await ctx.file.download({ maxBytes: 8 * 1024 * 1024 })
      await ctx.replyWithFile(bytes, { name: `echo-${ctx.file.name}`, type: ctx.file.type })
    })
    await bot.start()
    alice = await chat.participant('alice')
  })

  after(() => chat.close())

  it('takes a 5 MiB file, checks its hash, and echoes it back', async () => {
    const content = randomBytes(5 * 1024 * 1024)
    const progress: number[] = []
    const receipt = await alice.sendFile('echo', content, { name: 'big.bin', onProgress: (p) => progress.push(p.confirmed) })
    assert.equal(receipt.bytes, content.length)
    assert.equal(progress.at(-1), content.length)
    const echoed = await alice.expectFile()
    assert.equal(echoed.from, 'sip:echo@example.test')
    assert.equal(echoed.name, 'echo-big.bin')
    assert.equal(echoed.type, 'application/octet-stream')
    assert.equal(echoed.sha1, sha1(content))
    assert.ok(Buffer.from(echoed.bytes).equals(content))
    assert.deepEqual(seen.at(-1), { name: 'big.bin', type: 'application/octet-stream', size: content.length, hash: sha1(content) })
  })

  it('declines a file no handler downloads (603)', async () => {
    await assert.rejects(alice.sendFile('echo', new Uint8Array(10), { name: 'ignored.txt' }), (e: { code?: string; statusCode?: number }) => e.code === 'SEND_REJECTED' && e.statusCode === 603)
  })

  it('refuses a file over the download cap with 413 and a clear error for the handler', async () => {
    const errors: unknown[] = []
    bot.catch((e) => void errors.push(e.error))
    await assert.rejects(alice.sendFile('echo', new Uint8Array(9 * 1024 * 1024), { name: 'huge.bin' }), (e: { code?: string; statusCode?: number }) => e.code === 'SEND_REJECTED' && e.statusCode === 413)
    await chat.settled()
    assert.match(String((errors[0] as Error | undefined)?.message), /over the 8388608-byte cap/)
  })

  it('keeps the sent name safe to show: a name with path parts arrives as written, not as a path', async () => {
    await alice.sendFile('echo', new TextEncoder().encode('x'), { name: '../../x' })
    const echoed = await alice.expectFile()
    assert.equal(echoed.name, 'echo-../../x')
  })
})
