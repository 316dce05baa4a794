import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dropTimedOutReceiver, MAX_CONSECUTIVE_TIMEOUTS } from '../../../src/server/core/stuck-receiver.ts'

describe('dropTimedOutReceiver: the stuck-receiver policy', () => {
  it('drops at once a receiver that is not reading: output waits for it and it made no progress', () => {
    assert.equal(dropTimedOutReceiver({ timeouts: 1, pendingBytes: 1, stalled: true }), true)
  })

  it('keeps a receiver that reads (answers or drains came in) though output waits, until too many late answers in a row', () => {
    // Attack on the room through the policy: an overloaded server whose receivers all have output
    // queued must not drop every one of them for one late answer (the room would empty).
    for (let timeouts = 1; timeouts < MAX_CONSECUTIVE_TIMEOUTS; timeouts++) assert.equal(dropTimedOutReceiver({ timeouts, pendingBytes: 64 * 1024, stalled: false }), false)
    assert.equal(dropTimedOutReceiver({ timeouts: MAX_CONSECUTIVE_TIMEOUTS, pendingBytes: 64 * 1024, stalled: false }), true)
  })

  it('gives a receiver with nothing waiting (it reads, never answers) a few copies, then drops it', () => {
    assert.equal(dropTimedOutReceiver({ timeouts: 1, pendingBytes: 0, stalled: true }), false)
    assert.equal(dropTimedOutReceiver({ timeouts: MAX_CONSECUTIVE_TIMEOUTS - 1, pendingBytes: 0, stalled: true }), false)
    assert.equal(dropTimedOutReceiver({ timeouts: MAX_CONSECUTIVE_TIMEOUTS, pendingBytes: 0, stalled: true }), true)
  })
})
