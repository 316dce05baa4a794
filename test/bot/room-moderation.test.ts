import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ALICE, BOB, started } from './helpers.ts'

describe('room moderation (kick, mute)', () => {
  it('kick by nickname removes the participant and emits leave', async () => {
    const left: string[] = []
    const { bot, lobby, room } = await started((b) => b.on('leave', (ctx) => void left.push(ctx.participant.uri)))
    await room.kick('alice')
    assert.deepEqual(lobby.removed, [ALICE])
    assert.deepEqual(left, [ALICE])
    assert.equal(room.find('alice'), undefined)
    await bot.stop()
  })

  it('kick by URI works; an unknown nickname rejects PARTICIPANT_NOT_FOUND', async () => {
    const { bot, lobby, room } = await started(() => {})
    await room.kick(BOB)
    assert.deepEqual(lobby.removed, [BOB])
    await assert.rejects(room.kick('nobody'), { code: 'PARTICIPANT_NOT_FOUND' })
    await assert.rejects(room.kick('sip:ghost@example.test'), { code: 'PARTICIPANT_NOT_FOUND' })
    await bot.stop()
  })

  it('kick without the moderator role rejects NOT_AUTHORIZED and keeps the participant', async () => {
    const { bot, lobby, room } = await started(() => {})
    lobby.botIsModerator = false
    await assert.rejects(room.kick('alice'), (err: Error & { code?: string; statusCode?: number }) => {
      assert.equal(err.code, 'NOT_AUTHORIZED')
      assert.equal(err.statusCode, 403)
      assert.match(err.message, /moderator/)
      return true
    })
    assert.ok(room.find('alice'))
    await bot.stop()
  })

  it('mute and unmute by nickname (mute defaults to true)', async () => {
    const { bot, lobby, room } = await started(() => {})
    await room.mute('alice')
    assert.equal(lobby.muted.size, 1)
    await room.mute('alice', false)
    assert.equal(lobby.muted.size, 0)
    await bot.stop()
  })

  it('mute on a focus without the extension rejects NOT_SUPPORTED; unauthorised → NOT_AUTHORIZED', async () => {
    const { bot, lobby, room } = await started(() => {})
    lobby.muteSupported = false
    await assert.rejects(room.mute('bob'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NOT_SUPPORTED')
      assert.match(err.message, /msrp-bot/)
      return true
    })
    lobby.muteSupported = true
    lobby.botIsModerator = false
    await assert.rejects(room.mute('bob'), { code: 'NOT_AUTHORIZED' })
    await assert.rejects(room.mute('nobody'), { code: 'PARTICIPANT_NOT_FOUND' })
    await bot.stop()
  })
})
