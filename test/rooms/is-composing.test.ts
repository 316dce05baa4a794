import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildIsComposing, parseIsComposing } from '../../src/rooms/is-composing.ts'

describe('is-composing (RFC 3994)', () => {
  it('round-trips active and idle', () => {
    assert.deepEqual(parseIsComposing(buildIsComposing({ active: true, refresh: 90 })), { active: true, contentType: undefined, refresh: 90 })
    assert.deepEqual(parseIsComposing(buildIsComposing({ active: false, contentType: 'text/plain' })), { active: false, contentType: 'text/plain', refresh: undefined })
  })

  it('reads a prefixed document from another client', () => {
    const doc = '<?xml version="1.0"?><ic:isComposing xmlns:ic="urn:ietf:params:xml:ns:im-iscomposing"><ic:state>active</ic:state></ic:isComposing>'
    assert.equal(parseIsComposing(doc)?.active, true)
  })

  it('returns undefined for anything else, never throws', () => {
    for (const bad of ['', 'not xml <', '<other/>', '<isComposing><state>typing</state></isComposing>', `<isComposing>${'x'.repeat(5000)}</isComposing>`]) {
      assert.equal(parseIsComposing(bad), undefined, bad.slice(0, 30))
    }
  })
})
