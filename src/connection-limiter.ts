/**
 * Connection caps for a listener: at most `maxConnections` accepted connections at once, and at
 * most `maxPerSource` from one remote address, so one host (or a flood from many) cannot hold
 * every file descriptor and the memory that goes with them. Used by the SIP TCP/TLS/WebSocket
 * transports and the MSRP listener; pure bookkeeping, no I/O.
 *
 * @module
 */

/** Caps of a {@link ConnectionLimiter}; omitted fields take the defaults below. */
export interface ConnectionLimits {
  /** Most accepted connections open at once (default {@link DEFAULT_MAX_CONNECTIONS}). */
  readonly maxConnections?: number
  /** Most accepted connections open at once from one remote address (default {@link DEFAULT_MAX_CONNECTIONS_PER_SOURCE}). */
  readonly maxConnectionsPerSource?: number
}

/** Default cap on accepted connections per listener. */
export const DEFAULT_MAX_CONNECTIONS = 16_384
/** Default cap on accepted connections per listener from one remote address. */
export const DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 1_024

/** Why {@link ConnectionLimiter.admit} refused a connection. */
export type ConnectionRefusal = 'total' | 'per-source'

/**
 * Counts accepted connections per remote address and in total.
 *
 * @example
 * ```ts
 * const limiter = new ConnectionLimiter({ maxConnectionsPerSource: 10 })
 * if (limiter.admit(socket.remoteAddress) !== undefined) socket.destroy()
 * else socket.once('close', () => limiter.release(socket.remoteAddress))
 * ```
 */
export class ConnectionLimiter {
  readonly maxConnections: number
  readonly maxPerSource: number
  readonly #bySource = new Map<string, number>()
  #total = 0

  constructor(limits: ConnectionLimits = {}) {
    this.maxConnections = limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.maxPerSource = limits.maxConnectionsPerSource ?? DEFAULT_MAX_CONNECTIONS_PER_SOURCE
  }

  /** Connections counted now. */
  get total(): number {
    return this.#total
  }

  /** Connections counted now from `source`. */
  count(source: string | undefined): number {
    return this.#bySource.get(source ?? '') ?? 0
  }

  /**
   * Counts one more connection from `source` and returns undefined, or returns why it must be
   * refused (nothing is counted then). Every admitted connection must be {@link release}d once.
   */
  admit(source: string | undefined): ConnectionRefusal | undefined {
    const key = source ?? ''
    if (this.#total >= this.maxConnections) return 'total'
    const n = this.#bySource.get(key) ?? 0
    if (n >= this.maxPerSource) return 'per-source'
    this.#bySource.set(key, n + 1)
    this.#total++
    return undefined
  }

  /** Forgets one admitted connection from `source`. */
  release(source: string | undefined): void {
    const key = source ?? ''
    const n = this.#bySource.get(key)
    if (n === undefined) return
    if (n <= 1) this.#bySource.delete(key)
    else this.#bySource.set(key, n - 1)
    this.#total--
  }
}
