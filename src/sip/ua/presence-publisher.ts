import { EventEmitter } from 'eventemitter3'
import type { SipResponse } from '../message.ts'
import { Publisher } from './publisher.ts'
import type { UserAgent } from './user-agent.ts'
import { buildSimplePresence } from '../../presence/summary.ts'

/** What a presentity shows to its watchers. */
export interface PresenceStatus {
  /** Available (`open`, default) or not (`closed`). */
  readonly open?: boolean
  /** A note watchers display ("in a meeting"). */
  readonly note?: string
  /** RPID activities (RFC 4480), e.g. `['busy']`. */
  readonly activities?: readonly string[]
}

/** Options of {@link PresencePublisher}. */
export interface PresencePublisherOptions {
  /** Presentity (default: the UA's address of record). */
  readonly entity?: string
  /** Publication lifetime, seconds (default 3600). */
  readonly expires?: number
  /** Contact URI put in the tuple (default: the AOR). */
  readonly contact?: string
}

/** Events of {@link PresencePublisher}. */
export interface PresencePublisherEvents {
  /** The status was published (initially or refreshed with a new body). */
  published: (status: PresenceStatus) => void
}

/**
 * Publishes our presence (RFC 3856 / RFC 3903) as PIDF: `setStatus()` builds the document and
 * runs it through a {@link Publisher} (event `presence`), which refreshes it until `remove()`.
 *
 * @example
 * const presence = new PresencePublisher(ua)
 * await presence.setStatus({ open: true, note: 'ready to chat' })
 */
export class PresencePublisher extends EventEmitter<PresencePublisherEvents> {
  /** The underlying RFC 3903 publisher. */
  readonly publisher: Publisher
  readonly #entity: string
  readonly #contact: string
  #status: PresenceStatus = { open: true }

  constructor(ua: UserAgent, options: PresencePublisherOptions = {}) {
    super()
    this.#entity = options.entity ?? ua.options.uri
    this.#contact = options.contact ?? ua.options.uri
    this.publisher = new Publisher(ua, this.#entity, 'presence', { contentType: 'application/pidf+xml', ...(options.expires === undefined ? {} : { expires: options.expires }) })
  }

  /** The status last set. */
  get status(): PresenceStatus {
    return this.#status
  }

  /** Publishes a new status; resolves with the 2xx to the PUBLISH (rejects typed). */
  async setStatus(status: PresenceStatus): Promise<SipResponse> {
    this.#status = status
    const body = buildSimplePresence({
      entity: this.#entity,
      open: status.open ?? true,
      contact: this.#contact,
      ...(status.note === undefined ? {} : { note: status.note }),
      ...(status.activities === undefined ? {} : { activities: [...status.activities] }),
    })
    const response = await this.publisher.publish(body)
    this.emit('published', status)
    return response
  }

  /** Keeps the open/closed state and activities, changes the note. */
  setNote(note: string): Promise<SipResponse> {
    return this.setStatus({ ...this.#status, note })
  }

  /** Withdraws the published state (PUBLISH Expires: 0). */
  async remove(): Promise<void> {
    await this.publisher.unpublish()
  }
}
