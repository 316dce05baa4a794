/**
 * How the bot answers an 'invitation' update: turned away (486) when the gate says so (in the
 * room already, another invitation to it ringing, `maxRooms` reached); else the handlers see
 * it, then `acceptInvitations` decides one they left unanswered, and what is still unanswered
 * is declined (603).
 *
 * @module
 */
import type { RoomInvitation } from '../chat/room-invitation.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import { run } from './composer.ts'
import type { MiddlewareFn } from './composer.ts'
import type { BotConfig } from './config.ts'
import type { Context, ContextConstructor } from './context.ts'
import { BotInvitation, type EnterInvitedRoom, type InvitationGate } from './invitation.ts'
import type { BotMetrics } from './metrics.ts'

/** What answering an invitation needs from the bot. */
export interface InvitedBot<C extends Context> {
  /** The bot's own URI (the context's `me`). */
  readonly uri: string
  readonly config: Pick<BotConfig, 'maxRooms' | 'acceptInvitations'>
  readonly logger: Logger
  readonly metrics: BotMetrics
  readonly clock: Clock
  /** Bounds what invitations can make the bot join. */
  readonly gate: InvitationGate
  readonly makeContext: ContextConstructor<C>
  /** Whether the bot is in the room with this address key. */
  isIn(key: string): boolean
  /** How many rooms the bot is in. */
  roomCount(): number
  /** The bot's middleware tree. */
  middleware(): MiddlewareFn<C>
  /** Hands a handler's error to `bot.catch` or the log. */
  reportError(error: unknown, ctx: C): Promise<void>
  /** Joins the room of an accepted invitation. */
  readonly enter: EnterInvitedRoom
}

/** Answers one invitation (see the module doc); resolves once it was answered and any join ended. */
export async function answerInvitation<C extends Context>(invitation: RoomInvitation, bot: InvitedBot<C>): Promise<void> {
  const { logger } = bot
  const refusal = bot.gate.admit(invitation.room, (key) => bot.isIn(key), bot.roomCount())
  if (refusal !== undefined) {
    invitation.decline(486)
    const why =
      refusal === 'already-in-room' ? 'the bot is in that room already'
      : refusal === 'already-ringing' ? 'another invitation to that room is being answered'
      : `the bot is in maxRooms (${bot.config.maxRooms}) rooms already; raise maxRooms or leave rooms`
    logger[refusal === 'too-many-rooms' ? 'warn' : 'info']({ room: invitation.room, by: invitation.by }, `invitation declined (486): ${why}`)
    return
  }
  try {
    const bound = new BotInvitation(invitation, bot.enter)
    let ctx: C
    try {
      ctx = new bot.makeContext({ update: { type: 'invitation', invitation }, invitation: bound, me: { uri: bot.uri }, room: undefined, clock: bot.clock })
    } catch (error) {
      bot.metrics.increment('handlerErrors')
      logger.error({ err: error, type: 'invitation' }, 'the context constructor threw; invitation declined')
      bound.decline()
      return
    }
    try {
      await run(bot.middleware(), ctx)
    } catch (error) {
      await bot.reportError(error, ctx)
    }
    if (!bound.answered && (await policyAccepts(bound, bot))) {
      await bound.accept().catch((error: unknown) => logger.warn({ err: error, room: bound.room }, 'joining the room of an accepted invitation failed'))
    }
    if (!bound.answered) {
      bound.decline()
      logger.info({ room: bound.room, by: bound.by }, 'invitation declined (603): no handler accepted it')
    }
    // A handler that did not await accept(): the room counts as ringing until its join ended.
    await bound.joined()
  } finally {
    bot.gate.done(invitation.room)
  }
}

/** What `acceptInvitations` says of an invitation no handler answered (a throwing function says no). */
async function policyAccepts<C extends Context>(invitation: BotInvitation, bot: InvitedBot<C>): Promise<boolean> {
  const policy = bot.config.acceptInvitations
  if (typeof policy === 'boolean') return policy
  try {
    return (await policy({ room: invitation.room, by: invitation.by })) === true
  } catch (error) {
    bot.logger.error({ err: error, room: invitation.room }, 'the acceptInvitations function threw; the invitation is declined')
    return false
  }
}
