/**
 * Registrar and location service (RFC 3261 §10.3): bindings from an address-of-record to contact
 * URIs, each remembering the flow (connection) it was registered over so requests can be routed
 * back through a NAT (RFC 5626 style). Decisions only — status and headers to answer with; the
 * wiring owns transactions, parsing and (optionally) digest authentication, which must run
 * before {@link Registrar.register} (RFC 3261 §10.3 steps 2-3).
 *
 * Expiry is read from an injectable clock; nothing starts timers. The wiring may call
 * {@link Registrar.expire} at {@link Registrar.nextExpiry}, or rely on lookups ignoring and
 * pruning expired bindings.
 *
 * @module
 */

import { type TimeSource, wallClock } from '../../clock.ts'
import { addressOfRecordKey } from '../../sip/uri.ts'
import { parseIdentity, identityKey } from '../../rooms/identity.ts'

/** One Contact of a REGISTER, as the wiring parsed it. */
export interface ContactInput {
  /** The contact URI, without angle brackets (e.g. `sip:alice@192.0.2.4:5060;transport=tcp`). */
  uri: string
  /** The `expires` Contact parameter, seconds, if present (takes precedence over the Expires header). */
  expires?: number
  /** The `q` parameter (0..1), if present. */
  q?: number
  /** `+sip.instance` (RFC 5626 §4.1), if present: bindings with the same instance (and reg-id) replace each other. */
  instanceId?: string
  /** `reg-id` (RFC 5626 §4.2), if present. */
  regId?: number
}

/** A REGISTER request, reduced to what §10.3 needs. */
export interface RegisterRequest {
  /** The To URI: the address-of-record (RFC 3261 §10.3 step 5). */
  aor: string
  callId: string
  /** CSeq sequence number. */
  cseq: number
  /**
   * The Contact header values: `'*'` (alone or as an element) for `Contact: *`; an empty array
   * for a query (no Contact header). `*` next to other contacts is a 400 (§10.3 step 6).
   */
  contacts: '*' | ReadonlyArray<ContactInput | '*'>
  /** The Expires header, seconds, if present. */
  expires?: number
  /** Id of the connection/flow the request arrived on; kept per binding for routing back. */
  flow?: string
  /** Transport-level source (`ip:port`), kept for diagnostics and NAT handling. */
  source?: string
}

/** A stored binding. */
export interface Binding {
  /** The address-of-record as registered. */
  readonly aor: string
  /** The contact URI as registered. */
  readonly contact: string
  readonly q?: number | undefined
  readonly callId: string
  readonly cseq: number
  /** Absolute expiry time on the registrar's clock (ms). */
  readonly expiresAt: number
  /** When this binding was created or last refreshed (clock ms). */
  readonly updatedAt: number
  /** Connection/flow it was registered over (send requests for this contact back over it). */
  readonly flow?: string | undefined
  readonly source?: string | undefined
  readonly instanceId?: string | undefined
  readonly regId?: number | undefined
}

/** A binding, with its remaining lifetime for the 200 response. */
export interface BindingView extends Binding {
  /** Seconds left (rounded up). */
  readonly expiresIn: number
}

/** Header name → value(s), wire names (`Contact`, `Min-Expires`, `Date`). */
export type ResponseHeaders = Record<string, string | string[]>

