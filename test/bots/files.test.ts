// bots/files.ts on the in-process chat server: files sent to it directly get an answer file.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Bot } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

describe('bots/files.ts', () => {
  let chat: TestChat
  let bot: Bot
  let alice: TestParticipant

  before(async () => {
    process.env['MSRP_BOT_LOG_LEVEL'] ??= 'warn'
    process.env['SIP_URI'] = 'sip:files@example.test'
    chat = await createTestChat({ rooms: ['lobby'] })
    bot = chat.attach((await import('../../bots/files.ts')).default)
    await bot.start()
    alice = await chat.participant('alice')
  })

  after(() => chat.close())

  it('counts the lines of a text file', async () => {
    await alice.sendFile('files', new TextEncoder().encode('one\ntwo\nthree\n'), { name: 'notes.txt' })
    const answer = await alice.expectFile()
    assert.equal(answer.name, 'notes.txt.lines.txt')
    assert.equal(new TextDecoder().decode(answer.bytes), 'notes.txt: 3 lines\n')
  })

  it('tells the type and size of an image', async () => {
    await alice.sendFile('files', new Uint8Array(1234), { name: 'cat.png' })
    const answer = await alice.expectFile()
    assert.equal(new TextDecoder().decode(answer.bytes), 'cat.png: an image, image/png, 1234 bytes\n')
  })

  it('sends anything else back as it was, and declines files over 5 MiB', async () => {
    const bytes = new Uint8Array([1, 2, 3])
    await alice.sendFile('files', bytes, { name: 'data.bin' })
    assert.deepEqual((await alice.expectFile()).bytes, bytes)
    await assert.rejects(alice.sendFile('files', new Uint8Array(6 * 1024 * 1024), { name: 'big.bin' }), (e: { statusCode?: number }) => e.statusCode === 603)
  })
})
