import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsrpClosedError, MsrpRequestError } from '../../src/msrp/errors.ts'
import { toModerationError, toNicknameError, toSendError } from '../../src/chat/error-mapping.ts'
import { StepAbortedError, StepTimeoutError } from '../../src/chat/step-guard.ts'

const ROOM = 'sip:lobby@example.test'
const code = (e: unknown) => (e as { code?: string }).code

describe('protocol errors → contract codes', () => {
  it('sends: timeout, closed connection, 481, 403 throttling, other refusals, unknown recipient', () => {
    assert.equal(code(toSendError(new MsrpRequestError('MSRP_TIMEOUT', 408, 'no response'), { room: ROOM })), 'SEND_TIMEOUT')
    assert.equal(code(toSendError(new MsrpClosedError('MSRP_CONNECTION_CLOSED', 'gone'), { room: ROOM })), 'SEND_DISCONNECTED')
    assert.equal(code(toSendError(new MsrpRequestError('MSRP_REQUEST_FAILED', 481, 'no session'), { room: ROOM })), 'SEND_DISCONNECTED')
    assert.equal(code(toSendError(new MsrpRequestError('MSRP_REQUEST_FAILED', 403, 'x', 'Rate limit exceeded'), { room: ROOM })), 'SEND_RATE_LIMITED')
    const rejected = toSendError(new MsrpRequestError('MSRP_REQUEST_FAILED', 413, 'too big'), { room: ROOM }) as Error & { statusCode?: number }
    assert.equal(code(rejected), 'SEND_REJECTED')
    assert.equal(rejected.statusCode, 413)
    assert.equal(code(toSendError(new MsrpRequestError('MSRP_REQUEST_FAILED', 404, 'who?'), { room: ROOM, to: 'sip:x@example.test' })), 'PARTICIPANT_NOT_FOUND')
  })

  it('a send cut off by a removal says so, and never promises a re-join to a removed bot', () => {
    const closed = new MsrpClosedError('MSRP_CONNECTION_CLOSED', 'gone')
    const kicked = toSendError(closed, { room: ROOM, closed: 'kicked' }) as Error
    assert.equal(code(kicked), 'SEND_DISCONNECTED')
    assert.match(kicked.message, /removed from sip:lobby@example\.test by a moderator/)
    assert.doesNotMatch(kicked.message, /re-joins by itself/)
    assert.match((toSendError(closed, { room: ROOM, closed: 'closed' }) as Error).message, /was closed/)
    // Not yet known why (the BYE may still be on its way): both possibilities are named.
    const open = (toSendError(closed, { room: ROOM }) as Error).message
    assert.match(open, /removal or a closed room is reported by a room-closed event/)
    assert.doesNotMatch(open, /the bot reconnects and re-joins by itself/)
  })

  it('nicknames: 425 taken (also SylkServer’s catch-all), 424 and others invalid, timeouts are send errors', () => {
    assert.equal(code(toNicknameError(new MsrpRequestError('MSRP_NICKNAME_REJECTED', 425, 'in use'), 'bob')), 'NICKNAME_TAKEN')
    assert.equal(code(toNicknameError(new MsrpRequestError('MSRP_NICKNAME_REJECTED', 424, 'bad'), 'b\u0007')), 'NICKNAME_INVALID')
    assert.equal(code(toNicknameError(new MsrpRequestError('MSRP_NICKNAME_REJECTED', 501, 'no'), 'bob')), 'NICKNAME_INVALID')
    assert.equal(code(toNicknameError(new MsrpRequestError('MSRP_TIMEOUT', 408, 'slow'), 'bob')), 'SEND_TIMEOUT')
  })

  it('moderation: 403 NOT_AUTHORIZED, 404 PARTICIPANT_NOT_FOUND, 405/415/501 NOT_SUPPORTED', () => {
    assert.equal(code(toModerationError({ status: 403 }, 'kick', ROOM, 'sip:b@example.test')), 'NOT_AUTHORIZED')
    assert.equal(code(toModerationError({ status: 404 }, 'kick', ROOM, 'sip:b@example.test')), 'PARTICIPANT_NOT_FOUND')
    for (const status of [405, 415, 501]) assert.equal(code(toModerationError({ status }, 'mute', ROOM, 'sip:b@example.test')), 'NOT_SUPPORTED')
  })

  it('a step past its deadline is a timeout, a step abandoned on a closed connection a disconnect', () => {
    assert.equal(code(toSendError(new StepTimeoutError('NICKNAME echo', 40_000), { room: ROOM })), 'SEND_TIMEOUT')
    assert.equal(code(toSendError(new StepAbortedError('NICKNAME echo', new Error('the SIP connection closed')), { room: ROOM })), 'SEND_DISCONNECTED')
    assert.equal(code(toNicknameError(new StepTimeoutError('NICKNAME echo', 40_000), 'echo')), 'SEND_TIMEOUT')
    assert.equal(code(toNicknameError(new StepAbortedError('NICKNAME echo', new Error('closed')), 'echo')), 'SEND_DISCONNECTED')
  })
})
