import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_CONSECUTIVE_TIMEOUTS, NO_LATE_ANSWERS, receiverTimedOut, type LateAnswers, type TimedOutCopy } from '../../../src/server/core/stuck-receiver.ts'

const TIMEOUT = 10_000

/** Feeds timed-out copies at the given times; the index of the copy that dropped the receiver, or -1. */
function dropAt(times: number[], copy: TimedOutCopy): number {
  let late: LateAnswers = NO_LATE_ANSWERS
  for (let i = 0; i < times.length; i++) {
    const verdict = receiverTimedOut(late, copy, times[i]!, TIMEOUT)
    late = verdict.late
    if (verdict.drop) return i
  }
  return -1
}

describe('receiverTimedOut: the stuck-receiver policy', () => {
  it('drops at once a receiver that is not reading: output waits for it and it made no progress', () => {
    assert.equal(dropAt([TIMEOUT], { pendingBytes: 1, stalled: true }), 0)
  })

  it('counts a burst of copies timing out together once: an overloaded server does not drop receivers that read', () => {
    // Attack on the room through the policy: the server falls seconds behind, every receiver has
    // output queued and a hundred copies to each time out within a few milliseconds. Receivers
    // that read (answers or drains came in) must not all be dropped at once: the room would empty.
    const burst = Array.from({ length: 100 }, (_, i) => TIMEOUT + i)
    assert.equal(dropAt(burst, { pendingBytes: 64 * 1024, stalled: false }), -1)
  })

  it('drops a receiver that stays late for MAX_CONSECUTIVE_TIMEOUTS delivery timeouts in a row', () => {
    const times = Array.from({ length: 10 }, (_, i) => TIMEOUT * (i + 1))
    assert.equal(dropAt(times, { pendingBytes: 64 * 1024, stalled: false }), MAX_CONSECUTIVE_TIMEOUTS - 1)
    // One that reads but never answers (nothing waits for it) goes the same way.
    assert.equal(dropAt(times, { pendingBytes: 0, stalled: true }), MAX_CONSECUTIVE_TIMEOUTS - 1)
  })

  it('starts counting again after a copy answered in time (the focus resets to NO_LATE_ANSWERS)', () => {
    let late: LateAnswers = NO_LATE_ANSWERS
    for (let i = 1; i < MAX_CONSECUTIVE_TIMEOUTS; i++) late = receiverTimedOut(late, { pendingBytes: 0, stalled: false }, i * TIMEOUT, TIMEOUT).late
    assert.equal(late.strikes, MAX_CONSECUTIVE_TIMEOUTS - 1)
    late = NO_LATE_ANSWERS // a copy answered in time
    assert.equal(receiverTimedOut(late, { pendingBytes: 0, stalled: false }, 100 * TIMEOUT, TIMEOUT).drop, false)
  })
})
