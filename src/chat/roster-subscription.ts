/**
 * A room's roster subscription (RFC 4575 conference event package): the SUBSCRIBE, the
 * NOTIFYs applied to the {@link RoomRoster}, a refresh when a NOTIFY cannot be applied, and the
 * bounded wait for the first full roster so `participants` is filled when a join resolves.
 *
 * @module
 */
import { Subscriber } from '../sip/ua/subscriber.ts'
import type { UserAgent } from '../sip/ua/user-agent.ts'
import type { Clock } from '../clock.ts'
import type { BasicLogger } from '../logger.ts'
import type { RoomRoster, RosterChange } from './room-roster.ts'
import { StepAbortedError } from './step-guard.ts'
import type { StepRunner } from './step-guard.ts'

/** What the roster subscription of one room works with. */
export interface RosterSubscriptionRoom {
  readonly uri: string
  /** The parts of the room's host it uses (see RoomHost). */
  readonly host: { readonly ua: UserAgent; readonly log: BasicLogger; readonly clock: Clock; readonly step: StepRunner; readonly rosterWaitMs: number }
  readonly roster: RoomRoster
  /** False once a newer join or a teardown took over: NOTIFYs are ignored from then on. */
  isCurrent(): boolean
  /** A change the roster saw (a join, leave or nickname). */
  onChange(change: RosterChange): void
}

/** A started roster subscription: its subscriber at once, and when it is ready. */
export interface RosterSubscription {
  readonly subscriber: Subscriber
  /**
   * Settles once subscribed and the first roster came (or waiting for it ran out). Rejects only
   * when the step was abandoned (a lost connection); any other failure is logged: the roster is
   * a nicety, a focus without the conference package still carries chat.
   */
  readonly ready: Promise<void>
}

/** Subscribes to the room's roster (restarting the roster's state first). */
export function subscribeRoster(room: RosterSubscriptionRoom): RosterSubscription {
  const { host, roster, uri } = room
  const subscriber = new Subscriber(host.ua, uri, 'conference', { accept: ['application/conference-info+xml'], expires: 600 })
  roster.restart()
  subscriber.on('notify', (n) => {
    if (!room.isCurrent() || n.body.length === 0) return
    const update = roster.apply(n.body)
    if (update.kind === 'resubscribe') {
      host.log.debug(`room ${uri}: roster ${update.reason}; refreshing the subscription for a full state (RFC 4575 §4.6)`)
      roster.restart()
      subscriber.refresh().catch((error: unknown) => host.log.warn(`room ${uri}: roster refresh failed: ${String(error)}`))
      return
    }
    if (update.kind === 'ignored') {
      host.log.debug(`room ${uri}: roster NOTIFY ignored (${update.reason})`)
      return
    }
    for (const change of update.changes) room.onChange(change)
  })
  return { subscriber, ready: settle(room, subscriber) }
}

async function settle(room: RosterSubscriptionRoom, subscriber: Subscriber): Promise<void> {
  try {
    await room.host.step(`SUBSCRIBE ${room.uri}`, subscriber.subscribe())
    // RFC 4575 §4.2: the first NOTIFY carries the full roster; wait for it (bounded), so
    // `participants` is filled when join() resolves.
    if (!room.roster.seeded) await firstRoster(room, subscriber)
  } catch (error) {
    // A lost connection fails the join (the reconnect tries again) ...
    if (error instanceof StepAbortedError) throw error
    // ... but the roster is a nicety: a focus without the conference package still carries chat.
    room.host.log.warn(`room ${room.uri}: roster subscription failed (${(error as Error).message}); join/leave events will be missing`)
  }
}

function firstRoster(room: RosterSubscriptionRoom, subscriber: Subscriber): Promise<void> {
  const { clock } = room.host
  return new Promise((resolve) => {
    const done = (): void => {
      clock.clearTimeout(timer)
      subscriber.off('notify', check)
      subscriber.off('terminated', done)
      resolve()
    }
    const check = (): void => {
      if (room.roster.seeded) done()
    }
    const timer = clock.setTimeout(done, room.host.rosterWaitMs)
    subscriber.on('notify', check)
    subscriber.on('terminated', done)
  })
}