/** What to answer a REGISTER with. */
export type RegisterDecision =
  /** 200: `bindings` is every current binding of the AOR; `headers.Contact` lists them with `expires`. */
  | { status: 200; reason: 'OK'; bindings: BindingView[]; headers: ResponseHeaders }
  /** 400: `Contact: *` with other contacts or a non-zero Expires (§10.3 step 6), a Contact that is not a URI, or q outside 0..1. */
  | { status: 400; reason: 'Bad Request'; detail: string; headers: ResponseHeaders }
  /**
   * 401/403/407 from the {@link RegistrarOptions.authorize} hook (RFC 3261 §10.3 steps 3-4),
   * e.g. a digest challenge with its WWW-Authenticate header, or 403 when the authenticated user
   * may not register this AOR.
   */
  | { status: 401 | 403 | 407; reason: string; detail: string; headers: ResponseHeaders }
  /** 404: the AOR's domain is not served here (§10.3 step 1) or the AOR is not a URI. */
  | { status: 404; reason: 'Not Found'; detail: string; headers: ResponseHeaders }
  /**
   * 503 with Retry-After: the registrar holds `maxBindings` already (RFC 3261 §21.5.4: a
   * temporary overload). Nothing was changed.
   */
  | { status: 503; reason: 'Service Unavailable'; detail: string; headers: ResponseHeaders }
  /** 423 with Min-Expires (§10.3 step 7; RFC 3261 §21.4.17). */
  | { status: 423; reason: 'Interval Too Brief'; detail: string; headers: ResponseHeaders }
  /**
   * 500: the request repeats or precedes a CSeq already seen for the same Call-ID (out of order,
   * §10.3 step 7 "the update MUST be aborted and the request fails"; RFC 3261 names no code, 500
   * with Retry-After is what registrars commonly answer). Nothing was changed.
   */
  | { status: 500; reason: 'Server Internal Error'; detail: string; headers: ResponseHeaders }

/** Registrar policy. */
export interface RegistrarOptions {
  clock?: TimeSource
  /** Shortest accepted non-zero expiry, seconds (default 60); shorter gets 423. */
  minExpires?: number
  /** Longest granted expiry, seconds (default 7200); longer is shortened (§10.3 step 7 "MAY shorten"). */
  maxExpires?: number
  /** Expiry when the request gives none, seconds (default 3600, RFC 3261 §10.2.1.1). */
  defaultExpires?: number
  /** Domains served (host part of the AOR, case-insensitive); undefined accepts any (§10.3 step 1). */
  domains?: string[]
  /**
   * Authentication/authorisation hook, run after the domain check and before any binding is
   * touched (RFC 3261 §10.3 steps 3-4). Return undefined to proceed, or the refusal to answer
   * with — typically a 401 carrying the digest challenge the wiring built. Digest itself lives
   * in src/sip.
   */
  authorize?: (request: RegisterRequest) => { status: 401 | 403 | 407; reason: string; detail?: string; headers?: ResponseHeaders } | undefined
  /** Wall clock for the Date header of 200 responses (§10.3 step 8); omitted when absent. */
  wallClock?: () => Date
  /** Most contacts one AOR may have (default 10); a REGISTER that would exceed it gets 403. */
  maxContactsPerAor?: number
  /** Most bindings held in total (default 100 000); past it a new binding gets 503 + Retry-After. */
  maxBindings?: number
  /** Longest contact URI accepted, characters (default 512); longer gets 400. */
  maxContactLength?: number
}

/** The defaults of the registrar's caps (issue 16 item 5), for documentation and tests. */
export const REGISTRAR_LIMITS = { maxContactsPerAor: 10, maxBindings: 100_000, maxContactLength: 512 } as const

/** Bindings per AOR with RFC 3261 §10.3 rules. */
export class Registrar {
  private readonly bindings = new Map<string, Map<string, Binding>>()
  private readonly clock: TimeSource
  private readonly minExpires: number
  private readonly maxExpires: number
  private readonly defaultExpires: number
  private readonly domains: Set<string> | undefined
  private readonly wallClock: (() => Date) | undefined
  private readonly authorize: RegistrarOptions['authorize']
  private readonly maxContactsPerAor: number
  private readonly maxBindings: number
  private readonly maxContactLength: number
  /** Bindings held across every AOR (kept in step with {@link bindings}). */
  private total = 0

