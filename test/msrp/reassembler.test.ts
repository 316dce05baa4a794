import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { chunkMessage } from '../../src/msrp/chunker.ts'
import type { IncomingChunk } from '../../src/msrp/reassembler.ts'
import { Reassembler } from '../../src/msrp/reassembler.ts'

function chunksOf(messageId: string, body: Buffer, size: number, totalUnknown = false): IncomingChunk[] {
  return chunkMessage(body, { chunkSize: size, totalUnknown }).map((c) => ({ messageId, byteRange: c.byteRange, continuation: c.continuation, data: c.data }))
}

describe('MSRP reassembler', () => {
  it('rebuilds a message from in-order chunks and reports progress', () => {
    const r = new Reassembler<string>()
    const [a, b, c] = chunksOf('m1', Buffer.from('hello world'), 4)
    assert.deepEqual(r.accept(a!, 'text/plain'), { kind: 'partial', messageId: 'm1', received: [{ start: 1, end: 4 }], meta: 'text/plain' })
    assert.equal(r.accept(b!, 'ignored').kind, 'partial')
    assert.deepEqual(r.received('m1'), [{ start: 1, end: 8 }])
    const done = r.accept(c!, 'ignored')
    assert.equal(done.kind, 'complete')
    assert.equal(done.kind === 'complete' && done.body.toString(), 'hello world')
    assert.equal(done.kind === 'complete' && done.meta, 'text/plain')
    assert.equal(r.incomplete, 0)
  })

  it('reports gaps as separate received ranges', () => {
    const r = new Reassembler()
    const [a, , c] = chunksOf('m1', Buffer.from('abcdefghij'), 4)
    r.accept(a!, undefined)
    const res = r.accept(c!, undefined)
    assert.deepEqual(res.kind === 'partial' && res.received, [{ start: 1, end: 4 }, { start: 9, end: 10 }])
  })

  it('accepts identical overlapping data and rejects conflicting overlap with 400', () => {
    const r = new Reassembler()
    const body = Buffer.from('abcdefghij')
    r.accept({ messageId: 'm', byteRange: { start: 1, end: 6, total: 10 }, continuation: '+', data: body.subarray(0, 6) }, undefined)
    const same = r.accept({ messageId: 'm', byteRange: { start: 4, end: 10, total: 10 }, continuation: '$', data: body.subarray(3) }, undefined)
    assert.equal(same.kind === 'complete' && same.body.toString(), 'abcdefghij')

    r.accept({ messageId: 'n', byteRange: { start: 1, end: 6, total: 10 }, continuation: '+', data: body.subarray(0, 6) }, undefined)
    const clash = r.accept({ messageId: 'n', byteRange: { start: 4, end: 10, total: 10 }, continuation: '$', data: Buffer.from('XXXXXXX') }, undefined)
    assert.equal(clash.kind, 'rejected')
    assert.equal(clash.kind === 'rejected' && clash.status, 400)
    assert.equal(r.incomplete, 0)
  })

  it('refuses messages over the size limit with 413, by total or by range end', () => {
    const r = new Reassembler({ maxMessageBytes: 100 })
    const big = r.accept({ messageId: 'm', byteRange: { start: 1, end: 10, total: 101 }, continuation: '+', data: Buffer.alloc(10) }, undefined)
    assert.equal(big.kind === 'rejected' && big.status, 413)
    const streaming = r.accept({ messageId: 's', byteRange: { start: 95, end: '*', total: '*' }, continuation: '+', data: Buffer.alloc(10) }, undefined)
    assert.equal(streaming.kind === 'rejected' && streaming.status, 413)
  })

  it('learns the total from the $ chunk when every chunk said *', () => {
    const r = new Reassembler()
    const chunks = chunksOf('m', Buffer.from('0123456789'), 3, true).map((c) => ({ ...c, byteRange: { ...c.byteRange, total: '*' as const } }))
    const results = [...chunks].reverse().map((c) => r.accept(c, undefined))
    const last = results.at(-1)
    assert.equal(last?.kind === 'complete' && last.body.toString(), '0123456789')
  })

  it('drops an aborted (#) message and says what had arrived', () => {
    const r = new Reassembler()
    const [a] = chunksOf('m', Buffer.from('abcdefgh'), 4)
    r.accept(a!, undefined)
    const res = r.accept({ messageId: 'm', byteRange: { start: 5, end: 4, total: 8 }, continuation: '#', data: Buffer.alloc(0) }, undefined)
    assert.deepEqual(res, { kind: 'aborted', messageId: 'm', received: [{ start: 1, end: 4 }], meta: undefined })
    assert.equal(r.incomplete, 0)
  })

  it('rejects chunks beyond the total and disagreeing totals with 400', () => {
    const r = new Reassembler()
    const beyond = r.accept({ messageId: 'a', byteRange: { start: 9, end: 12, total: 10 }, continuation: '+', data: Buffer.alloc(4) }, undefined)
    assert.equal(beyond.kind === 'rejected' && beyond.status, 400)
    r.accept({ messageId: 'b', byteRange: { start: 1, end: 2, total: 10 }, continuation: '+', data: Buffer.alloc(2) }, undefined)
    const disagree = r.accept({ messageId: 'b', byteRange: { start: 3, end: 4, total: 11 }, continuation: '+', data: Buffer.alloc(2) }, undefined)
    assert.equal(disagree.kind === 'rejected' && disagree.status, 400)
  })

  it('bounds the number of incomplete messages but still takes single-chunk messages', () => {
    const r = new Reassembler({ maxIncomplete: 2 })
    for (const id of ['a', 'b']) r.accept({ messageId: id, byteRange: { start: 1, end: 1, total: 5 }, continuation: '+', data: Buffer.alloc(1) }, undefined)
    const third = r.accept({ messageId: 'c', byteRange: { start: 1, end: 1, total: 5 }, continuation: '+', data: Buffer.alloc(1) }, undefined)
    assert.equal(third.kind === 'rejected' && third.status, 413)
    const whole = r.accept({ messageId: 'd', byteRange: { start: 1, end: 2, total: 2 }, continuation: '$', data: Buffer.from('ok') }, undefined)
    assert.equal(whole.kind, 'complete')
    assert.equal(r.incomplete, 2)
  })

  it('rebuilds interleaved messages from any permutation of their chunks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 400 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        fc.array(fc.nat(), { maxLength: 5 }),
        (bodies, size, totalUnknown, seeds, duplicates) => {
          const chunks = bodies.flatMap((b, i) => chunksOf(`msg${i}`, Buffer.from(b), size, totalUnknown))
          // A few duplicated chunks (identical overlap is allowed), then a random permutation.
          for (const d of duplicates) chunks.push(chunks[d % chunks.length]!)
          const order = chunks.map((c, i) => ({ c, k: seeds.next().value as number, i })).sort((x, y) => x.k - y.k || x.i - y.i)
          const r = new Reassembler()
          const done = new Map<string, Buffer>()
          for (const { c } of order) {
            const res = r.accept(c, undefined)
            assert.notEqual(res.kind, 'rejected')
            if (res.kind === 'complete') {
              assert.ok(!done.has(res.messageId) || res.body.equals(done.get(res.messageId)!))
              done.set(res.messageId, res.body)
            }
          }
          bodies.forEach((b, i) => assert.ok(done.get(`msg${i}`)?.equals(Buffer.from(b)), `msg${i}`))
        },
      ),
      { numRuns: 200 },
    )
  })
})
