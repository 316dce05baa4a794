/**
 * Where the focus may open an MSRP connection. An offer with `a=setup:passive` (RFC 6135) asks
 * the focus to connect to the first hop of its `a=path`, which any client can set to any host
 * and port: dialling blindly makes the server a port scanner and a connection reflector. So:
 *
 * - policy `source` (default): dial only the host the INVITE came from (its signalling source,
 *   RFC 3261 §18.2.1 `received`); a path naming another host is refused with 488.
 * - policy `any`: dial what the path names (behind a trusted proxy or an MSRP relay, the
 *   signalling source is the proxy, not the client).
 *
 * Either way a signalling source whose dials keep failing is throttled: after
 * `maxFailures` failed dials within `windowMs`, its offers that need a dial get 503 with
 * Retry-After until the window has passed.
 *
 * @module
 */

import type { TimeSource } from '../../clock.ts'

/** `source`: dial only the signalling source's address; `any`: dial what `a=path` names. */
export type MsrpDialPolicy = 'source' | 'any'

/** Why a dial is not made (see {@link DialGuard.check}). */
export type DialRefusal =
  | { readonly status: 488; readonly warning: string }
  | { readonly status: 503; readonly warning: string; readonly retryAfterSeconds: number }

/** Options of a {@link DialGuard}. */
export interface DialGuardOptions {
  readonly policy?: MsrpDialPolicy
  readonly clock: TimeSource
  /** Failed dials allowed per signalling source within `windowMs` (default 5). */
  readonly maxFailures?: number
  /** The failure window (default 60 s). */
  readonly windowMs?: number
  /** Sources remembered at once; the oldest is forgotten beyond it (default 10,000). */
  readonly maxSources?: number
}

/** Brackets off, lower case: `[::1]` and `::1` name one host. */
function bareHost(host: string): string {
  return (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase()
}

/** Decides whether the focus may dial a participant's MSRP path, and throttles failing sources. */
export class DialGuard {
  readonly policy: MsrpDialPolicy
  readonly #clock: TimeSource
  readonly #maxFailures: number
  readonly #windowMs: number
  readonly #maxSources: number
  /** Per signalling source: times of its recent failed dials (oldest first). */
  readonly #failures = new Map<string, number[]>()

  constructor(options: DialGuardOptions) {
    this.policy = options.policy ?? 'source'
    this.#clock = options.clock
    this.#maxFailures = options.maxFailures ?? 5
    this.#windowMs = options.windowMs ?? 60_000
    this.#maxSources = options.maxSources ?? 10_000
  }

  /** Undefined when the focus may dial `targetHost` for an INVITE from `sourceHost`, else the answer to give. */
  check(targetHost: string, sourceHost: string): DialRefusal | undefined {
    const source = bareHost(sourceHost)
    const recent = this.#recent(source)
    if (recent.length >= this.#maxFailures) {
      const retry = Math.max(1, Math.ceil((recent[0]! + this.#windowMs - this.#clock.now()) / 1000))
      return { status: 503, warning: `too many failed MSRP connections to this source; retry in ${retry} s or offer a=setup:active`, retryAfterSeconds: retry }
    }
    if (this.policy === 'source' && bareHost(targetHost) !== source) {
      return { status: 488, warning: `the focus only connects to the address the INVITE came from (${source}); offer a=setup:active or a path on that address` }
    }
    return undefined
  }

  /** Records a failed dial for an INVITE from `sourceHost`. */
  failed(sourceHost: string): void {
    const source = bareHost(sourceHost)
    const recent = this.#recent(source)
    recent.push(this.#clock.now())
    if (recent.length > this.#maxFailures) recent.shift()
    this.#failures.delete(source)
    this.#failures.set(source, recent)
    if (this.#failures.size > this.#maxSources) {
      const oldest = this.#failures.keys().next().value
      if (oldest !== undefined) this.#failures.delete(oldest)
    }
  }

  /** Failure times of `source` still inside the window (older ones dropped). */
  #recent(source: string): number[] {
    const list = this.#failures.get(source)
    if (list === undefined) return []
    const since = this.#clock.now() - this.#windowMs
    while (list.length > 0 && list[0]! <= since) list.shift()
    if (list.length === 0) this.#failures.delete(source)
    return list
  }
}
