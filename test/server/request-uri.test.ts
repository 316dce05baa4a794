import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingRequest } from '../../src/sip/core/incoming-request.ts'
import { requestUriOrRespond } from '../../src/server/request-uri.ts'

function fakeIncoming(uri: string): { incoming: IncomingRequest; answers: number[] } {
  const answers: number[] = []
  const incoming = { message: { uri }, respond: (status: number) => void answers.push(status) } as unknown as IncomingRequest
  return { incoming, answers }
}

test('requestUriOrRespond: a parseable Request-URI is returned, unanswered; a bad one is answered 416 once', () => {
  const good = fakeIncoming('sip:lobby@example.test:5070;transport=tcp')
  const uri = requestUriOrRespond(good.incoming)
  assert.ok(uri !== undefined && uri.kind === 'sip')
  assert.equal(uri.kind === 'sip' && uri.user, 'lobby')
  assert.deepEqual(good.answers, [])
  const bad = fakeIncoming('no scheme here')
  assert.equal(requestUriOrRespond(bad.incoming), undefined)
  assert.deepEqual(bad.answers, [416])
})
