// The focus's announcement of a stored file reads back as written, with or without the mark of a
// room that pushes the file to everyone.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatFileNotice, parseFileNotice } from '../../src/rooms/file-notice.ts'

const file = { sender: 'alice', number: 3, name: 'a (b).txt', size: 12, type: 'text/plain', sha1: 'ab'.repeat(20) }

describe('file notice', () => {
  it('round-trips a plain announcement (no pushed mark)', () => {
    const text = formatFileNotice(file)
    assert.equal(text, `alice shared file 3: a (b).txt (12 bytes, text/plain), sha-1 ${'ab'.repeat(20)}`)
    assert.deepEqual(parseFileNotice(text), file)
  })

  it('round-trips the announcement of a pushed file', () => {
    const text = formatFileNotice({ ...file, pushed: true })
    assert.ok(text.endsWith('; offered to everyone here'))
    assert.deepEqual(parseFileNotice(text), { ...file, pushed: true })
  })

  it('reads no other notice as a file', () => {
    assert.equal(parseFileNotice('file 3 (x) was not offered to 2 participant(s): too many files are being offered; fetch it from the room\'s files'), undefined)
  })
})
