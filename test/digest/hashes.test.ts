import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { md5Hex, sha256Hex, sha512_256Hex } from '../../src/digest/hashes.ts'

const HASHES = [
  ['md5', md5Hex],
  ['sha256', sha256Hex],
  ['sha512-256', sha512_256Hex],
] as const

describe('digest hashes written in TypeScript', () => {
  it('match the published test vectors (RFC 1321 §A.5, FIPS 180-4 examples)', () => {
    assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e')
    assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72')
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    assert.equal(sha512_256Hex('abc'), '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23')
  })

  it('agree with node:crypto at every padding boundary', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000]) {
      const text = 'x'.repeat(length)
      for (const [name, hash] of HASHES) assert.equal(hash(text), createHash(name).update(text).digest('hex'), `${name} of ${length} bytes`)
    }
  })

  it('agree with node:crypto on random strings and bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.uint8Array({ maxLength: 300 })), (input) => {
        for (const [name, hash] of HASHES) assert.equal(hash(input), createHash(name).update(input).digest('hex'))
      }),
      { numRuns: 200 },
    )
  })
})
