/**
 * Testing helpers for bot authors (`msrp-bot/testing`): an in-process chat server with
 * scripted participants, transcripts, `settled()` and fault injection.
 *
 * @example
 * ```ts
 * import { createBot } from 'msrp-bot'
 * import { createTestChat } from 'msrp-bot/testing'
 *
 * const chat = await createTestChat()
 * const bot = chat.attach(createBot({ uri: 'sip:echo@example.test' }))
 * bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
 * await bot.start()
 * await bot.join(chat.roomUri('lobby'), { nickname: 'echo' })
 * const alice = await chat.participant('alice')
 * await alice.join()
 * await alice.say('hi')
 * await chat.settled()
 * // alice.lines → ['alice: hi', 'echo: you said: hi']
 * await chat.close()
 * ```
 *
 * @module
 */
// --- Common ------------------------------------------------------------------------------
export { createTestChat, TestChat } from './test-chat.ts'
export type { TestChatOptions } from './test-chat.ts'
export { TestParticipant, ExpectationError } from './participant.ts'
export type { ParticipantOptions, ExpectOptions } from './participant.ts'
export type { TranscriptEntry, MessageMatcher } from './transcript.ts'
export { roomWith } from './room-with.ts'
export type { RoomWithOptions, RoomWithBot } from './room-with.ts'

// --- Advanced ----------------------------------------------------------------------------
export { toTranscriptEntry, matches, formatEntry } from './transcript.ts'
export type { ReceivedTestFile } from './participant-files.ts'
