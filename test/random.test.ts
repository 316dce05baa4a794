import assert from 'node:assert/strict'
import { test } from 'node:test'
import { randomBase64Url, randomBytes, randomHex, randomUuid } from '../src/random.ts'

test('randomBytes fills the whole length, also past one getRandomValues call (64 KiB)', () => {
  const bytes = randomBytes(70_000)
  assert.equal(bytes.length, 70_000)
  assert.ok(bytes.subarray(65_536).some((b) => b !== 0), 'the part past the first call is filled too')
  assert.match(randomHex(4), /^[0-9a-f]{8}$/)
})

test('randomBase64Url is unpadded base64url of the asked number of bytes (RFC 4648 §5)', () => {
  for (const [length, chars] of [[12, 16], [1, 2], [2, 3], [3, 4], [16, 22]] as const) {
    const text = randomBase64Url(length)
    assert.match(text, /^[A-Za-z0-9_-]*$/)
    assert.equal(text.length, chars)
    assert.equal(Buffer.from(text, 'base64url').length, length, 'decodes back to that many bytes')
  }
  assert.notEqual(randomBase64Url(12), randomBase64Url(12))
})

test('randomUuid is a version 4, variant 10 UUID (RFC 9562 §5.4)', () => {
  const ids = new Set(Array.from({ length: 100 }, () => randomUuid()))
  assert.equal(ids.size, 100)
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
})
