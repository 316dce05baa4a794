/**
 * Which updates the bot leaves alone before its handlers see them: its own (`ignoreSelf`: what
 * it said, its own join, a file it shared), and public messages it should not answer (from a
 * participant the roster marks as a bot, or past the loop guard's bound).
 *
 * @module
 */
import type { BackendEvent } from '../chat/backend.ts'
import type { Logger } from '../logger.ts'
import { addressKey, sameAddress } from './address.ts'
import type { BotConfig } from './config.ts'
import type { LoopGuard } from './loop-guard.ts'
import type { Room } from './room.ts'

/** Whether `event` is the bot's own doing, seen coming back (`self` is the bot's URI). */
export function isOwnUpdate(event: BackendEvent, room: Room | undefined, self: string): boolean {
  switch (event.type) {
    case 'direct':
      return sameAddress(event.sender.uri, self)
    case 'file':
      // A room names who shared a file by nickname: the bot's own files come back announced.
      return sameAddress(event.sender.uri, self) || (room?.nickname !== undefined && event.sender.nickname === room.nickname)
    case 'message':
    case 'composing':
      return (
        sameAddress(event.sender.uri, self) ||
        (room?.nickname !== undefined && event.sender.nickname === room.nickname)
      )
    case 'join':
    case 'leave':
    case 'nickname':
      return sameAddress(event.participant.uri, self)
    default:
      return false
  }
}

/** What {@link mayAnswer} reads: the config's bounds, the loop guard and where to log. */
export interface AnswerPolicy {
  readonly config: Pick<BotConfig, 'ignoreBots' | 'loopGuard'>
  readonly loopGuard: LoopGuard | undefined
  readonly logger: Logger
  /** The bot's clock now, ms. */
  readonly now: number
}

/**
 * Whether the bot handles a public message from `sender`: not when the roster marks the sender
 * as a bot (`ignoreBots`), nor when the loop guard says the bot answered them too often.
 */
export function mayAnswer(sender: string, room: Room, policy: AnswerPolicy): boolean {
  const { config, logger } = policy
  const isBot = room.participants.find((p) => sameAddress(p.uri, sender))?.isBot
  if (config.ignoreBots && isBot === true) {
    logger.debug({ room: room.uri, sender }, 'public message from a bot ignored (ignoreBots)')
    return false
  }
  if (policy.loopGuard?.allows(addressKey(room.uri), addressKey(sender), policy.now, isBot === false) === false) {
    logger.info({ room: room.uri, sender, ...config.loopGuard }, 'message not answered: the loop guard saw too many answers to this participant without a person speaking')
    return false
  }
  return true
}
