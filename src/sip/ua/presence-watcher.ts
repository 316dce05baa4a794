import { EventEmitter } from 'eventemitter3'
import { ParseError } from '../../errors.ts'
import type { SipResponse } from '../message.ts'
import { Subscriber, type Notification } from './subscriber.ts'
import type { UserAgent } from './user-agent.ts'
import { parsePidf } from '../../presence/pidf.ts'
import type { PresenceDocument } from '../../presence/pidf-types.ts'
import { type PresenceSummary, summarizePresence } from '../../presence/summary.ts'

/** Options of {@link PresenceWatcher}. */
export interface PresenceWatcherOptions {
  /** Subscription duration, seconds (default 3600). */
  readonly expires?: number
  /** Preferred language of notes. */
  readonly lang?: string
}

/** A presence update for the watched entity. */
export interface PresenceUpdate extends PresenceSummary {
  /** The presentity, from the document's `entity`. */
  readonly entity: string
  /** The whole parsed document. */
  readonly document: PresenceDocument
}

/** Events of {@link PresenceWatcher}. */
export interface PresenceWatcherEvents {
  /** A NOTIFY carried a PIDF document. */
  presence: (update: PresenceUpdate) => void
  /** A NOTIFY body was not valid PIDF (it was still answered 200, RFC 6665 §4.1.3). */
  invalid: (error: ParseError, notification: Notification) => void
  /** The subscription ended for good. */
  terminated: (reason: string | undefined) => void
}

/**
 * Watches one presentity (RFC 3856): a {@link Subscriber} for event `presence` accepting
 * `application/pidf+xml`, whose NOTIFY bodies are parsed and summarized (open, note, activities).
 *
 * @example
 * const watcher = new PresenceWatcher(ua, 'sip:alice@example.test')
 * watcher.on('presence', (p) => console.log(p.entity, p.open, p.note))
 * await watcher.start()
 */
export class PresenceWatcher extends EventEmitter<PresenceWatcherEvents> {
  /** The underlying RFC 6665 subscriber. */
  readonly subscriber: Subscriber
  readonly #lang: string | undefined
  #last: PresenceUpdate | undefined

  constructor(ua: UserAgent, target: string, options: PresenceWatcherOptions = {}) {
    super()
    this.#lang = options.lang
    this.subscriber = new Subscriber(ua, target, 'presence', {
      accept: ['application/pidf+xml'],
      ...(options.expires === undefined ? {} : { expires: options.expires }),
    })
    this.subscriber.on('notify', (n) => this.#onNotify(n))
    this.subscriber.on('terminated', (reason) => {
      if (this.subscriber.state === 'terminated') this.emit('terminated', reason)
    })
  }

  /** The last presence received. */
  get last(): PresenceUpdate | undefined {
    return this.#last
  }

  /** Subscribes; resolves with the 2xx to the SUBSCRIBE. */
  start(): Promise<SipResponse> {
    return this.subscriber.subscribe()
  }

  /** Unsubscribes. */
  async stop(): Promise<void> {
    await this.subscriber.unsubscribe()
  }

  #onNotify(notification: Notification): void {
    if (notification.body.length === 0) return // RFC 3856 §6.6.2: a NOTIFY may carry no state yet
    try {
      const document = parsePidf(notification.body)
      const update: PresenceUpdate = { ...summarizePresence(document, this.#lang), entity: document.entity, document }
      this.#last = update
      this.emit('presence', update)
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
      this.emit('invalid', error, notification)
    }
  }
}
