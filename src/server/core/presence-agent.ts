/**
 * Presence agent: an RFC 3903 event state compositor for the `presence` package (PUBLISH) and an
 * RFC 6665/RFC 3856 notifier for watchers (SUBSCRIBE/NOTIFY). Decisions only: the wiring answers
 * with the returned status and headers and sends a NOTIFY for each {@link NotifyInstruction}.
 *
 * Bodies are opaque PIDF bytes (RFC 3863): this module never parses XML. When a presentity has
 * several publications (several devices), the default composer picks the most recently
 * published/modified one — RFC 3903 §1 leaves composition policy to the compositor, and tuple
 * merging needs a PIDF parser (src/presence); pass `compose` to plug one in.
 *
 * @module
 */

import { PIDF_TYPE } from '../../rooms/content-types.ts'
import { randomBase64Url } from '../../random.ts'
import { type TimeSource, wallClock } from '../../clock.ts'
import { identityKey } from '../../rooms/identity.ts'

/** The one event package this agent serves. */
export const PRESENCE_EVENT = 'presence'
/** Content-Type of PIDF documents (RFC 3863 §3). */
export const PIDF_CONTENT_TYPE = PIDF_TYPE

/** Header name → value, wire names (`SIP-ETag`, `Expires`, `Min-Expires`, `Allow-Events`, `Accept`). */
export type PresenceHeaders = Record<string, string>

/** A PUBLISH request, reduced to what RFC 3903 §6 needs. */
export interface PublishRequest {
  /** Request-URI: the presentity. */
  presentity: string
  /** Event header value (parameters are ignored); undefined when absent. */
  event: string | undefined
  /** SIP-If-Match header value, if present. */
  ifMatch?: string
  /** Expires header, seconds, if present. */
  expires?: number
  contentType?: string
  /** The body; absent or empty means "no body" (a refresh, RFC 3903 §4.2). */
  body?: Uint8Array
}

/** A stored publication (one ETag). */
export interface Publication {
  readonly presentity: string
  readonly etag: string
  readonly contentType: string
  readonly body: Uint8Array
  /** Clock ms. */
  readonly expiresAt: number
  /** When the body last changed (clock ms); the default composer prefers the latest. */
  readonly modifiedAt: number
  /** Order of modification, to break ties when the clock did not move. */
  readonly sequence: number
}

/** A NOTIFY to send on a watcher's subscription dialog (RFC 6665 §4.2.2). */
export interface NotifyInstruction {
  subscriptionId: string
  watcher: string
  presentity: string
  /** Subscription-State value. */
  state: 'active' | 'pending' | 'terminated'
  /** `expires` parameter of Subscription-State, seconds (active/pending). */
  expiresIn?: number
  /** `reason` parameter when terminated (RFC 6665 §4.1.3). */
  reason?: 'timeout' | 'deactivated' | 'rejected' | 'noresource'
  /** The presence document; absent for pending and terminated subscriptions (no state disclosed). */
  contentType?: string
  body?: Uint8Array
}

/** What to answer a PUBLISH with; 200 also lists the NOTIFYs the change triggers. */
export type PublishDecision =
  | { status: 200; reason: 'OK'; etag: string; expires: number; headers: PresenceHeaders; notify: NotifyInstruction[] }
  | { status: 400 | 412 | 415 | 423 | 489; reason: string; detail: string; headers: PresenceHeaders }

/** A SUBSCRIBE request (initial, refresh or unsubscribe). */
export interface SubscribeRequest {
  /** Request-URI: the presentity watched. */
  presentity: string
  /** The watcher's identity (authenticated From URI). */
  watcher: string
  /** Event header value; undefined when absent. */
  event: string | undefined
  /** Expires header, seconds, if present. */
  expires?: number
  /**
   * The subscription's id (e.g. dialog id + Event id). For an initial SUBSCRIBE the wiring may
   * choose it (it must be new) or leave it out to have one generated; a refresh or unsubscribe
   * passes the id returned before, with `inDialog: true`.
   */
  id?: string
  /** True for a SUBSCRIBE inside an existing subscription dialog (refresh/unsubscribe); 481 if it is gone. */
  inDialog?: boolean
}

/** What to answer a SUBSCRIBE with; 200 always comes with the immediate NOTIFY (RFC 6665 §4.2.1.2). */
export type SubscribeDecision =
  | { status: 200; reason: 'OK'; subscriptionId: string; expires: number; headers: PresenceHeaders; notify: NotifyInstruction }
  | { status: 403 | 423 | 481 | 489; reason: string; detail: string; headers: PresenceHeaders }

