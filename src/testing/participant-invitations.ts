/**
 * Invitations a test participant receives (a room calling it in after someone's REFER
 * method=INVITE): answered by its policy ('accept', 'decline'), or kept ringing for the test's
 * `expectInvitation()` ('ask'), each recorded with what became of it.
 *
 * @module
 */
import type { RoomHandle } from '../chat/backend.ts'
import type { RoomInvitation } from '../chat/room-invitation.ts'
import { ExpectationError } from './message-expectations.ts'

/** What a participant does with an invitation. */
export type InvitationAnswerPolicy = 'accept' | 'decline' | 'ask'

/** One invitation a participant received, and what became of it. */
export interface InvitationRecord {
  room: string
  by: string | undefined
  answer: 'accepted' | 'declined' | 'ringing' | 'failed'
}

/** What the invitations of a participant need from it. */
export interface InvitedParticipant {
  /** Its name (in error messages). */
  readonly name: string
  /** The nickname it joins under when an invitation's accept names none. */
  readonly nickname: string | undefined
  /** It is in this room now (an invitation was accepted). */
  entered(room: RoomHandle): void
}

/** The invitation side of a test participant. */
export class ParticipantInvitations {
  /** Every invitation received, with what became of it. */
  readonly records: InvitationRecord[] = []
  /** What it does with invitations from now on. */
  policy: InvitationAnswerPolicy
  readonly #participant: InvitedParticipant
  /** Invitations that rang and were not taken by `expectInvitation()` yet. */
  readonly #ringing: RoomInvitation[] = []
  #waiters: Array<(invitation: RoomInvitation) => void> = []

  constructor(participant: InvitedParticipant, policy: InvitationAnswerPolicy = 'ask') {
    this.#participant = participant
    this.policy = policy
  }

  /** Applies the policy ('accept', 'decline') or keeps the invitation ringing for {@link expect}. */
  receive(invitation: RoomInvitation): void {
    const record: InvitationRecord = { room: invitation.room, by: invitation.by, answer: 'ringing' }
    this.records.push(record)
    const participant = this.#participant
    const tracked: RoomInvitation = {
      room: invitation.room,
      by: invitation.by,
      accept: async (options = {}) => {
        try {
          const room = await invitation.accept({ nickname: options.nickname ?? participant.nickname })
          participant.entered(room)
          record.answer = 'accepted'
          return room
        } catch (error) {
          record.answer = 'failed'
          throw error
        }
      },
      decline: (status) => {
        record.answer = 'declined'
        invitation.decline(status)
      },
      get answered() {
        return invitation.answered
      },
    }
    if (this.policy === 'accept') void tracked.accept().catch(() => undefined)
    else if (this.policy === 'decline') tracked.decline()
    else {
      const waiter = this.#waiters.shift()
      if (waiter !== undefined) waiter(tracked)
      else this.#ringing.push(tracked)
    }
  }

  /**
   * Resolves with the next invitation that rings (one already ringing first); rejects after
   * `timeoutMs` (5 s).
   */
  expect(options: { timeoutMs?: number } = {}): Promise<RoomInvitation> {
    const ringing = this.#ringing.shift()
    if (ringing !== undefined) return Promise.resolve(ringing)
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 5000
      const waiter = (invitation: RoomInvitation): void => {
        clearTimeout(timer)
        resolve(invitation)
      }
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        reject(new ExpectationError(`${this.#participant.name} got no invitation within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.push(waiter)
    })
  }
}
