/**
 * Invitations to rooms (`bot.on('invitation')`): a room calls the bot in because someone asked
 * it to (RFC 4579 §5.5, REFER `method=INVITE`). `ctx.invitation.accept()` joins the room as
 * `bot.join` does; an invitation no handler accepted is declined. {@link InvitationGate} keeps an
 * invitation flood from making the bot join rooms without bound.
 *
 * @module
 */
import type { RoomInvitation } from '../chat/room-invitation.ts'
import { addressKey } from './address.ts'
import type { JoinRoomOptions } from './join-options.ts'
import type { Room } from './room.ts'
import { BotStateError } from './errors.ts'

/** What the config's `acceptInvitations` function is told about an invitation. */
export interface InvitationInfo {
  /** The room's URI. */
  readonly room: string
  /** Who asked the room to invite the bot (Referred-By, RFC 3892), when the room says. */
  readonly by: string | undefined
}

/** Decides invitations no handler answered: `true` accepts every one (see `acceptInvitations`). */
export type InvitationPolicy = boolean | ((invitation: InvitationInfo) => boolean | Promise<boolean>)

/** How the bot enters a room it was invited to (its `bot.join` with the invitation's first step). */
export type EnterInvitedRoom = (invitation: RoomInvitation, options: JoinRoomOptions) => Promise<Room>

/** The invitation of an 'invitation' update (`ctx.invitation`). */
export class BotInvitation implements InvitationInfo {
  readonly room: string
  readonly by: string | undefined
  readonly #invitation: RoomInvitation
  readonly #enter: EnterInvitedRoom
  #joining: Promise<void> = Promise.resolve()

  constructor(invitation: RoomInvitation, enter: EnterInvitedRoom) {
    this.#invitation = invitation
    this.#enter = enter
    this.room = invitation.room
    this.by = invitation.by
  }

  /** True once accepted or declined: an invitation is answered once. */
  get answered(): boolean {
    return this.#invitation.answered
  }

  /**
   * Joins the room (answers its call) exactly as `bot.join(room, options)` would: the room is
   * then in `bot.rooms`, its updates flow and it is re-joined after a reconnect. Resolves with
   * the room; rejects with the join's errors (JOIN_FAILED, NICKNAME_TAKEN …).
   */
  accept(options: JoinRoomOptions = {}): Promise<Room> {
    if (this.answered) return Promise.reject(new BotStateError('BOT_INVITATION_ANSWERED', `the invitation to ${this.room} was already answered; accept() or decline() it once`))
    const joining = this.#enter(this.#invitation, options)
    this.#joining = joining.then(() => undefined, () => undefined)
    return joining
  }

  /** Resolves once a join started by {@link accept} has ended, joined or not (never rejects). */
  joined(): Promise<void> {
    return this.#joining
  }

  /** Refuses the invitation: 603 Decline by default, or another status (486 Busy Here …). */
  decline(status = 603): void {
    if (!this.answered) this.#invitation.decline(status)
  }
}

/** Why the gate turned an invitation away before any handler saw it. */
export type InvitationRefusal = 'already-in-room' | 'already-ringing' | 'too-many-rooms'

/**
 * Bounds what invitations can do: at most `maxRooms` rooms joined or being joined through
 * them, and one invitation per room at a time.
 */
export class InvitationGate {
  readonly #maxRooms: number
  readonly #ringing = new Set<string>()

  constructor(maxRooms: number) {
    this.#maxRooms = maxRooms
  }

  /** Admits an invitation to `room` (then call {@link done}) or says why not. */
  admit(room: string, joined: (key: string) => boolean, joinedCount: number): InvitationRefusal | undefined {
    const key = addressKey(room)
    if (joined(key)) return 'already-in-room'
    if (this.#ringing.has(key)) return 'already-ringing'
    if (joinedCount + this.#ringing.size >= this.#maxRooms) return 'too-many-rooms'
    this.#ringing.add(key)
    return undefined
  }

  /** The invitation to `room` was answered and handled. */
  done(room: string): void {
    this.#ringing.delete(addressKey(room))
  }
}
