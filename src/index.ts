/**
 * msrp-bot: chat bots for SIP/MSRP chat rooms (RFC 7701).
 *
 * The main entry re-exports the bot API; protocol layers have their own entry points
 * (`msrp-bot/sip`, `msrp-bot/msrp`, ...).
 *
 * @module
 */

// The bot API: createBot, Composer, Context, errors, testing helpers (see ./bot/index.ts).
export * from './bot/index.ts'

// What createBot(config) runs on when given no backend: the SIP chat backend over sockets.
export { SipChatBackend } from './chat/sip-chat-backend.ts'
export { createNodeChatBackend } from './chat/node-platform.ts'
export type { SipChatBackendOptions } from './chat/sip-chat-backend.ts'

// Storage adapters that need Node (they load node:fs / ioredis only when first used).
export { fileStorage } from './bot/session/file-storage.ts'
export type { FileStorageOptions } from './bot/session/file-storage.ts'
export { redisStorage } from './bot/session/redis-storage.ts'
export type { RedisStorage, RedisStorageOptions, RedisCommands } from './bot/session/redis-storage.ts'

// The root error classes every msrp-bot error extends.
export { MsrpBotError, ParseError } from './errors.ts'
