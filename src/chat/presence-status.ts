/**
 * The contract's {@link PresenceState} and the PIDF status of RFC 3863 / RFC 4480 in both
 * directions: what the backend publishes for the bot, and what it reads from a watched contact.
 *
 * @module
 */
import type { PresenceUpdate } from '../sip/ua/presence-watcher.ts'
import type { PresenceState } from './backend.ts'

/** The status to publish for a presence state (away and busy become RFC 4480 activities). */
export function toPresenceStatus(presence: PresenceState): { open: boolean; note?: string; activities?: string[] } {
  const activities = presence.status === 'away' ? ['away'] : presence.status === 'busy' ? ['busy'] : undefined
  return {
    open: presence.status !== 'offline',
    ...(presence.note === undefined ? {} : { note: presence.note }),
    ...(activities === undefined ? {} : { activities }),
  }
}

/** The presence state a watched contact's published status means. */
export function fromPresenceUpdate(update: PresenceUpdate): PresenceState {
  const status = !update.open ? 'offline' : update.activities.includes('busy') ? 'busy' : update.activities.some((a) => a === 'away' || a === 'on-the-phone' || a === 'meeting') ? 'away' : 'available'
  return update.note === undefined ? { status } : { status, note: update.note }
}
