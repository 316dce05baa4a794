import { EventEmitter } from 'eventemitter3'
import { readCSeq } from '../headers/cseq.ts'
import { readExpires } from '../headers/scalars.ts'
import { newCallId, newTag } from '../ids.ts'
import type { SipResponse } from '../message.ts'
import type { TimerHandle } from '../../clock.ts'
import { SipResponseError, SipStateError } from './errors.ts'
import { StateCell } from './logger.ts'
import { refreshDelayMs } from './timing.ts'
import type { UaContext } from './options.ts'

/** Named states of a publication (RFC 3903). */
export type PublisherState = 'unpublished' | 'publishing' | 'published' | 'terminated'

/** Options of {@link Publisher}. */
export interface PublisherOptions {
  /** Requested lifetime, seconds (default 3600). */
  readonly expires?: number
  /** Content-Type of the bodies (default `application/pidf+xml`). */
  readonly contentType?: string
  /** Extra header fields on every PUBLISH. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
}

/** Events of {@link Publisher}. */
export interface PublisherEvents {
  state: (state: PublisherState) => void
  /** A PUBLISH got its 2xx; `etag` is the new entity tag. */
  published: (etag: string, response: SipResponse) => void
  /** A timer-driven refresh failed. */
  failed: (error: Error) => void
}

/**
 * Publishes event state (RFC 3903), like SIP.js's `Publisher`: the initial PUBLISH carries the
 * body and gets a SIP-ETag; refreshes carry SIP-If-Match and no body before expiry; `publish()`
 * again modifies (SIP-If-Match + body); `unpublish()` removes (Expires: 0). A 412 Conditional
 * Request Failed starts over with an initial PUBLISH of the last body (§6); 423 is retried
 * with Min-Expires.
 *
 * @example
 * const pub = new Publisher(ua, 'sip:bot@example.test', 'presence')
 * await pub.publish(buildSimplePresence({ entity: 'sip:bot@example.test', note: 'online' }))
 */
export class Publisher extends EventEmitter<PublisherEvents> {
  readonly target: string
  readonly event: string
  readonly #ua: UaContext
  readonly #options: PublisherOptions
  readonly #state: StateCell<PublisherState>
  readonly #callId = newCallId()
  readonly #fromTag = newTag()
  #cseq = 0
  #etag: string | undefined
  #body: string | Buffer | undefined
  #expires: number
  #timer: TimerHandle | undefined
  readonly #untrack: () => void

  constructor(ua: UaContext, target: string, event: string, options: PublisherOptions = {}) {
    super()
    this.#ua = ua
    this.target = target
    this.event = event
    this.#options = options
    this.#expires = options.expires ?? 3600
    this.#state = new StateCell<PublisherState>('unpublished', `Publisher ${event} ${target}`, ua.log, (s) => this.emit('state', s))
    this.#untrack = ua.track(this)
  }

  /** Current state. */
  get state(): PublisherState {
    return this.#state.value
  }

  /** The entity tag of the published state (SIP-ETag of the last 2xx). */
  get etag(): string | undefined {
    return this.#etag
  }

  /** The lifetime granted by the last 2xx, seconds. */
  get expires(): number {
    return this.#expires
  }

  /** Publishes `body` (initial, or a modification when already published); resolves with the 2xx. */
  async publish(body: string | Buffer): Promise<SipResponse> {
    if (this.#state.value === 'terminated') throw new SipStateError('this Publisher is terminated; create a new one')
    this.#body = body
    if (this.#etag === undefined) this.#state.set('publishing')
    return this.#send({ body, ifMatch: this.#etag, expires: this.#options.expires ?? 3600 })
  }

  /** Refreshes the publication now (SIP-If-Match, no body); resolves with the 2xx. */
  async refresh(): Promise<SipResponse> {
    if (this.#etag === undefined) throw new SipStateError('nothing is published yet; call publish(body) first')
    return this.#send({ ifMatch: this.#etag, expires: this.#options.expires ?? 3600 })
  }

  /** Removes the publication (Expires: 0, §4.5); resolves with the 2xx (or undefined if nothing was published). */
  async unpublish(): Promise<SipResponse | undefined> {
    this.#clearTimer()
    if (this.#etag === undefined) {
      this.#state.set('unpublished')
      return undefined
    }
    try {
      return await this.#send({ ifMatch: this.#etag, expires: 0 })
    } finally {
      this.#etag = undefined
      if (this.#state.value !== 'terminated') this.#state.set('unpublished')
    }
  }

  /** Unpublishes and ends (called by `UserAgent.stop()`). */
  async dispose(): Promise<void> {
    this.#untrack()
    await this.unpublish().catch(() => undefined)
    this.#state.set('terminated')
  }

  async #send(init: { body?: string | Buffer; ifMatch: string | undefined; expires: number }, restarted = false, retried423 = false): Promise<SipResponse> {
    this.#clearTimer()
    const headers: Array<readonly [string, string]> = [['Event', this.event], ['Expires', String(init.expires)]]
    if (init.ifMatch !== undefined) headers.push(['SIP-If-Match', init.ifMatch])
    headers.push(...(this.#options.headers ?? []))
    const request = this.#ua.createRequest('PUBLISH', this.target, {
      headers,
      ...(init.body === undefined ? {} : { body: init.body, contentType: this.#options.contentType ?? 'application/pidf+xml' }),
    })
    request.headers.set('From', `${this.#ua.fromHeader};tag=${this.#fromTag}`)
    request.headers.set('Call-ID', this.#callId)
    request.headers.set('CSeq', `${++this.#cseq} PUBLISH`)
    const response = await this.#ua.sendRequest(request)
    this.#cseq = Math.max(this.#cseq, readCSeq(response.headers).seq)
    if (response.status === 412 && init.ifMatch !== undefined && init.expires > 0 && !restarted && this.#body !== undefined) {
      // RFC 3903 §6: the server lost our state; publish it again from scratch.
      this.#ua.log.debug(`PUBLISH ${this.event}: 412, starting over with an initial PUBLISH`)
      this.#etag = undefined
      this.#state.set('publishing')
      return this.#send({ body: this.#body, ifMatch: undefined, expires: init.expires }, true, retried423)
    }
    if (response.status === 423 && !retried423) {
      const min = Number(response.headers.get('Min-Expires'))
      if (Number.isInteger(min) && min > init.expires) return this.#send({ ...init, expires: min }, restarted, true)
    }
    if (response.status >= 300) {
      if (init.expires > 0 && this.#etag === undefined) this.#state.set('unpublished')
      throw new SipResponseError('PUBLISH', this.target, response)
    }
    if (init.expires === 0) return response
    const etag = response.headers.get('SIP-ETag')
    if (etag !== undefined) this.#etag = etag
    this.#expires = readExpires(response.headers) ?? init.expires
    this.#state.set('published')
    this.emit('published', this.#etag ?? '', response)
    this.#timer = this.#ua.clock.setTimeout(() => {
      this.#timer = undefined
      this.refresh().catch((error: unknown) => {
        this.#ua.log.warn(`refresh of the ${this.event} publication failed: ${String(error)}`)
        this.emit('failed', error instanceof Error ? error : new Error(String(error)))
      })
    }, refreshDelayMs(this.#expires))
    return response
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#ua.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