/** Watcher authorisation (RFC 3856 §6.6): allow, hold as pending, or refuse (403). */
export type PresenceAuthorization = 'allow' | 'pending' | 'deny'

/** Presence agent policy. */
export interface PresenceAgentOptions {
  clock?: TimeSource
  /** Shortest accepted non-zero Expires for PUBLISH and SUBSCRIBE, seconds (default 60); 423 below. */
  minExpires?: number
  /** Longest granted publication, seconds (default 3600); longer is shortened. */
  maxPublicationExpires?: number
  /** Publication lifetime when PUBLISH has no Expires (default 3600, RFC 3903 §4.1 leaves it to the ESC). */
  defaultPublicationExpires?: number
  /** Longest granted subscription, seconds (default 3600). */
  maxSubscriptionExpires?: number
  /** Subscription lifetime when SUBSCRIBE has no Expires (default 3600, RFC 3856 §6.4). */
  defaultSubscriptionExpires?: number
  /** Body content types accepted in PUBLISH (default: application/pidf+xml). */
  acceptTypes?: string[]
  /** Entity-tag generator (default: 12 random bytes, base64url). */
  newEtag?: () => string
  /** Subscription id generator (default: random). */
  newSubscriptionId?: () => string
  /** Watcher authorisation policy (default: allow everyone). */
  authorize?: (watcher: string, presentity: string) => PresenceAuthorization
  /**
   * Composes the document watchers get from the live publications (never empty) of a presentity.
   * Default: the most recently modified publication, as is.
   */
  compose?: (publications: readonly Publication[], presentity: string) => { contentType: string; body: Uint8Array }
}

interface Subscription {
  id: string
  watcher: string
  presentity: string
  presentityKey: string
  expiresAt: number
  state: 'active' | 'pending'
}

/** RFC 3903 compositor + RFC 6665/3856 notifier for `presence`. */
export class PresenceAgent {
  private readonly publications = new Map<string, Map<string, Publication>>()
  private readonly subscriptions = new Map<string, Subscription>()
  private readonly clock: TimeSource
  private readonly opts: Required<Omit<PresenceAgentOptions, 'clock'>>
  private sequence = 0

  /** See {@link PresenceAgentOptions} for defaults. */
  constructor(options: PresenceAgentOptions = {}) {
    this.clock = options.clock ?? wallClock
    this.opts = {
      minExpires: options.minExpires ?? 60,
      maxPublicationExpires: options.maxPublicationExpires ?? 3600,
      defaultPublicationExpires: options.defaultPublicationExpires ?? 3600,
      maxSubscriptionExpires: options.maxSubscriptionExpires ?? 3600,
      defaultSubscriptionExpires: options.defaultSubscriptionExpires ?? 3600,
      acceptTypes: options.acceptTypes ?? [PIDF_CONTENT_TYPE],
      newEtag: options.newEtag ?? (() => randomBase64Url(12)),
      newSubscriptionId: options.newSubscriptionId ?? (() => randomBase64Url(12)),
      authorize: options.authorize ?? (() => 'allow'),
      compose: options.compose ?? composeLatest,
    }
  }

