import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baseType, categorize, isAcceptedType, mediaType } from '../../src/rooms/content-types.ts'

test('categorize by encapsulated Content-Type', () => {
  assert.equal(categorize('text/plain;charset=UTF-8'), 'message')
  assert.equal(categorize('Application/IM-isComposing+XML'), 'is-composing')
  assert.equal(categorize('message/imdn+xml; charset=utf-8'), 'imdn')
  assert.equal(categorize(undefined), 'message')
  assert.equal(mediaType(' Text/Plain ; charset=x'), 'text/plain')
})

test('isAcceptedType handles *, type/* and exact matches', () => {
  assert.ok(isAcceptedType('image/png', ['*']))
  assert.ok(isAcceptedType(undefined, ['*/*']))
  assert.ok(isAcceptedType('text/html', ['text/*']))
  assert.ok(!isAcceptedType('texty/html', ['text/*']))
  assert.ok(isAcceptedType('TEXT/PLAIN;charset=utf-8', ['text/plain']))
  assert.ok(!isAcceptedType(undefined, ['text/plain']))
})

test('baseType reads a missing Content-Type as text/plain (RFC 3862 §3.2)', () => {
  assert.equal(baseType(undefined), 'text/plain')
  assert.equal(baseType('Message/CPIM'), 'message/cpim')
})
