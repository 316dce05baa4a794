/**
 * An override for where `createBot` gets a backend when none is passed. Unset, `createBot` runs
 * on the SIP chat backend over Node's sockets (wired in `bot.ts`). The CLI sets a factory while
 * it imports a bot module, so that the module's own `createBot(config)` connects to the server
 * the command chose (see `cli/bot-module.ts`), and restores the previous one afterwards.
 *
 * @module
 */
import type { ChatBackendFactory } from '../chat/backend.ts'

let defaultFactory: ChatBackendFactory | undefined

/**
 * Sets the factory `createBot` uses when no `backend` option is given; returns the one it
 * replaced, to restore it afterwards. Pass undefined to go back to the SIP chat backend.
 *
 * @example
 * ```ts
 * const previous = setDefaultBackendFactory((config) => new FakeChatBackend({ uri: config.uri }))
 * try { await import('./bot.ts') } finally { setDefaultBackendFactory(previous) }
 * ```
 */
export function setDefaultBackendFactory(factory: ChatBackendFactory | undefined): ChatBackendFactory | undefined {
  const previous = defaultFactory
  defaultFactory = factory
  return previous
}

/** The factory set with {@link setDefaultBackendFactory}, if any. */
export function getDefaultBackendFactory(): ChatBackendFactory | undefined {
  return defaultFactory
}
