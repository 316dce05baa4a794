import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { abortChunk, chunkMessage } from '../../src/msrp/chunker.ts'

describe('MSRP chunker', () => {
  it('splits into ranges 1-N/total with + on all but the last chunk ($)', () => {
    const chunks = chunkMessage(Buffer.from('hello world'), { chunkSize: 5 })
    assert.deepEqual(
      chunks.map((c) => [c.byteRange, c.continuation, c.data.toString()]),
      [
        [{ start: 1, end: 5, total: 11 }, '+', 'hello'],
        [{ start: 6, end: 10, total: 11 }, '+', ' worl'],
        [{ start: 11, end: 11, total: 11 }, '$', 'd'],
      ],
    )
  })

  it('says * for the total until the last chunk when the total is unknown', () => {
    const chunks = chunkMessage(Buffer.from('abcdef'), { chunkSize: 4, totalUnknown: true })
    assert.deepEqual(chunks.map((c) => c.byteRange), [
      { start: 1, end: 4, total: '*' },
      { start: 5, end: 6, total: 6 },
    ])
  })

  it('sends an empty message as one chunk 1-0/0', () => {
    assert.deepEqual(chunkMessage(Buffer.alloc(0)).map((c) => [c.byteRange, c.continuation]), [[{ start: 1, end: 0, total: 0 }, '$']])
  })

  it('marks an abandoned message with # after the bytes sent', () => {
    assert.deepEqual(abortChunk(2048, 10000), { byteRange: { start: 2049, end: 2048, total: 10000 }, continuation: '#', data: Buffer.alloc(0) })
  })

  it('rejects a non-positive chunk size', () => {
    assert.throws(() => chunkMessage(Buffer.from('x'), { chunkSize: 0 }), RangeError)
  })

  it('chunks cover the body exactly, in order, without copying (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 3000 }), (bytes, size) => {
        const body = Buffer.from(bytes)
        const chunks = chunkMessage(body, { chunkSize: size })
        assert.ok(Buffer.concat(chunks.map((c) => c.data)).equals(body))
        let next = 1
        for (const [i, c] of chunks.entries()) {
          assert.equal(c.byteRange.start, next)
          assert.ok(c.data.length <= size)
          assert.equal(c.continuation, i === chunks.length - 1 ? '$' : '+')
          assert.equal(c.byteRange.total, body.length)
          if (c.data.length > 0) assert.equal(c.data.buffer, body.buffer)
          next += c.data.length
        }
      }),
      { numRuns: 200 },
    )
  })
})
