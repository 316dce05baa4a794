import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BYE_REASONS, byeMeaning, type ByeCause, type ByeMeaning } from '../../src/rooms/bye-reason.ts'

describe('BYE Reason table (RFC 3326), one for both sides', () => {
  it('every cause the server writes reads back as the meaning the client acts on', () => {
    const expected: Record<ByeCause, ByeMeaning> = { kicked: 'kicked', 'room-closed': 'closed', shutdown: 'restarting', 'media-failed': 'media-failed', 'slow-receiver': 'media-failed' }
    for (const cause of Object.keys(BYE_REASONS) as ByeCause[]) assert.equal(byeMeaning(BYE_REASONS[cause]), expected[cause], cause)
  })

  it('reads nothing into a BYE without a Reason', () => {
    assert.equal(byeMeaning(undefined), 'unknown')
  })
})
