import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock } from '../../src/clock.ts'
import type { BackendEvent, Participant } from '../../src/chat/backend.ts'
import { HeldJoins } from '../../src/chat/held-joins.ts'

const ROOM = 'sip:lobby@example.test'

function setup(waitMs = 1000) {
  const clock = new FakeClock()
  const events: BackendEvent[] = []
  const holds: Promise<void>[] = []
  const roster = new Map<string, Participant>()
  const held = new HeldJoins({
    uri: ROOM,
    clock,
    waitMs,
    track: (work) => void holds.push(work),
    find: (uri) => roster.get(uri),
    emit: (event) => void events.push(event),
  })
  return { clock, events, holds, roster, held }
}

const alice = (nickname?: string): Participant => ({ uri: 'sip:alice@example.test', nickname })

describe('HeldJoins', () => {
  it('holds a nameless join and tells one join with the nickname that follows', async () => {
    const { events, holds, held } = setup()
    held.change({ type: 'join', participant: alice() })
    assert.equal(events.length, 0)
    held.change({ type: 'nickname', participant: alice('al'), previousNickname: undefined })
    assert.deepEqual(events, [{ type: 'join', room: ROOM, participant: alice('al') }])
    await Promise.all(holds) // the hold counted as work in flight has ended
  })

  it('lets the bare join through once the wait is over', () => {
    const { clock, events, held } = setup(1000)
    held.change({ type: 'join', participant: alice() })
    clock.advance(999)
    assert.equal(events.length, 0)
    clock.advance(1)
    assert.deepEqual(events, [{ type: 'join', room: ROOM, participant: alice() }])
  })

  it('tells nothing of someone who leaves while their join is held', () => {
    const { clock, events, held } = setup()
    held.change({ type: 'join', participant: alice() })
    held.change({ type: 'leave', participant: alice() })
    clock.advance(5000)
    assert.deepEqual(events, [])
  })

  it('flushes a held join when the participant speaks first, with the roster entry', () => {
    const { events, roster, held } = setup()
    held.change({ type: 'join', participant: alice() })
    roster.set(alice().uri, alice())
    held.flush(alice().uri)
    assert.deepEqual(events, [{ type: 'join', room: ROOM, participant: alice() }])
  })

  it('passes joins with a nickname straight on, and holds nothing when the wait is 0', () => {
    const { events, held } = setup(0)
    held.change({ type: 'join', participant: alice() })
    assert.equal(events.length, 1)
    const named = setup()
    named.held.change({ type: 'join', participant: alice('al') })
    assert.equal(named.events.length, 1)
  })

  it('drops every hold without telling, and releases its work', async () => {
    const { clock, events, holds, held } = setup()
    held.change({ type: 'join', participant: alice() })
    held.drop()
    await Promise.all(holds)
    clock.advance(5000)
    assert.deepEqual(events, [])
    assert.equal(clock.pending, 0)
  })
})
