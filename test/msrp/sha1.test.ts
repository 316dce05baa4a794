import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Sha1 } from '../../src/msrp/sha1.ts'

const reference = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

describe('Sha1', () => {
  it('matches the FIPS 180 examples', () => {
    assert.equal(new Sha1().digestHex(), 'da39a3ee5e6b4b0d3255bfef95601890afd80709')
    assert.equal(new Sha1().update(new TextEncoder().encode('abc')).digestHex(), 'a9993e364706816aba3e25717850c26c9cd0d89d')
  })

  it('gives the same digest however the input is split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 6 }), (data, cuts) => {
        const hash = new Sha1()
        let at = 0
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const end = Math.min(cut, data.length)
          if (end > at) hash.update(data.subarray(at, end))
          at = Math.max(at, end)
        }
        hash.update(data.subarray(at))
        assert.equal(hash.length, data.length)
        assert.equal(hash.digestHex(), reference(data))
      }),
    )
  })

  it('refuses updates after the digest', () => {
    const hash = new Sha1()
    hash.digestHex()
    assert.throws(() => hash.update(new Uint8Array(1)), /new Sha1/)
  })
})