  /** See {@link RegistrarOptions} for defaults. */
  constructor(options: RegistrarOptions = {}) {
    this.clock = options.clock ?? wallClock
    this.minExpires = options.minExpires ?? 60
    this.maxExpires = options.maxExpires ?? 7200
    this.defaultExpires = options.defaultExpires ?? 3600
    this.domains = options.domains === undefined ? undefined : new Set(options.domains.map((d) => d.toLowerCase()))
    this.wallClock = options.wallClock
    this.authorize = options.authorize
    this.maxContactsPerAor = options.maxContactsPerAor ?? REGISTRAR_LIMITS.maxContactsPerAor
    this.maxBindings = options.maxBindings ?? REGISTRAR_LIMITS.maxBindings
    this.maxContactLength = options.maxContactLength ?? REGISTRAR_LIMITS.maxContactLength
  }

  /** Number of bindings held (expired ones not yet pruned included). */
  get size(): number {
    return this.total
  }

  /**
   * Processes a REGISTER (RFC 3261 §10.3 steps 1 and 5-8) atomically: either every binding update
   * in the request is committed, or none is.
   *
   * @example
   * ```ts
   * const d = registrar.register({ aor: 'sip:alice@example.test', callId: 'c1', cseq: 1,
   *   contacts: [{ uri: 'sip:alice@192.0.2.4:5060' }], expires: 600, flow: connection.id })
   * respond(d.status, d.reason, d.headers)
   * ```
   */
  register(request: RegisterRequest): RegisterDecision {
    const now = this.clock.now()
    const aorKey = identityKey(request.aor)
    if (aorKey === undefined) return { status: 404, reason: 'Not Found', detail: `To "${request.aor}" is not a URI`, headers: {} }
    if (this.domains !== undefined && !this.domains.has(hostOf(aorKey))) {
      return { status: 404, reason: 'Not Found', detail: `this registrar does not serve ${hostOf(aorKey)}`, headers: {} }
    }
    const refusal = this.authorize?.(request)
    if (refusal !== undefined) {
      return { status: refusal.status, reason: refusal.reason, detail: refusal.detail ?? refusal.reason, headers: refusal.headers ?? {} }
    }
    const current = this.live(aorKey, now)

    let contacts = request.contacts
    if (contacts !== '*' && contacts.includes('*')) {
      if (contacts.length > 1) return { status: 400, reason: 'Bad Request', detail: 'Contact: * must be the only Contact (RFC 3261 §10.3 step 6)', headers: {} }
      contacts = '*'
    }
    if (contacts === '*') {
      // §10.3 step 6: "*" only with Expires: 0, and removes all bindings, subject to Call-ID/CSeq.
      if (request.expires !== 0) return { status: 400, reason: 'Bad Request', detail: 'Contact: * requires Expires: 0 (RFC 3261 §10.3 step 6)', headers: {} }
      for (const b of current.values()) {
        if (b.callId === request.callId && request.cseq <= b.cseq) return this.outOfOrder(request, b)
      }
      this.bindings.delete(aorKey)
      this.total -= current.size
      return this.ok(aorKey, now)
    }

    // §10.3 step 7, first pass: validate every contact before changing anything.
    const planned: Array<{ key: string; contact: ContactInput; seconds: number }> = []
    for (const contact of contacts as ReadonlyArray<ContactInput>) {
      if (contact.uri.length > this.maxContactLength || (contact.instanceId?.length ?? 0) > this.maxContactLength) {
        return { status: 400, reason: 'Bad Request', detail: `a Contact is longer than ${this.maxContactLength} characters`, headers: {} }
      }
      const key = bindingKey(contact)
      if (key === undefined) return { status: 400, reason: 'Bad Request', detail: `Contact "${contact.uri}" is not a URI`, headers: {} }
      // RFC 3261 §20.10 / §25.1: qvalue is 0 to 1 with at most three decimals.
      if (contact.q !== undefined && !(contact.q >= 0 && contact.q <= 1)) {
        return { status: 400, reason: 'Bad Request', detail: `Contact "${contact.uri}" has q=${contact.q}; q must be between 0 and 1`, headers: {} }
      }
      const asked = contact.expires ?? request.expires ?? this.defaultExpires
      const seconds = Number.isFinite(asked) && asked >= 0 ? Math.floor(asked) : this.defaultExpires
      // RFC 3261 §10.3 step 7: 423 only if the interval is > 0, < 1 hour and < the minimum.
      if (seconds > 0 && seconds < 3600 && seconds < this.minExpires) {
        return { status: 423, reason: 'Interval Too Brief', detail: `expires ${seconds}s is below this registrar's minimum of ${this.minExpires}s`, headers: { 'Min-Expires': String(this.minExpires) } }
      }
      const existing = current.get(key)
      if (existing !== undefined && existing.callId === request.callId && request.cseq <= existing.cseq) return this.outOfOrder(request, existing)
      planned.push({ key, contact, seconds: Math.min(seconds, this.maxExpires) })
    }

    // Second pass: commit.
    const next = new Map(current)
    for (const { key, contact, seconds } of planned) {
      if (seconds === 0) {
        next.delete(key)
        continue
      }
      next.set(key, {
        aor: request.aor,
        contact: contact.uri,
        ...(contact.q === undefined ? {} : { q: contact.q }),
        callId: request.callId,
        cseq: request.cseq,
        expiresAt: now + seconds * 1000,
        updatedAt: now,
        ...(request.flow === undefined ? {} : { flow: request.flow }),
        ...(request.source === undefined ? {} : { source: request.source }),
        ...(contact.instanceId === undefined ? {} : { instanceId: contact.instanceId }),
        ...(contact.regId === undefined ? {} : { regId: contact.regId }),
      })
    }
    // Caps, checked before anything is committed (issue 16 item 5: bounded memory and responses).
    if (next.size > current.size && next.size > this.maxContactsPerAor) {
      return { status: 403, reason: 'Forbidden', detail: `at most ${this.maxContactsPerAor} contacts per address of record`, headers: {} }
    }
    if (next.size > current.size && this.total - current.size + next.size > this.maxBindings) {
      return { status: 503, reason: 'Service Unavailable', detail: `the registrar holds its maximum of ${this.maxBindings} bindings`, headers: { 'Retry-After': '60' } }
    }
    this.total += next.size - current.size
    if (next.size === 0) this.bindings.delete(aorKey)
    else this.bindings.set(aorKey, next)
    return this.ok(aorKey, now)
  }

