/**
 * The contacts a backend watches (RFC 3856 presence subscriptions): one watcher per contact,
 * its updates passed on as `presence` events, re-subscribed after a reconnect, stopped on stop.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import type { BasicLogger } from '../logger.ts'
import { identityKeyOrText } from '../rooms/identity.ts'
import { PresenceWatcher } from '../sip/ua/presence-watcher.ts'
import type { UserAgent } from '../sip/ua/user-agent.ts'
import type { BackendEvent } from './backend.ts'
import { fromPresenceUpdate } from './presence-status.ts'
import type { StepRunner } from './step-guard.ts'

/** What the watchers need from their backend. */
export interface WatchingBackend {
  /** The backend's own URI (in log lines). */
  readonly uri: string
  log(): BasicLogger
  /** Runs a SUBSCRIBE under the step deadline. */
  readonly step: StepRunner
  /** Counts work in flight (for `settled()` in tests). */
  track<T>(work: Promise<T>): Promise<T>
  /** Queues an event for the bot (in order). */
  emit(event: BackendEvent): void
}

/** The presence watchers of one backend, keyed by the contact's identity. */
export class PresenceWatchers {
  readonly #backend: WatchingBackend
  readonly #watchers = new Map<string, PresenceWatcher>()

  constructor(backend: WatchingBackend) {
    this.#backend = backend
  }

  /** Subscribes to a contact's presence (no-op when already watched). */
  async watch(ua: UserAgent, contactUri: string): Promise<void> {
    const backend = this.#backend
    const key = identityKeyOrText(contactUri)
    if (this.#watchers.has(key)) return
    const watcher = new PresenceWatcher(ua, contactUri)
    watcher.on('presence', (update) => backend.emit({ type: 'presence', contact: contactUri, presence: fromPresenceUpdate(update) }))
    this.#watchers.set(key, watcher)
    try {
      await backend.track(backend.step(`SUBSCRIBE presence of ${contactUri}`, watcher.start(), { onAbandon: () => void watcher.stop().catch(() => undefined) }))
    } catch (error) {
      this.#watchers.delete(key)
      throw new MsrpBotError('WATCH_FAILED', `cannot watch ${contactUri}: ${(error as Error).message}`, { cause: error })
    }
  }

  /** Stops watching a contact (no-op when not watched). */
  async unwatch(contactUri: string): Promise<void> {
    const key = identityKeyOrText(contactUri)
    const watcher = this.#watchers.get(key)
    if (watcher === undefined) return
    this.#watchers.delete(key)
    watcher.removeAllListeners()
    await watcher.stop().catch(() => undefined)
  }

  /** Subscribes again to every contact whose subscription ended (after a reconnect); failures are logged. */
  async resubscribe(): Promise<void> {
    const backend = this.#backend
    for (const [key, watcher] of this.#watchers) {
      if (watcher.subscriber.state !== 'terminated') continue
      await backend.step(`SUBSCRIBE presence of ${key}`, watcher.start()).catch((error: unknown) => backend.log().warn(`${backend.uri}: re-watching ${key} failed: ${(error as Error).message}`))
    }
  }

  /** Ends every subscription (un-SUBSCRIBE), for a backend that stops while online. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#watchers.values()].map((w) => w.stop()))
  }

  /** Forgets every watcher. */
  clear(): void {
    this.#watchers.clear()
  }
}
