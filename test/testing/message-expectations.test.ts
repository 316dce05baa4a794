import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ExpectationError, MessageExpectations, acceptsEntry } from '../../src/testing/message-expectations.ts'
import type { TranscriptEntry } from '../../src/testing/transcript.ts'

const entry = (text: string, over: Partial<TranscriptEntry> = {}): TranscriptEntry => ({
  room: 'sip:lobby@example.test',
  kind: 'public',
  direction: 'received',
  from: 'sip:echo@example.test',
  nickname: 'echo',
  text,
  contentType: 'text/plain',
  timestamp: new Date(0),
  messageId: 'm',
  ...over,
})

describe('acceptsEntry', () => {
  it('takes received messages only, filtered by kind and by nickname or URI', () => {
    assert.equal(acceptsEntry(entry('hi'), 'hi', {}), true)
    assert.equal(acceptsEntry(entry('hi', { direction: 'sent' }), 'hi', {}), false)
    assert.equal(acceptsEntry(entry('hi'), 'hi', { kind: 'private' }), false)
    assert.equal(acceptsEntry(entry('hi'), /h/, { from: 'echo' }), true)
    assert.equal(acceptsEntry(entry('hi'), 'hi', { from: 'sip:echo@example.test' }), true)
    assert.equal(acceptsEntry(entry('hi'), 'hi', { from: 'alice' }), false)
  })
})

describe('MessageExpectations', () => {
  it('resolves at once with a message already in the transcript', async () => {
    const transcript = [entry('you said: hi')]
    const expectations = new MessageExpectations('alice', transcript)
    assert.equal(await expectations.expect('you said: hi', {}), transcript[0])
  })

  it('resolves a waiter when a matching entry is offered, and only that waiter', async () => {
    const expectations = new MessageExpectations('alice', [])
    const waiting = expectations.expect(/welcome/, { timeoutMs: 60_000 })
    const other = expectations.expect('never', { timeoutMs: 1 }).catch((error: unknown) => error)
    const welcome = entry('welcome, alice')
    expectations.offer(entry('unrelated'))
    expectations.offer(welcome)
    assert.equal(await waiting, welcome)
    const error = await other
    assert.ok(error instanceof ExpectationError)
    assert.match(error.message, /alice got no +message "never" within 1 ms; it received no messages at all/)
  })
})