  /**
   * Processes a PUBLISH (RFC 3903 §6): 489 unless Event is `presence`; 412 if SIP-If-Match names
   * no live publication of this presentity; 423 (with Min-Expires) for a too-short non-zero
   * Expires; 400 for an initial PUBLISH without a body; 415 for a body of another type.
   * Otherwise: no SIP-If-Match → initial publication; If-Match and Expires 0 → removal; If-Match
   * and no body → refresh; If-Match and a body → modification. Every 200 carries a fresh SIP-ETag
   * (RFC 3903 §6) and the granted Expires; state changes produce NOTIFYs to watchers.
   *
   * @example
   * ```ts
   * const first = agent.publish({ presentity: 'sip:bot@example.test', event: 'presence', expires: 3600,
   *   contentType: 'application/pidf+xml', body: pidf })
   * // later: agent.publish({ presentity, event: 'presence', ifMatch: first.etag, expires: 3600 }) // refresh
   * ```
   */
  publish(request: PublishRequest): PublishDecision {
    if (eventPackage(request.event) !== PRESENCE_EVENT) {
      return { status: 489, reason: 'Bad Event', detail: `event package "${request.event ?? '(none)'}" is not supported; only presence is`, headers: { 'Allow-Events': PRESENCE_EVENT } }
    }
    const key = identityKey(request.presentity)
    if (key === undefined) return { status: 400, reason: 'Bad Request', detail: `"${request.presentity}" is not a URI`, headers: {} }
    const now = this.clock.now()
    const pubs = this.livePublications(key, now)
    let existing: Publication | undefined
    if (request.ifMatch !== undefined) {
      existing = pubs.get(request.ifMatch.trim())
      if (existing === undefined) {
        return { status: 412, reason: 'Conditional Request Failed', detail: `no publication with entity-tag ${request.ifMatch} for ${request.presentity}; send an initial PUBLISH with a body`, headers: {} }
      }
    }
    const asked = request.expires ?? this.opts.defaultPublicationExpires
    if (asked > 0 && asked < this.opts.minExpires) {
      return { status: 423, reason: 'Interval Too Brief', detail: `Expires ${asked}s is below the minimum of ${this.opts.minExpires}s`, headers: { 'Min-Expires': String(this.opts.minExpires) } }
    }
    const expires = Math.min(Math.max(0, Math.floor(asked)), this.opts.maxPublicationExpires)
    const hasBody = request.body !== undefined && request.body.byteLength > 0
    if (existing === undefined && !hasBody) {
      return { status: 400, reason: 'Bad Request', detail: 'an initial PUBLISH (no SIP-If-Match) must carry a body (RFC 3903 §6)', headers: {} }
    }
    if (hasBody && !this.opts.acceptTypes.some((t) => t.toLowerCase() === baseType(request.contentType))) {
      return { status: 415, reason: 'Unsupported Media Type', detail: `${request.contentType ?? '(no Content-Type)'} is not accepted; send ${this.opts.acceptTypes.join(', ')}`, headers: { Accept: this.opts.acceptTypes.join(', ') } }
    }

    // From here on the request succeeds: work on the stored map, dropping expired entries (whose
    // disappearance watchers must hear about too).
    const stored = this.storedPublications(key, now)
    const store = stored.pubs
    if (expires === 0) {
      // Removal (RFC 3903 §4.5) — or an initial PUBLISH that expires at once, which stores nothing.
      const etag = existing?.etag ?? this.opts.newEtag()
      if (existing !== undefined) store.delete(existing.etag)
      if (store.size === 0) this.publications.delete(key)
      const notify = existing !== undefined || stored.pruned ? this.notifyWatchers(key, now) : []
      return { status: 200, reason: 'OK', etag, expires: 0, headers: { 'SIP-ETag': etag, Expires: '0' }, notify }
    }

    const etag = this.opts.newEtag()
    if (existing !== undefined) store.delete(existing.etag)
    const changed = hasBody
    const publication: Publication = {
      presentity: request.presentity,
      etag,
      contentType: hasBody ? baseType(request.contentType) ?? PIDF_CONTENT_TYPE : existing!.contentType,
      body: hasBody ? request.body! : existing!.body,
      expiresAt: now + expires * 1000,
      modifiedAt: changed ? now : existing!.modifiedAt,
      sequence: changed ? ++this.sequence : existing!.sequence,
    }
    store.set(etag, publication)
    this.publications.set(key, store)
    const notify = changed || stored.pruned ? this.notifyWatchers(key, now) : []
    return { status: 200, reason: 'OK', etag, expires, headers: { 'SIP-ETag': etag, Expires: String(expires) }, notify }
  }

