import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildModerationRequest, parseModerationRequest } from '../../src/rooms/moderation.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('moderation request body (the msrp-bot mute extension)', () => {
  it('round-trips what the room client builds and the server parses', () => {
    const body = buildModerationRequest({ action: 'mute', target: 'sip:troll@example.test' })
    assert.deepEqual(parseModerationRequest(bytes(body)), { action: 'mute', target: 'sip:troll@example.test' })
  })

  it('says what is wrong with a malformed body instead of throwing', () => {
    assert.equal(parseModerationRequest(bytes('{')), 'the body is not JSON')
    assert.equal(parseModerationRequest(bytes('[1]')), 'action must be "mute" or "unmute"')
    assert.equal(parseModerationRequest(bytes('null')), 'the body must be a JSON object')
    assert.equal(parseModerationRequest(bytes('{"action":"shout","target":"sip:a@b"}')), 'action must be "mute" or "unmute"')
    assert.equal(parseModerationRequest(bytes('{"action":"mute","target":"troll"}')), 'target must be a participant URI')
  })
})
