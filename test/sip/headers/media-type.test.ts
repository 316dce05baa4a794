import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseContentType, parseAccept, mediaTypeMatches, serializeMediaType, charsetOf, mediaTypeName } from '../../../src/sip/headers/media-type.ts'

test('Content-Type with parameters', () => {
  const mt = parseContentType('Text/Plain ; charset="UTF-8"')
  assert.equal(mediaTypeName(mt), 'text/plain')
  assert.equal(charsetOf(mt), 'UTF-8')
  assert.equal(serializeMediaType(mt), 'text/plain;charset="UTF-8"')
  assert.throws(() => parseContentType('text'), { code: 'SIP_BAD_CONTENT_TYPE' })
  assert.throws(() => parseContentType('*/*'), { code: 'SIP_BAD_CONTENT_TYPE' })
})
test('Accept with wildcards; empty Accept accepts nothing', () => {
  const list = parseAccept('application/sdp;level=1, text/*, message/cpim')
  assert.ok(mediaTypeMatches(list[1]!, 'text/plain'))
  assert.ok(!mediaTypeMatches(list[0]!, 'text/plain'))
  assert.deepEqual(parseAccept(''), [])
})
