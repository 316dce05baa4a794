/**
 * Entering a room under a nickname that may be taken: the first nickname opens the session (a
 * join, or the answer to an invitation), then nicknames refused as taken (RFC 7701 §7, 425)
 * are retried on the live room as `retryNicknames` and `maxNicknameAttempts` say.
 *
 * @module
 */
import { NicknameError, errorCode } from '../chat/backend-errors.ts'
import { BackendErrorCode } from '../chat/backend.ts'
import type { RoomHandle } from '../chat/backend.ts'
import type { Logger } from '../logger.ts'
import type { JoinRoomOptions } from './join-options.ts'

/** The room entered, and the nickname it was entered under. */
export interface EnteredRoom {
  readonly handle: RoomHandle
  readonly nickname: string
}

/**
 * Opens the room with `open(nickname)` and retries taken nicknames on the live room. On a
 * final failure the room (if it came up) is left and the error thrown: a NicknameError listing
 * the nicknames tried when retries ran out.
 */
export async function openWithNicknames(
  roomUri: string,
  options: JoinRoomOptions,
  defaultNickname: string,
  open: (nickname: string) => Promise<RoomHandle>,
  logger: Logger,
): Promise<EnteredRoom> {
  const base = options.nickname ?? defaultNickname
  const retry = options.retryNicknames ?? false
  const next =
    typeof retry === 'function' ? retry : (attempt: number, nick: string) => `${nick}${attempt + 1}`
  const maxAttempts = retry === false ? 1 : Math.max(1, options.maxNicknameAttempts ?? 5)
  const tried: string[] = []
  let handle: RoomHandle | undefined
  let nickname = base
  for (let attempt = 1; ; attempt++) {
    tried.push(nickname)
    try {
      if (handle === undefined) handle = await open(nickname)
      else await handle.setNickname(nickname)
      break
    } catch (error) {
      const live = (error as { room?: RoomHandle | undefined }).room
      if (handle === undefined && live !== undefined) handle = live
      const taken = errorCode(error) === BackendErrorCode.nicknameTaken
      if (taken && attempt < maxAttempts) {
        nickname = next(attempt, base)
        logger.info({ room: roomUri, taken: tried.at(-1), next: nickname }, 'nickname taken, trying another')
        continue
      }
      if (handle !== undefined) {
        await handle.leave().catch((e: unknown) => logger.warn({ err: e, room: roomUri }, 'leave failed'))
      }
      if (taken && retry !== false) {
        throw new NicknameError('taken', nickname, {
          cause: error,
          detail: `gave up after trying ${tried.map((n) => `"${n}"`).join(', ')} (maxNicknameAttempts=${maxAttempts})`,
        })
      }
      throw error
    }
  }
  return { handle, nickname }
}
