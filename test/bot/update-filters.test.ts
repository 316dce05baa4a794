import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { createMemoryLogger } from '../../src/logger.ts'
import { LoopGuard } from '../../src/bot/loop-guard.ts'
import type { Room } from '../../src/bot/room.ts'
import { isOwnUpdate, mayAnswer } from '../../src/bot/update-filters.ts'

const SELF = 'sip:echo@example.test'
const ROOM = 'sip:lobby@example.test'
const room = (participants: Array<{ uri: string; nickname?: string; isBot?: boolean }> = []): Room => ({ uri: ROOM, nickname: 'echo', participants }) as unknown as Room
const message = (uri: string, nickname?: string): BackendEvent =>
  ({ type: 'message', room: ROOM, private: false, sender: { uri, nickname }, contentType: 'text/plain', body: 'hi', timestamp: new Date(0), messageId: 'm' }) as BackendEvent

describe('isOwnUpdate', () => {
  it('knows the bot by its URI, or in a room by its nickname', () => {
    assert.equal(isOwnUpdate(message(SELF), room(), SELF), true)
    assert.equal(isOwnUpdate(message('sip:other@example.test', 'echo'), room(), SELF), true)
    assert.equal(isOwnUpdate(message('sip:alice@example.test', 'alice'), room(), SELF), false)
    assert.equal(isOwnUpdate({ type: 'join', room: ROOM, participant: { uri: SELF, nickname: undefined } }, room(), SELF), true)
    assert.equal(isOwnUpdate({ type: 'connection', state: 'reconnected' }, undefined, SELF), false)
  })
})

describe('mayAnswer', () => {
  it('ignores a participant the roster marks as a bot, when ignoreBots is on', () => {
    const logger = createMemoryLogger()
    const r = room([{ uri: 'sip:other-bot@example.test', isBot: true }])
    assert.equal(mayAnswer('sip:other-bot@example.test', r, { config: { ignoreBots: true, loopGuard: false }, loopGuard: undefined, logger, now: 0 }), false)
    assert.equal(mayAnswer('sip:other-bot@example.test', r, { config: { ignoreBots: false, loopGuard: false }, loopGuard: undefined, logger, now: 0 }), true)
  })

  it('stops answering past the loop guard and says why', () => {
    const logger = createMemoryLogger()
    const settings = { maxAnswers: 1, windowMs: 60_000 }
    const guard = new LoopGuard(settings)
    const policy = { config: { ignoreBots: true, loopGuard: settings }, loopGuard: guard, logger, now: 0 }
    const sender = 'sip:unknown@example.test'
    assert.equal(mayAnswer(sender, room(), policy), true)
    guard.answered(ROOM, sender, 0)
    assert.equal(mayAnswer(sender, room(), policy), false)
    assert.ok(logger.entries.some((e) => /loop guard/.test(e.msg ?? '')))
  })
})