  /**
   * Current bindings of an AOR, highest q first (no q counts as 1.0), then most
   * recently refreshed; expired ones are pruned. Each carries its `flow` for routing back.
   */
  lookup(aor: string): BindingView[] {
    const key = identityKey(aor)
    if (key === undefined) return []
    return this.views(this.live(key, this.clock.now()), this.clock.now())
  }

  /** Every AOR with at least one live binding. */
  addressesOfRecord(): string[] {
    const now = this.clock.now()
    const out: string[] = []
    for (const key of [...this.bindings.keys()]) {
      const live = this.live(key, now)
      const first = live.values().next()
      if (!first.done) out.push(first.value.aor)
    }
    return out
  }

  /** Removes and returns every binding whose expiry has passed. */
  expire(): Binding[] {
    const now = this.clock.now()
    const removed: Binding[] = []
    for (const [aorKey, map] of this.bindings) {
      for (const [key, b] of map) {
        if (b.expiresAt <= now) {
          map.delete(key)
          this.total--
          removed.push(b)
        }
      }
      if (map.size === 0) this.bindings.delete(aorKey)
    }
    return removed
  }

  /** Clock time (ms) of the earliest binding expiry, or undefined if there are no bindings. */
  nextExpiry(): number | undefined {
    let next: number | undefined
    for (const map of this.bindings.values()) for (const b of map.values()) if (next === undefined || b.expiresAt < next) next = b.expiresAt
    return next
  }

