/**
 * The chat server's transport and MSRP limits (docs/security.md, "Transport and MSRP limits"):
 * every buffer a peer can make the server hold is bounded, per connection and per process, and
 * every connection has a timeout before it has done anything. Each field is optional and has
 * the documented default below.
 *
 * @module
 */

import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_SOURCE } from '../../connection-limiter.ts'
import { DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_UNKNOWN_SESSION_MAX_BODY_BYTES } from '../../msrp/connection.ts'
import { DEFAULT_UNBOUND_TIMEOUT_MS } from '../../msrp/listener.ts'
import { DEFAULT_READ_BUDGET_BYTES } from '../../msrp/read-budget.ts'

/** Limits of a chat server's listeners (see {@link DEFAULT_SERVER_LIMITS}). */
export interface ChatServerLimits {
  /** Most connections each listener (SIP TCP, TLS, WS; MSRP) accepts at once. */
  readonly maxConnections?: number
  /** Most connections each listener accepts at once from one IP address. */
  readonly maxConnectionsPerSource?: number
  /** A SIP message (TCP/TLS) or MSRP header block must be complete this long after it began. */
  readonly headerTimeoutMs?: number
  /** SIP TCP/TLS/WS connections with no traffic this long are closed. */
  readonly sipIdleTimeoutMs?: number
  /** An accepted MSRP connection that binds no session within this time is closed. */
  readonly msrpUnboundTimeoutMs?: number
  /** Most body bytes buffered for an MSRP frame naming no session of its connection (answered 481). */
  readonly msrpUnknownSessionMaxBodyBytes?: number
  /** Bytes of incomplete MSRP frames all connections together may hold. */
  readonly msrpReadBudgetBytes?: number
  /**
   * Most bytes of output waiting for one MSRP receiver (written and queued). A receiver past it
   * has stopped reading: its connection closes and the focus drops it from the room with a BYE
   * (`Reason: SIP;cause=408;text="Not reading messages"`).
   */
  readonly msrpMaxWriteBufferBytes?: number
}

/** The defaults, as documented in docs/security.md. */
export const DEFAULT_SERVER_LIMITS: Required<ChatServerLimits> = {
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  maxConnectionsPerSource: DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
  headerTimeoutMs: DEFAULT_HEADER_TIMEOUT_MS,
  sipIdleTimeoutMs: 10 * 60 * 1000,
  msrpUnboundTimeoutMs: DEFAULT_UNBOUND_TIMEOUT_MS,
  msrpUnknownSessionMaxBodyBytes: DEFAULT_UNKNOWN_SESSION_MAX_BODY_BYTES,
  msrpReadBudgetBytes: DEFAULT_READ_BUDGET_BYTES,
  msrpMaxWriteBufferBytes: 4 * 1024 * 1024,
}

/** `limits` with every default filled in. */
export function resolveLimits(limits: ChatServerLimits | undefined): Required<ChatServerLimits> {
  const out = { ...DEFAULT_SERVER_LIMITS }
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (value === undefined) continue
    if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`chat server limit ${key} must be a number ≥ 0, got ${String(value)}`)
    ;(out as Record<string, number>)[key] = value
  }
  return out
}

