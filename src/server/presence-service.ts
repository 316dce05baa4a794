/**
 * PUBLISH and SUBSCRIBE for the `presence` event package (RFC 3903, RFC 3856, RFC 6665) over the
 * {@link PresenceAgent} decisions: answers the requests, keeps the watchers' dialogs, and sends
 * the NOTIFYs the agent asks for, PIDF bodies as published (RFC 3863).
 *
 * @module
 */

import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import type { UserAgentCore } from '../sip/core/user-agent-core.ts'
import { readExpires } from '../sip/headers/scalars.ts'
import { identityKey, sameIdentity } from '../rooms/identity.ts'
import type { TimeSource } from '../clock.ts'
import { PresenceAgent, PRESENCE_EVENT, type NotifyInstruction } from './core/presence-agent.ts'
import type { SubscriptionDialogs } from './subscriptions.ts'
import { guarded } from './in-dialog.ts'
import type { ChatServerLogger } from './options.ts'
import { acceptsDialog } from './dialog-request.ts'

/** Presence agent wiring. */
export class PresenceService {
  readonly agent: PresenceAgent
  readonly #core: UserAgentCore
  readonly #subscriptions: SubscriptionDialogs
  readonly #log: ChatServerLogger

  constructor(core: UserAgentCore, subscriptions: SubscriptionDialogs, clock: TimeSource, log: ChatServerLogger) {
    this.agent = new PresenceAgent({ clock })
    this.#core = core
    this.#subscriptions = subscriptions
    this.#log = log
  }

  /** PUBLISH (RFC 3903 §6): only the presentity itself may publish its state. */
  publish(incoming: IncomingRequest, identity: string): void {
    const request = incoming.message
    const presentity = identityKey(request.uri)
    if (presentity === undefined) {
      incoming.respond(400, { reason: 'Bad Request-URI' })
      return
    }
    if (!sameIdentity(presentity, identity)) {
      incoming.respond(403, { reason: `${identity} may not publish the presence of ${presentity}` })
      return
    }
    const expires = readExpires(request.headers)
    const ifMatch = request.headers.get('SIP-If-Match')
    const contentType = request.headers.get('Content-Type')
    const decision = this.agent.publish({
      presentity,
      event: request.headers.get('Event'),
      ...(expires === undefined ? {} : { expires }),
      ...(ifMatch === undefined ? {} : { ifMatch }),
      ...(contentType === undefined ? {} : { contentType }),
      body: request.body,
    })
    incoming.respond(decision.status, { reason: decision.reason, headers: Object.entries(decision.headers) })
    if (decision.status === 200) for (const n of decision.notify) this.#send(n)
  }

  /** Initial SUBSCRIBE to a presentity: 200 + dialog + the first NOTIFY (RFC 6665 §4.2.1). */
  subscribe(incoming: IncomingRequest, identity: string, localContact: string): void {
    if (!acceptsDialog(incoming)) return
    const request = incoming.message
    const presentity = identityKey(request.uri)
    if (presentity === undefined) {
      incoming.respond(400, { reason: 'Bad Request-URI' })
      return
    }
    const expires = readExpires(request.headers)
    const decision = this.agent.subscribe({ presentity, watcher: identity, event: request.headers.get('Event'), ...(expires === undefined ? {} : { expires }) })
    if (decision.status !== 200) {
      incoming.respond(decision.status, { reason: decision.reason, headers: Object.entries(decision.headers) })
      return
    }
    const id = decision.subscriptionId
    const eventId = /;\s*id=([^;\s]+)/i.exec(request.headers.get('Event') ?? '')?.[1]
    const event = typeof eventId === 'string' ? `${PRESENCE_EVENT};id=${eventId}` : PRESENCE_EVENT
    const dialog = this.#core.createUasDialog(incoming, localContact, guarded((inDialog) => this.#inDialog(inDialog, id, identity, presentity), this.#log))
    incoming.respond(200, { headers: [...Object.entries(decision.headers), ['Contact', localContact]] })
    this.#subscriptions.add(id, { dialog, destination: incoming.source }, event)
    this.#send(decision.notify)
  }

  #inDialog(incoming: IncomingRequest, id: string, watcher: string, presentity: string): void {
    const request = incoming.message
    if (request.method !== 'SUBSCRIBE') {
      if (request.method !== 'ACK') incoming.respond(request.method === 'NOTIFY' ? 481 : 405, { headers: [['Allow', 'SUBSCRIBE']] })
      return
    }
    const expires = readExpires(request.headers)
    const decision = this.agent.subscribe({ presentity, watcher, event: request.headers.get('Event'), id, inDialog: true, ...(expires === undefined ? {} : { expires }) })
    incoming.respond(decision.status, { reason: decision.reason, headers: Object.entries(decision.headers) })
    if (decision.status === 200) this.#send(decision.notify)
  }

  #send(n: NotifyInstruction): void {
    this.#subscriptions
      .notify(n.subscriptionId, { state: n.state, expiresIn: n.expiresIn, reason: n.reason, contentType: n.contentType, body: n.body })
      .catch((error: unknown) => this.#log.debug(`presence NOTIFY failed: ${String(error)}`))
  }

  /** Ends every subscription (server shutdown): NOTIFY terminated;reason=deactivated (RFC 6665 §4.1.3). */
  async close(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.#subscriptions.notify(id, { state: 'terminated', reason: 'deactivated' })))
  }
}
