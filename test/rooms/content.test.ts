import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { contentOf } from '../../src/rooms/content.ts'

describe('contentOf (the media seam)', () => {
  it('keeps a binary body and its type as given', () => {
    const body = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
    assert.deepEqual(contentOf({ contentType: 'image/png', body }), { contentType: 'image/png', body })
  })

  it('adds charset=utf-8 only to text given as a string without one', () => {
    assert.deepEqual(contentOf({ contentType: 'text/plain;charset=iso-8859-1', body: 'x' }), { contentType: 'text/plain;charset=iso-8859-1', body: 'x' })
    assert.deepEqual(contentOf({ contentType: 'application/json', body: '{}' }), { contentType: 'application/json', body: '{}' })
  })
})
