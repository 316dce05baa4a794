import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock } from '../../src/clock.ts'
import { DeadlineQueue } from '../../src/msrp/deadline-queue.ts'

class Entry {
  settled = false
  constructor(readonly name: string) {}
}

function queue(clock: FakeClock, timeoutMs = 100): { q: DeadlineQueue<Entry>; expired: string[] } {
  const expired: string[] = []
  const q = new DeadlineQueue<Entry>(clock, timeoutMs, (e) => expired.push(`${e.name}@${clock.now()}`))
  return { q, expired }
}

describe('DeadlineQueue', () => {
  it('expires each entry exactly timeoutMs after its push, oldest first, with one timer', () => {
    const clock = new FakeClock()
    const { q, expired } = queue(clock)
    q.push(new Entry('a'))
    clock.advance(30)
    q.push(new Entry('b'))
    clock.advance(20)
    q.push(new Entry('c'))
    assert.equal(clock.pending, 1)
    clock.advance(49)
    assert.deepEqual(expired, [])
    clock.advance(1)
    assert.deepEqual(expired, ['a@100'])
    clock.advance(29)
    assert.deepEqual(expired, ['a@100'])
    clock.advance(1)
    assert.deepEqual(expired, ['a@100', 'b@130'])
    clock.advance(1000)
    assert.deepEqual(expired, ['a@100', 'b@130', 'c@150'])
    assert.equal(clock.pending, 0)
  })

  it('never expires settled entries, and drops them from the head as new ones come', () => {
    const clock = new FakeClock()
    const { q, expired } = queue(clock)
    const a = new Entry('a')
    q.push(a)
    const b = new Entry('b')
    clock.advance(10)
    q.push(b)
    a.settled = true
    clock.advance(10)
    q.push(new Entry('c'))
    assert.equal(q.size, 2) // a dropped from the head
    b.settled = true
    assert.equal(q.isIdle(), false, 'c still waits')
    clock.advance(500)
    assert.deepEqual(expired, ['c@120'])
    assert.equal(q.isIdle(), true)
    assert.equal(q.size, 0)
  })

  it('keeps answered entries behind an unanswered head bounded by compaction', () => {
    const clock = new FakeClock()
    const { q, expired } = queue(clock, 30_000)
    q.push(new Entry('stuck'))
    let most = 0
    for (let i = 0; i < 100_000; i++) {
      const e = new Entry(`e${i}`)
      q.push(e)
      e.settled = true // answered at once, but behind the stuck head
      most = Math.max(most, q.size)
    }
    assert.ok(most <= 130, `queue grew to ${most} entries for one waiting entry`)
    clock.advance(30_000)
    assert.deepEqual(expired, ['stuck@30000'])
  })

  it('an expiry callback may push a new entry or clear the queue', () => {
    const clock = new FakeClock()
    const expired: string[] = []
    const q: DeadlineQueue<Entry> = new DeadlineQueue<Entry>(clock, 100, (e) => {
      expired.push(`${e.name}@${clock.now()}`)
      if (e.name === 'a') q.push(new Entry('retry'))
      if (e.name === 'retry') q.clear()
    })
    q.push(new Entry('a'))
    clock.advance(50)
    q.push(new Entry('b'))
    clock.advance(50) // a expires, retry queued behind b
    clock.advance(50) // b
    clock.advance(50) // retry expires and clears the queue
    assert.deepEqual(expired, ['a@100', 'b@150', 'retry@200'])
    assert.equal(clock.pending, 0)
  })

  it('clear stops the timer', () => {
    const clock = new FakeClock()
    const { q, expired } = queue(clock)
    q.push(new Entry('a'))
    q.clear()
    assert.equal(clock.pending, 0)
    clock.advance(1000)
    assert.deepEqual(expired, [])
  })
})

describe('DeadlineQueue ring', () => {
  it('keeps order across growth and wrap-around', () => {
    const clock = new FakeClock()
    const { q, expired } = queue(clock, 1000)
    const live: Entry[] = []
    for (let i = 0; i < 200; i++) {
      const e = new Entry(`e${i}`)
      q.push(e)
      clock.advance(1)
      // Answer every other one, so the ring wraps, grows and compacts with gaps in it.
      if (i % 2 === 1) e.settled = true
      else live.push(e)
    }
    clock.advance(5000)
    assert.deepEqual(expired, live.map((e, k) => `${e.name}@${1000 + 2 * k}`))
    assert.equal(q.size, 0)
  })
})
