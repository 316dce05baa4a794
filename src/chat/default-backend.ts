/**
 * Registers {@link SipChatBackend} as the backend `createBot(config)` uses when none is passed
 * (see `src/bot/backend-factory.ts`). Imported for its effect by the package entry
 * (`src/index.ts`) and by `msrp-bot/testing`.
 *
 * @module
 */
import { getDefaultBackendFactory, setDefaultBackendFactory } from '../bot/backend-factory.ts'
import { createSipChatBackend } from './sip-chat-backend.ts'

// Keep a factory someone registered on purpose before us.
if (getDefaultBackendFactory() === undefined) setDefaultBackendFactory(createSipChatBackend)

/** The factory registered here. */
export const defaultChatBackendFactory = createSipChatBackend
