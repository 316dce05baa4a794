/**
 * Where `createBot` gets a backend when none is passed.
 *
 * Decision: the bot layer does not hard-wire a backend. The chat layer registers its factory
 * once (`setDefaultBackendFactory(createChatBackend)` in its entry module, imported by
 * `src/index.ts`), and tests pass `{ backend }` explicitly. With neither, `createBot` fails with
 * BOT_NO_BACKEND and a message saying both ways out, rather than guessing.
 *
 * @module
 */
import type { ChatBackendFactory } from '../chat/backend.ts'

let defaultFactory: ChatBackendFactory | undefined

/**
 * Registers the factory `createBot` uses when no `backend` option is given; returns the one it
 * replaced. Pass undefined to remove it.
 *
 * @example
 * ```ts
 * setDefaultBackendFactory((config) => new RoomClientBackend(config))
 * ```
 */
export function setDefaultBackendFactory(factory: ChatBackendFactory | undefined): ChatBackendFactory | undefined {
  const previous = defaultFactory
  defaultFactory = factory
  return previous
}

/** The registered default factory, if any. */
export function getDefaultBackendFactory(): ChatBackendFactory | undefined {
  return defaultFactory
}
