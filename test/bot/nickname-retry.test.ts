import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NicknameError } from '../../src/chat/backend-errors.ts'
import type { RoomHandle } from '../../src/chat/backend.ts'
import { silentLogger } from '../../src/logger.ts'
import { openWithNicknames } from '../../src/bot/nickname-retry.ts'

const ROOM = 'sip:lobby@example.test'

/** A room where the nicknames in `taken` are refused as taken; records what was tried and whether it was left. */
function fakeRoom(taken: string[]) {
  const tried: string[] = []
  let left = false
  const handle = {
    uri: ROOM,
    setNickname: async (nickname: string) => {
      tried.push(nickname)
      if (taken.includes(nickname)) throw new NicknameError('taken', nickname)
    },
    leave: async () => void (left = true),
  } as unknown as RoomHandle
  const open = async (nickname: string): Promise<RoomHandle> => {
    tried.push(nickname)
    if (taken.includes(nickname)) throw new NicknameError('taken', nickname, { room: handle })
    return handle
  }
  return { handle, open, tried, left: () => left }
}

describe('openWithNicknames', () => {
  it('opens with the nickname asked for, else the default', async () => {
    const room = fakeRoom([])
    assert.equal((await openWithNicknames(ROOM, { nickname: 'echo' }, 'bot', room.open, silentLogger)).nickname, 'echo')
    assert.equal((await openWithNicknames(ROOM, {}, 'bot', room.open, silentLogger)).nickname, 'bot')
  })

  it('retries taken nicknames on the live room, echo → echo2 → echo3', async () => {
    const room = fakeRoom(['echo', 'echo2'])
    const entered = await openWithNicknames(ROOM, { nickname: 'echo', retryNicknames: true }, 'bot', room.open, silentLogger)
    assert.equal(entered.nickname, 'echo3')
    assert.equal(entered.handle, room.handle)
    assert.deepEqual(room.tried, ['echo', 'echo2', 'echo3'])
  })

  it('leaves the room and names every nickname tried when retries run out', async () => {
    const room = fakeRoom(['a', 'a2'])
    await assert.rejects(
      openWithNicknames(ROOM, { nickname: 'a', retryNicknames: true, maxNicknameAttempts: 2 }, 'bot', room.open, silentLogger),
      (error: NicknameError) => error.code === 'NICKNAME_TAKEN' && /gave up after trying "a", "a2" \(maxNicknameAttempts=2\)/.test(error.message),
    )
    assert.equal(room.left(), true)
  })

  it('without retries, leaves the room and throws the refusal as it came', async () => {
    const room = fakeRoom(['a'])
    await assert.rejects(openWithNicknames(ROOM, { nickname: 'a' }, 'bot', room.open, silentLogger), NicknameError)
    assert.equal(room.left(), true)
    assert.deepEqual(room.tried, ['a'])
  })
})