  /**
   * Processes a SUBSCRIBE (RFC 6665 §4.2.1, RFC 3856 §6): 489 unless Event is `presence`; 481
   * for a refresh of an unknown subscription; 423 for a too-short non-zero Expires; 403 if the
   * policy denies the watcher. Otherwise 200 and the NOTIFY to send at once: the current
   * document (active), no body (pending), or `terminated` for Expires 0 (unsubscribe or fetch; an
   * authorised watcher still gets the document in that final NOTIFY). Unsubscribe/fetch NOTIFYs
   * carry `reason=timeout`, as common notifiers do (RFC 6665 §4.2.1 leaves the reason open).
   */
  subscribe(request: SubscribeRequest): SubscribeDecision {
    if (eventPackage(request.event) !== PRESENCE_EVENT) {
      return { status: 489, reason: 'Bad Event', detail: `event package "${request.event ?? '(none)'}" is not supported; only presence is`, headers: { 'Allow-Events': PRESENCE_EVENT } }
    }
    const key = identityKey(request.presentity)
    if (key === undefined) return { status: 403, reason: 'Forbidden', detail: `"${request.presentity}" is not a URI`, headers: {} }
    const now = this.clock.now()
    let sub: Subscription | undefined
    if (request.inDialog === true) {
      sub = request.id === undefined ? undefined : this.subscriptions.get(request.id)
      if (sub !== undefined && sub.expiresAt <= now) {
        this.subscriptions.delete(sub.id)
        sub = undefined
      }
      if (sub === undefined) {
        return { status: 481, reason: 'Call/Transaction Does Not Exist', detail: `subscription ${request.id ?? '(no id)'} does not exist or has ended; send a new SUBSCRIBE outside the old dialog`, headers: {} }
      }
    }
    const asked = request.expires ?? this.opts.defaultSubscriptionExpires
    if (asked > 0 && asked < this.opts.minExpires) {
      return { status: 423, reason: 'Interval Too Brief', detail: `Expires ${asked}s is below the minimum of ${this.opts.minExpires}s`, headers: { 'Min-Expires': String(this.opts.minExpires) } }
    }
    const expires = Math.min(Math.max(0, Math.floor(asked)), this.opts.maxSubscriptionExpires)
    const auth = this.opts.authorize(request.watcher, request.presentity)
    if (auth === 'deny') {
      if (sub !== undefined) this.subscriptions.delete(sub.id)
      return { status: 403, reason: 'Forbidden', detail: `${request.watcher} may not watch ${request.presentity}`, headers: {} }
    }
    const id = sub?.id ?? request.id ?? this.opts.newSubscriptionId()
    const state: Subscription['state'] = auth === 'allow' ? 'active' : 'pending'
    if (expires === 0) {
      if (sub !== undefined) this.subscriptions.delete(sub.id)
      const notify: NotifyInstruction = { subscriptionId: id, watcher: request.watcher, presentity: request.presentity, state: 'terminated', reason: 'timeout' }
      if (state === 'active') Object.assign(notify, this.document(key, request.presentity, now))
      return { status: 200, reason: 'OK', subscriptionId: id, expires: 0, headers: { Expires: '0' }, notify }
    }
    const next: Subscription = { id, watcher: request.watcher, presentity: request.presentity, presentityKey: key, expiresAt: now + expires * 1000, state }
    this.subscriptions.set(id, next)
    return { status: 200, reason: 'OK', subscriptionId: id, expires, headers: { Expires: String(expires) }, notify: this.notifyFor(next, now) }
  }

  /**
   * Changes a watcher's authorisation while subscribed (e.g. the presentity approved a pending
   * watcher, RFC 3856 §6.6): returns the NOTIFY to send, or undefined if nothing changed.
   * `deny` terminates the subscription with reason `rejected`.
   */
  reauthorize(subscriptionId: string, auth: PresenceAuthorization): NotifyInstruction | undefined {
    const sub = this.subscriptions.get(subscriptionId)
    if (sub === undefined) return undefined
    const now = this.clock.now()
    if (auth === 'deny') {
      this.subscriptions.delete(sub.id)
      return { subscriptionId: sub.id, watcher: sub.watcher, presentity: sub.presentity, state: 'terminated', reason: 'rejected' }
    }
    const state = auth === 'allow' ? 'active' : 'pending'
    if (state === sub.state) return undefined
    sub.state = state
    return this.notifyFor(sub, now)
  }

  /** The live publications of a presentity, latest first. */
  publicationsOf(presentity: string): Publication[] {
    const key = identityKey(presentity)
    if (key === undefined) return []
    return [...this.livePublications(key, this.clock.now()).values()].sort(latestFirst)
  }

  /** The document watchers of `presentity` currently get, or undefined if nothing is published. */
  stateOf(presentity: string): { contentType: string; body: Uint8Array } | undefined {
    const pubs = this.publicationsOf(presentity)
    return pubs.length === 0 ? undefined : this.opts.compose(pubs, presentity)
  }

  /** Active and pending subscription ids watching `presentity`. */
  watchersOf(presentity: string): Array<{ subscriptionId: string; watcher: string; state: 'active' | 'pending' }> {
    const key = identityKey(presentity)
    const now = this.clock.now()
    return [...this.subscriptions.values()]
      .filter((s) => s.presentityKey === key && s.expiresAt > now)
      .map((s) => ({ subscriptionId: s.id, watcher: s.watcher, state: s.state }))
  }

