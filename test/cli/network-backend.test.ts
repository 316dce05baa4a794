import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { userPartOf } from '../../src/cli/network-backend.ts'

describe('userPartOf', () => {
  it('is the unescaped user part, decoded once, or the URI when it has none', () => {
    assert.equal(userPartOf('sip:echo@example.com'), 'echo')
    assert.equal(userPartOf('sip:%65cho@example.com'), 'echo')
    assert.equal(userPartOf('sip:100%2541@example.com'), '100%41', 'an escaped % stays a %')
    assert.equal(userPartOf('sip:50%25@example.com'), '50%', 'a lone % after unescaping does not throw')
    assert.equal(userPartOf('sip:example.com'), 'sip:example.com')
  })
})
