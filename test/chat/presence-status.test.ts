import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromPresenceUpdate, toPresenceStatus } from '../../src/chat/presence-status.ts'
import type { PresenceUpdate } from '../../src/sip/ua/presence-watcher.ts'

const update = (open: boolean, activities: string[], note?: string): PresenceUpdate => ({ open, activities, ...(note === undefined ? {} : { note }) }) as PresenceUpdate

describe('presence status', () => {
  it('publishes away and busy as RFC 4480 activities, offline as closed', () => {
    assert.deepEqual(toPresenceStatus({ status: 'available' }), { open: true })
    assert.deepEqual(toPresenceStatus({ status: 'away', note: 'lunch' }), { open: true, note: 'lunch', activities: ['away'] })
    assert.deepEqual(toPresenceStatus({ status: 'busy' }), { open: true, activities: ['busy'] })
    assert.deepEqual(toPresenceStatus({ status: 'offline' }), { open: false })
  })

  it('reads a contact\'s status back, meetings and calls as away', () => {
    assert.deepEqual(fromPresenceUpdate(update(false, ['busy'])), { status: 'offline' })
    assert.deepEqual(fromPresenceUpdate(update(true, ['busy'])), { status: 'busy' })
    assert.deepEqual(fromPresenceUpdate(update(true, ['meeting'], 'standup')), { status: 'away', note: 'standup' })
    assert.deepEqual(fromPresenceUpdate(update(true, [])), { status: 'available' })
  })

  it('round-trips every state', () => {
    for (const status of ['available', 'away', 'busy', 'offline'] as const) {
      const published = toPresenceStatus({ status })
      assert.deepEqual(fromPresenceUpdate(update(published.open, published.activities ?? [])), { status })
    }
  })
})
