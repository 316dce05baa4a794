/**
 * What the testing helpers (`msrp-bot/testing`) and the project's own tests reach inside a
 * chat backend: pointing it at an in-process network, waiting until nothing is in flight, and
 * cutting its connections as a network failure would. Kept off the public class surface, behind
 * a symbol, so a bot author sees only the `ChatBackend` contract.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import type { BackoffOptions } from './backoff.ts'
import type { ChatMemoryNetworks } from './msrp-dialer.ts'
import type { BasicLogger } from '../logger.ts'

/** The key under which a backend or room client carries its testing hooks. */
export const TESTING: unique symbol = Symbol.for('msrp-bot.testing')

/** Options that may change when a backend is pointed at an in-process network. */
export interface MemoryNetworkOptions {
  reconnect?: BackoffOptions | false | undefined
  mediaGraceMs?: number | undefined
  clock?: Clock | undefined
  logger?: BasicLogger | undefined
}

/** The testing hooks of a `SipChatBackend`. */
export interface SipChatBackendTesting {
  /** Points the backend at an in-process network (before `start()`): what `chat.attach(bot)` does. */
  useMemoryNetwork(memory: ChatMemoryNetworks, options?: MemoryNetworkOptions): void
  /** Operations, event deliveries and reconnects in progress. */
  readonly busy: number
  /** A counter that moves whenever something happens (for quiescence checks). */
  readonly activity: number
  /** Resolves when nothing is in flight. */
  idle(): Promise<void>
  /** Cuts every connection (SIP and MSRP) as a network failure would; only meaningful in memory. */
  dropConnections(): void
}

/** The testing hooks of a `RoomClient`. */
export interface RoomClientTesting {
  /** Closes the MSRP connection as a network failure would. */
  dropMedia(): void
}

/** Something that carries testing hooks under {@link TESTING}. */
export interface HasTestingHooks<T> {
  readonly [TESTING]: T
}

/**
 * The testing hooks of a backend or room client.
 *
 * @example
 * ```ts
 * await testingHooksOf(backend).idle()
 * ```
 */
export function testingHooksOf<T>(subject: HasTestingHooks<T>): T {
  return subject[TESTING]
}
