/**
 * The subscription dialogs the server is notifier of (RFC 6665 §4.2.2): presence watchers and
 * conference (roster) watchers. Keeps each subscription's dialog and sends its NOTIFYs in order.
 *
 * @module
 */

import type { UserAgentCore } from '../sip/core/user-agent-core.ts'
import type { SipResponse } from '../sip/message.ts'
import { sendInDialog, type DialogLeg } from './in-dialog.ts'
import type { ChatServerLogger } from './options.ts'

/** One NOTIFY to send. */
export interface NotifyContent {
  state: 'active' | 'pending' | 'terminated'
  expiresIn?: number | undefined
  reason?: string | undefined
  contentType?: string | undefined
  body?: Uint8Array | string | undefined
}

interface Entry {
  leg: DialogLeg
  event: string
  /** NOTIFYs of one subscription go out one after the other, so versions arrive in order. */
  tail: Promise<unknown>
}

/** Subscription id → dialog, with ordered NOTIFY sending. */
export class SubscriptionDialogs {
  readonly #entries = new Map<string, Entry>()
  readonly #core: UserAgentCore
  readonly #log: ChatServerLogger

  constructor(core: UserAgentCore, log: ChatServerLogger) {
    this.#core = core
    this.#log = log
  }

  /** Remembers a subscription's dialog. */
  add(id: string, leg: DialogLeg, event: string): void {
    this.#entries.set(id, { leg, event, tail: Promise.resolve() })
  }

  /** True when the subscription is known. */
  has(id: string): boolean {
    return this.#entries.has(id)
  }

  /** Number of subscriptions held. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Queues a NOTIFY on the subscription (RFC 6665 §4.2.2: Event, Subscription-State). A
   * terminated state ends the subscription. A 481 or failure to deliver drops it (§4.2.2).
   */
  notify(id: string, content: NotifyContent): Promise<SipResponse | undefined> {
    const entry = this.#entries.get(id)
    if (entry === undefined) return Promise.resolve(undefined)
    let state: string = content.state
    if (content.state !== 'terminated' && content.expiresIn !== undefined) state += `;expires=${Math.max(0, Math.floor(content.expiresIn))}`
    if (content.state === 'terminated' && content.reason !== undefined) state += `;reason=${content.reason}`
    const headers: Array<[string, string]> = [['Event', entry.event], ['Subscription-State', state]]
    const body = content.body === undefined ? undefined : typeof content.body === 'string' ? Buffer.from(content.body, 'utf8') : Buffer.from(content.body.buffer, content.body.byteOffset, content.body.byteLength)
    if (content.state === 'terminated') this.#entries.delete(id)
    const run = async (): Promise<SipResponse | undefined> => {
      const response = await sendInDialog(this.#core, entry.leg, 'NOTIFY', { headers, ...(body === undefined ? {} : { body, contentType: content.contentType ?? 'application/octet-stream' }) }, this.#log)
      if (response === undefined || response.status === 481 || response.status >= 500) this.#entries.delete(id)
      if (content.state === 'terminated' || response === undefined || response.status === 481) this.#core.removeDialog(entry.leg.dialog)
      return response
    }
    const next = entry.tail.then(run, run)
    entry.tail = next.catch(() => undefined)
    return next
  }

  /**
   * The connection a subscription was made over closed: its NOTIFYs have no way back (they go
   * over that flow, RFC 5626 §5.3), so it is dropped without a final NOTIFY; the subscriber
   * subscribes again once it has reconnected. Stops a NOTIFY whose answer died with the
   * connection from holding the later ones (and a shutdown) for 64*T1.
   */
  connectionClosed(connectionId: string): void {
    for (const [id, entry] of this.#entries) {
      if (entry.leg.destination.connectionId !== connectionId) continue
      this.#entries.delete(id)
      this.#core.removeDialog(entry.leg.dialog)
    }
  }

  /** Ids of every subscription. */
  ids(): string[] {
    return [...this.#entries.keys()]
  }
}
