import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SipResponse } from '../../src/sip/message.ts'
import { SipResponseError } from '../../src/sip/ua/errors.ts'
import { MsrpBotError } from '../../src/errors.ts'
import { JoinError, toJoinError, transientStatus } from '../../src/chat/join-error.ts'

const ROOM = 'sip:lobby@example.test'
const refused = (status: number, reason: string): SipResponseError => new SipResponseError('INVITE', ROOM, { status, reason } as SipResponse)

describe('join errors', () => {
  it('reads a refused INVITE as a JoinError with its status and a hint', () => {
    const error = toJoinError(ROOM, refused(404, 'Not Found'))
    assert.ok(error instanceof JoinError)
    assert.equal(error.code, 'JOIN_FAILED')
    assert.equal(error.statusCode, 404)
    assert.match(error.message, /cannot join sip:lobby@example\.test: no such room \(404\): check the room URI/)
    assert.match(toJoinError(ROOM, refused(488, 'Not Acceptable Here')).message, /did not accept the MSRP offer/)
  })

  it('reads a step that got no answer as "no answer from the focus"', () => {
    const error = toJoinError(ROOM, new MsrpBotError('CHAT_STEP_TIMEOUT', 'INVITE took too long'))
    assert.match(error.message, /no answer from the focus \(INVITE took too long\)/)
    assert.equal(error.statusCode, undefined)
  })

  it('passes a JoinError through unchanged', () => {
    const original = new JoinError(ROOM, 'already explained')
    assert.equal(toJoinError(ROOM, original), original)
  })

  it('counts timeouts and overload as transient, other refusals and every global failure (6xx) as final', () => {
    for (const status of [408, 480, 500, 503, 504]) assert.equal(transientStatus(status), true, String(status))
    for (const status of [403, 404, 486, 488, 501, 505, 513, 600, 603, 604, 606]) assert.equal(transientStatus(status), false, String(status))
  })
})
