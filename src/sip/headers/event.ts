import { SipScanner, boundedInteger } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'
import { type HeaderParams, paramValue, readParams, serializeParams } from './params.ts'
import { MAX_DELTA_SECONDS } from './scalars.ts'

/** The Event header (RFC 6665 §8.2.1). */
export interface EventHeader {
  /** Event package with template (`presence`, `conference`, `presence.winfo`). */
  package: string
  /** The `id` parameter, distinguishing subscriptions in one dialog. */
  id?: string
  /** All parameters (including `id`). */
  params: HeaderParams
}

/** Parses an Event value; fails with SIP_BAD_EVENT. */
export function parseEvent(value: string): EventHeader {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_EVENT', 'Event')
  s.skipWs()
  const pkg = s.token('as the event package')
  const params = readParams(s)
  s.end()
  const result: EventHeader = { package: pkg, params }
  const id = paramValue(params, 'id')
  if (typeof id === 'string') result.id = id
  return result
}

/** Reads Event; undefined when absent. */
export function readEvent(headers: SipHeaders): EventHeader | undefined {
  const v = headers.get('Event')
  return v === undefined ? undefined : parseEvent(v)
}

/** Writes an Event value. */
export function serializeEvent(event: EventHeader): string {
  const params = new Map(event.params)
  if (event.id !== undefined) params.set('id', event.id)
  return `${event.package}${serializeParams(params)}`
}

/** The Subscription-State header (RFC 6665 §8.2.3). */
export interface SubscriptionState {
  /** `active`, `pending`, `terminated`, or an extension value (lower-case). */
  state: string
  /** Remaining seconds. */
  expires?: number
  /** Why it was terminated (`timeout`, `rejected`, `noresource`, ...). */
  reason?: string
  /** Seconds before retrying. */
  retryAfter?: number
  /** All parameters. */
  params: HeaderParams
}

/** Parses a Subscription-State value; fails with SIP_BAD_SUBSCRIPTION_STATE. */
export function parseSubscriptionState(value: string): SubscriptionState {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_SUBSCRIPTION_STATE', 'Subscription-State')
  s.skipWs()
  const state = s.token('as the state').toLowerCase()
  const params = readParams(s)
  s.end()
  const result: SubscriptionState = { state, params }
  const expires = paramValue(params, 'expires')
  if (expires !== undefined) {
    const n = typeof expires === 'string' ? boundedInteger(expires, 0, MAX_DELTA_SECONDS) : undefined
    if (n === undefined) s.fail('has an invalid expires')
    result.expires = n
  }
  const retry = paramValue(params, 'retry-after')
  if (retry !== undefined) {
    const n = typeof retry === 'string' ? boundedInteger(retry, 0, MAX_DELTA_SECONDS) : undefined
    if (n === undefined) s.fail('has an invalid retry-after')
    result.retryAfter = n
  }
  const reason = paramValue(params, 'reason')
  if (typeof reason === 'string') result.reason = reason.toLowerCase()
  return result
}

/** Reads Subscription-State; undefined when absent. */
export function readSubscriptionState(headers: SipHeaders): SubscriptionState | undefined {
  const v = headers.get('Subscription-State')
  return v === undefined ? undefined : parseSubscriptionState(v)
}

/** Writes a Subscription-State value. */
export function serializeSubscriptionState(st: SubscriptionState): string {
  const params = new Map(st.params)
  if (st.reason !== undefined) params.set('reason', st.reason)
  if (st.expires !== undefined) params.set('expires', String(st.expires))
  if (st.retryAfter !== undefined) params.set('retry-after', String(st.retryAfter))
  return `${st.state}${serializeParams(params)}`
}