  /**
   * Drops expired publications and subscriptions, returning the NOTIFYs due: `terminated;reason=timeout`
   * for each expired subscription (RFC 6665 §4.2.2), and the new state for watchers of
   * presentities whose publications expired.
   */
  expire(): NotifyInstruction[] {
    const now = this.clock.now()
    const out: NotifyInstruction[] = []
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.expiresAt <= now) {
        this.subscriptions.delete(sub.id)
        out.push({ subscriptionId: sub.id, watcher: sub.watcher, presentity: sub.presentity, state: 'terminated', reason: 'timeout' })
      }
    }
    for (const [key, pubs] of [...this.publications]) {
      let changed = false
      for (const [etag, p] of pubs) {
        if (p.expiresAt <= now) {
          pubs.delete(etag)
          changed = true
        }
      }
      if (pubs.size === 0) this.publications.delete(key)
      if (changed) out.push(...this.notifyWatchers(key, now))
    }
    return out
  }

  /** Clock time (ms) of the next publication or subscription expiry, or undefined. */
  nextExpiry(): number | undefined {
    let next: number | undefined
    const consider = (t: number) => {
      if (next === undefined || t < next) next = t
    }
    for (const pubs of this.publications.values()) for (const p of pubs.values()) consider(p.expiresAt)
    for (const s of this.subscriptions.values()) consider(s.expiresAt)
    return next
  }

  /** A view of the unexpired publications; expired ones stay stored until expire() or a change reports them. */
  private livePublications(key: string, now: number): Map<string, Publication> {
    const out = new Map<string, Publication>()
    for (const [etag, p] of this.publications.get(key) ?? []) if (p.expiresAt > now) out.set(etag, p)
    return out
  }

  /** The stored publications of a presentity with expired ones removed; `pruned` says whether any were. */
  private storedPublications(key: string, now: number): { pubs: Map<string, Publication>; pruned: boolean } {
    const pubs = this.publications.get(key) ?? new Map<string, Publication>()
    let pruned = false
    for (const [etag, p] of pubs) {
      if (p.expiresAt <= now) {
        pubs.delete(etag)
        pruned = true
      }
    }
    return { pubs, pruned }
  }

  private document(key: string, presentity: string, now: number): { contentType: string; body: Uint8Array } {
    const pubs = [...this.livePublications(key, now).values()].sort(latestFirst)
    if (pubs.length > 0) return this.opts.compose(pubs, presentity)
    // Nothing published: a PIDF document with no tuples (valid per RFC 3863, zero or more
    // tuples), so watchers learn "no information" rather than stale state.
    return { contentType: PIDF_CONTENT_TYPE, body: emptyPidf(presentity) }
  }

  private notifyFor(sub: Subscription, now: number): NotifyInstruction {
    const base: NotifyInstruction = {
      subscriptionId: sub.id,
      watcher: sub.watcher,
      presentity: sub.presentity,
      state: sub.state,
      expiresIn: Math.max(0, Math.ceil((sub.expiresAt - now) / 1000)),
    }
    // RFC 3856 §6.6: a pending subscription's NOTIFY discloses no presence state.
    return sub.state === 'active' ? { ...base, ...this.document(sub.presentityKey, sub.presentity, now) } : base
  }

  private notifyWatchers(key: string, now: number): NotifyInstruction[] {
    const out: NotifyInstruction[] = []
    for (const sub of this.subscriptions.values()) {
      if (sub.presentityKey === key && sub.state === 'active' && sub.expiresAt > now) out.push(this.notifyFor(sub, now))
    }
    return out
  }
}

/** The default composer: the most recently modified publication, unchanged. */
export function composeLatest(publications: readonly Publication[]): { contentType: string; body: Uint8Array } {
  const latest = [...publications].sort(latestFirst)[0]
  if (latest === undefined) throw new RangeError('composeLatest needs at least one publication')
  return { contentType: latest.contentType, body: latest.body }
}

function latestFirst(a: Publication, b: Publication): number {
  return b.modifiedAt - a.modifiedAt || b.sequence - a.sequence
}

function eventPackage(event: string | undefined): string | undefined {
  if (event === undefined) return undefined
  const semi = event.indexOf(';')
  return (semi < 0 ? event : event.slice(0, semi)).trim().toLowerCase()
}

function baseType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  const semi = contentType.indexOf(';')
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

function emptyPidf(presentity: string): Uint8Array {
  const entity = presentity.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"/>\n`)
}
