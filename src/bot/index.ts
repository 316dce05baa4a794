/**
 * The bot layer: what bot authors use.
 *
 * @module
 */

// --- Common: create a bot, write handlers ------------------------------------------------
export { Bot, createBot } from './bot.ts'
export type { BotOptions, JoinRoomOptions, BotErrorHandler, BotState } from './bot.ts'
export { Context } from './context.ts'
export type { UpdateKind, ContactPresence, BotIdentity } from './context.ts'
export { BotFile, DEFAULT_DOWNLOAD_BYTES } from './file.ts'
export type { FileInput, FileMeta } from '../chat/node-files.ts'
export type { FileReceipt, FileProgress, SendFileOptions, FileSink } from '../chat/file-contract.ts'
export { Room, MAX_ROOM_HISTORY } from './room.ts'
export type { HistoryMessage } from './room.ts'
export { Composer } from './composer.ts'
export type { Middleware, MiddlewareFn, MiddlewareObj, NextFunction, ErrorHandler } from './composer.ts'
export type { Filter, FilterQuery, CommandContext, HearsContext } from './filter.ts'
export type { CommandInfo } from './commands.ts'
export type { CommandDescription } from './composer.ts'
export type { ScheduleContext, ScheduleHandler, ScheduleOptions, ScheduleTime, ScheduledJob } from './schedule.ts'
export { cooldown, RateWindow } from './cooldown.ts'
export type { CooldownOptions } from './cooldown.ts'
export type { LoopGuardSettings } from './loop-guard.ts'
export type { BotConfigInput, BotConfig } from './config.ts'

// --- State: sessions, storage adapters, conversations ---------------------------------------
export { session, sessionKeys, SessionError } from './session/session.ts'
export type { SessionFlavor, SessionContext, SessionOptions, SessionKey } from './session/session.ts'
export { memoryStorage, StorageError } from './session/storage.ts'
export type { StorageAdapter, MemoryStorageOptions } from './session/storage.ts'
export { conversations, Conversations, Conversation, ConversationError, ConversationTimeoutError } from './session/conversation.ts'
export type { ConversationFn, ConversationsOptions, ConversationState, ConversationLogEntry, AskOptions, EnterOptions, InviteOptions } from './session/conversation.ts'

// --- Errors: branch on `code` -----------------------------------------------------------
export { BotError, BotConfigError, BotStateError, CommandNameError, OutboundQueueError, NoRecipientError } from './errors.ts'
export { NicknameError, SendError, ParticipantNotFoundError, ModerationError, InvitationError, errorCode } from '../chat/backend-errors.ts'
export type { SendFailureReason, ModerationFailureReason } from '../chat/backend-errors.ts'

// --- Operations: logging and metrics -----------------------------------------------------
export { createConsoleLogger, createMemoryLogger, silentLogger, logLevelFromEnv, LOG_LEVELS } from '../logger.ts'
export type { Logger, BasicLogger, LogFn, LogLevel, LogEntry } from '../logger.ts'
export { BotMetrics } from './metrics.ts'
export type { MetricsSnapshot, MetricName } from './metrics.ts'

// --- Testing: the in-memory backend and a fake clock -----------------------------------
export { FakeChatBackend, FakeRoom } from './fake-backend.ts'
export type { SentMessage, SendHook, FakeChatBackendOptions } from './fake-backend.ts'
export { FakeClock, systemClock, flushMicrotasks } from '../clock.ts'
export type { Clock } from '../clock.ts'

// --- Advanced: backends, parsing, flow control -------------------------------------------
export { BackendErrorCode } from '../chat/backend.ts'
// Every type of the bot↔chat contract (ChatBackend, RoomHandle, BackendEvent and its events ...).
export type * from '../chat/backend.ts'
export { setDefaultBackendFactory, getDefaultBackendFactory } from './backend-factory.ts'
export { parseCommand, splitArguments, normalizeCommandName } from './commands.ts'
export { matchFilter, FILTER_QUERIES } from './filter.ts'
export type { FilterShapes } from './filter.ts'
export { validateConfig, botConfigSchema } from './config.ts'
export { OutboundQueue } from './outbound-queue.ts'
export type { OutboundQueueOptions, RateLimit } from './outbound-queue.ts'
export { addressKey, sameAddress } from './address.ts'
