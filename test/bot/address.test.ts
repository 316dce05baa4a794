import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addressKey, isSipUri, sameAddress, userPart } from '../../src/bot/address.ts'

describe('address', () => {
  it('compares SIP URIs by address of record (RFC 3261 §19.1.4)', () => {
    assert.ok(sameAddress('sip:echo@Example.TEST', 'sip:echo@example.test'))
    assert.ok(sameAddress('"Echo" <sip:echo@example.test;transport=tcp>', 'sip:echo@example.test'))
    assert.ok(sameAddress('SIP:echo@example.test?subject=x', 'sip:echo@example.test'))
    assert.ok(!sameAddress('sip:Echo@example.test', 'sip:echo@example.test'), 'user part is case-sensitive')
    assert.ok(!sameAddress('sip:echo@example.test', 'sip:echo@other.test'))
  })

  it('extracts the user part and recognises SIP URIs', () => {
    assert.equal(userPart('sip:echo@example.test'), 'echo')
    assert.equal(userPart('sip:example.test'), undefined)
    assert.equal(addressKey('sips:a@B.c'), 'sips:a@b.c', 'sip: and sips: stay distinct, as on the server (RFC 3261 §19.1.4)')
    assert.ok(!sameAddress('sips:a@b.c', 'sip:a@b.c'))
    assert.ok(isSipUri(' sips:x@y'))
    assert.ok(!isSipUri('alice'))
  })
})