  /**
   * Removes every binding registered over `flow` (the connection closed, RFC 5626: a failed
   * flow's contacts are no longer reachable). Returns them.
   */
  removeFlow(flow: string): Binding[] {
    const removed: Binding[] = []
    for (const [aorKey, map] of this.bindings) {
      for (const [key, b] of map) {
        if (b.flow === flow) {
          map.delete(key)
          this.total--
          removed.push(b)
        }
      }
      if (map.size === 0) this.bindings.delete(aorKey)
    }
    return removed
  }

  private live(aorKey: string, now: number): Map<string, Binding> {
    const map = this.bindings.get(aorKey)
    if (map === undefined) return new Map()
    for (const [key, b] of map) {
      if (b.expiresAt <= now) {
        map.delete(key)
        this.total--
      }
    }
    if (map.size === 0) this.bindings.delete(aorKey)
    return map
  }

  private views(map: Map<string, Binding>, now: number): BindingView[] {
    return [...map.values()]
      .sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt)
      .map((b) => ({ ...b, expiresIn: Math.max(0, Math.ceil((b.expiresAt - now) / 1000)) }))
  }

  private ok(aorKey: string, now: number): RegisterDecision {
    const bindings = this.views(this.bindings.get(aorKey) ?? new Map(), now)
    // §10.3 step 8: the 200 lists every current binding with its expires parameter.
    const headers: ResponseHeaders = {}
    if (bindings.length > 0) headers['Contact'] = bindings.map(formatContact)
    if (this.wallClock !== undefined) headers['Date'] = this.wallClock().toUTCString()
    return { status: 200, reason: 'OK', bindings, headers }
  }

  private outOfOrder(request: RegisterRequest, existing: Binding): RegisterDecision {
    return {
      status: 500,
      reason: 'Server Internal Error',
      detail: `CSeq ${request.cseq} is not above ${existing.cseq} already seen for Call-ID ${request.callId} (out of order, RFC 3261 §10.3 step 7)`,
      headers: { 'Retry-After': '1' },
    }
  }
}

/** Formats a binding as a Contact header value: `<uri>;expires=N[;q=Q][;+sip.instance="..."][;reg-id=N]`. */
export function formatContact(b: BindingView): string {
  let s = `<${b.contact}>;expires=${b.expiresIn}`
  if (b.q !== undefined) s += `;q=${Number(b.q.toFixed(3))}`
  if (b.instanceId !== undefined) s += `;+sip.instance="${b.instanceId}"`
  if (b.regId !== undefined) s += `;reg-id=${b.regId}`
  return s
}

function bindingKey(contact: ContactInput): string | undefined {
  // RFC 5626 §6: with an instance id, the binding is identified by instance (+ reg-id), so a
  // device that re-registers from a new address replaces its old binding.
  if (contact.instanceId !== undefined) return `instance:${contact.instanceId}:${contact.regId ?? ''}`
  const uri = parseIdentity(contact.uri)
  const base = uri === undefined ? undefined : addressOfRecordKey(uri)
  if (uri === undefined || base === undefined || !base.ok) return undefined
  // RFC 3261 §19.1.4: transport, user, ttl, method and maddr take part in URI equality.
  const params = uri.kind === 'sip' || uri.kind === 'tel' ? uri.params : new Map<string, string | null>()
  const significant = ['transport', 'user', 'ttl', 'method', 'maddr']
    .filter((p) => params.has(p))
    .map((p) => `;${p}=${(params.get(p) ?? '').toLowerCase()}`)
    .join('')
  return base.key + significant
}

function hostOf(key: string): string {
  const at = key.lastIndexOf('@')
  const hostport = at >= 0 ? key.slice(at + 1) : key.slice(key.indexOf(':') + 1)
  // Strip a port, but not the colons of an IPv6 reference.
  if (hostport.startsWith('[')) return hostport.slice(0, hostport.indexOf(']') + 1)
  const colon = hostport.indexOf(':')
  return colon < 0 ? hostport : hostport.slice(0, colon)
}
