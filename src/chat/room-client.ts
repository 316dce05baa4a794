/**
 * One chat room as the bot is in it (RFC 7701): the INVITE session with the focus, its MSRP
 * session, the RFC 4575 roster subscription, and the {@link RoomHandle} the bot layer uses.
 * This file holds the room's life (joining, leaving, the focus's BYE, suspending and
 * re-joining) and the events it lets through; the jobs it hands out live next to it:
 * `join-error.ts`, `roster-subscription.ts`, `held-joins.ts`, `room-inbound.ts`,
 * `room-sending.ts`, `room-moderation.ts` and `rejoin-schedule.ts`.
 *
 * Named states: `joining` → `joined` ⇄ `suspended` (connection lost, waiting to re-join) →
 * `left` (the bot left) or `closed` (the focus ended it).
 *
 * @module
 */
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import type { SipResponse } from '../sip/message.ts'
import { Inviter } from '../sip/ua/inviter.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import type { Session } from '../sip/ua/session.ts'
import type { Subscriber } from '../sip/ua/subscriber.ts'
import type { UserAgent } from '../sip/ua/user-agent.ts'
import { MsrpBotError } from '../errors.ts'
import { nextTurn, type Clock } from '../clock.ts'
import type { BasicLogger } from '../logger.ts'
import { sameIdentity } from '../rooms/identity.ts'
import { byeMeaning } from '../rooms/bye-reason.ts'
import { NicknameError, SendError, errorCode } from './backend-errors.ts'
import type { Backoff } from './backoff.ts'
import { BackendErrorCode } from './backend.ts'
import { TESTING, type RoomClientTesting } from './testing-hooks.ts'
import type { BackendEvent, OutgoingContent, Participant, RoomClosedReason, RoomFile, RoomHandle, SendReceipt } from './backend.ts'
import { toNicknameError } from './error-mapping.ts'
import { HeldJoins } from './held-joins.ts'
import { JoinError, toJoinError, transientStatus } from './join-error.ts'
import type { MsrpDialer } from './msrp-dialer.ts'
import { RejoinSchedule } from './rejoin-schedule.ts'
import { deliverInbound, type InboundRoom } from './room-inbound.ts'
import { RoomMedia } from './room-media.ts'
import { inviteToRoom, removeParticipant, setMuted, type ModeratedRoom } from './room-moderation.ts'
import { RoomRoster } from './room-roster.ts'
import { sendChat, sendComposing, type SendingRoom } from './room-sending.ts'
import { subscribeRoster } from './roster-subscription.ts'
import type { StepRunner } from './step-guard.ts'

export { JoinError } from './join-error.ts'

/** Where a room logs: the shared plain-text logger (any bot `Logger` or `console` fits). */
export type ChatLogger = BasicLogger

/** What a room needs from the backend that owns it. */
export interface RoomHost {
  readonly ua: UserAgent
  /** The bot's own URI. */
  readonly self: string
  readonly displayName: string | undefined
  readonly dialer: MsrpDialer
  readonly clock: Clock
  readonly log: ChatLogger
  readonly msrpTimeoutMs: number | undefined
  /** How long a room whose MSRP session broke waits for the focus's BYE before re-joining. */
  readonly mediaGraceMs: number
  /** Ask for MSRP success REPORTs and resolve sends only once they arrived (RFC 4975 §7.1.1). */
  readonly successReports: boolean
  /** How long a join without a nickname is held for the nickname to follow (0: not held). */
  readonly joinNicknameWaitMs: number
  /** How long join() waits for the first roster NOTIFY after the SUBSCRIBE was accepted. */
  readonly rosterWaitMs: number
  /** Whether signalling is up (false while reconnecting). */
  online(): boolean
  /** Queues an event for the bot (in order). */
  emit(event: BackendEvent): void
  /** The SIP connection seems gone: reconnect everything. */
  connectionLost(error: Error): void
  /** The room ended on the focus's side. */
  roomClosed(room: RoomClient, reason: RoomClosedReason): void
  /** Counts work in flight (for `settled()` in tests). */
  track<T>(work: Promise<T>): Promise<T>
  /**
   * Runs one SIP or MSRP step of joining (INVITE, MSRP connect and bind, NICKNAME, SUBSCRIBE)
   * under a deadline; the step is abandoned when a SIP connection closes.
   */
  step: StepRunner
  /** A fresh reconnect backoff, for a room that re-joins on its own while signalling is up. */
  newBackoff(): Backoff
}

const noop = (): void => undefined

/** Named states of a {@link RoomClient}. */
export type RoomClientState = 'joining' | 'joined' | 'suspended' | 'left' | 'closed'

/** A room the bot is in. Created by `SipChatBackend.join`. */
export class RoomClient implements RoomHandle {
  readonly uri: string
  readonly #host: RoomHost
  readonly #roster = new RoomRoster()
  #state: RoomClientState = 'joining'
  #nickname: string | undefined
  /** The nickname to restore after a reconnect. */
  #wantedNickname: string | undefined
  #media: RoomMedia | undefined
  #session: Session | undefined
  #subscriber: Subscriber | undefined
  #released = false
  #buffer: BackendEvent[] = []
  #byeReason: string | undefined
  /** Why the focus ended our session, once known (removed, room closed). */
  #closedReason: RoomClosedReason | undefined
  /** Told at once when the room is gone (see RoomHandle.onClosed). */
  readonly #closedListeners = new Set<(reason: RoomClosedReason) => void>()
  /** A re-join scheduled while signalling is up (after a failed one). */
  readonly #rejoin: RejoinSchedule
  #generation = 0
  readonly #heldJoins: HeldJoins
  /** Wall-clock time the current session was asked for: older messages are history replays. */
  #openedAt = 0
  /** The focus's INVITE to answer instead of sending ours, for the next `open` only. */
  #invitation: Invitation | undefined
  /** This room as its sends and moderation requests see it. */
  readonly #sending: SendingRoom
  readonly #moderated: ModeratedRoom
  /** This room as an inbound message sees it. */
  readonly #inbound: InboundRoom

  constructor(host: RoomHost, uri: string) {
    this.#host = host
    this.uri = uri
    const track = (work: Promise<void>): void => void host.track(work)
    this.#heldJoins = new HeldJoins({
      uri,
      clock: host.clock,
      get waitMs() {
        return host.joinNicknameWaitMs
      },
      track,
      find: (participantUri) => this.#roster.find(participantUri),
      emit: (event) => this.#emit(event),
    })
    this.#rejoin = new RejoinSchedule({
      uri,
      clock: host.clock,
      log: host.log,
      online: () => host.online(),
      suspended: () => this.#state === 'suspended',
      rejoin: () => this.rejoin(),
      track,
      newBackoff: () => host.newBackoff(),
    })
    this.#sending = { uri, self: host.self, displayName: host.displayName, successReports: host.successReports, closedReason: () => this.#closedReason }
    this.#moderated = {
      uri,
      get ua() {
        return host.ua
      },
      self: host.self,
      track: (work) => host.track(work),
      step: host.step,
      assertLive: () => void this.#live(),
      session: () => this.#session,
    }
    this.#inbound = {
      uri,
      self: host.self,
      log: host.log,
      openedAt: () => this.#openedAt,
      nicknameOf: (participantUri) => this.#roster.find(participantUri)?.nickname,
      flushHeldJoin: (participantUri) => this.#heldJoins.flush(participantUri),
      emit: (event) => this.#emit(event),
    }
  }

  /** Current state. */
  get state(): RoomClientState {
    return this.#state
  }

  get nickname(): string | undefined {
    return this.#nickname
  }

  get participants(): readonly Participant[] {
    return this.#roster.participants
  }

  get files(): readonly RoomFile[] {
    return this.#roster.files
  }

  #setState(next: RoomClientState): void {
    if (next === this.#state) return
    this.#host.log.debug(`room ${this.uri}: ${this.#state} -> ${next}`)
    this.#state = next
  }

  // ---- joining ---------------------------------------------------------------------------

  /**
   * Enters the room by accepting the focus's INVITE (an invitation, RFC 4579 §5.5) instead of
   * sending one; the rest (MSRP session, nickname, roster) is as in {@link open}.
   */
  accept(invitation: Invitation, nickname: string | undefined): Promise<void> {
    this.#invitation = invitation
    return this.open(nickname)
  }

  /**
   * Enters the room: INVITE with the MSRP offer, MSRP session, roster subscription, then the
   * nickname. A refused nickname rejects with a NicknameError carrying this live room.
   */
  async open(nickname: string | undefined): Promise<void> {
    const generation = ++this.#generation
    this.#openedAt = Date.now()
    this.#byeReason = undefined
    const { ua } = this.#host
    const media = new RoomMedia({ dialer: this.#host.dialer, localHost: ua.localAddress.address, transactionTimeoutMs: this.#host.msrpTimeoutMs, step: this.#host.step })
    this.#media = media
    const invitation = this.#invitation
    this.#invitation = undefined
    let session: Session
    try {
      if (invitation !== undefined) {
        // The focus called us in (RFC 4579 §5.5 after someone's REFER): its INVITE carries the
        // room's offer; we answer a=setup:active and connect, as when we join ourselves.
        const answer = media.answer(invitation.remoteSdp)
        if (typeof answer !== 'string') {
          invitation.reject(488)
          throw answer
        }
        session = await this.#host.step(`accepting the invitation to ${this.uri}`, invitation.accept(answer))
      } else {
        const inviter = new Inviter(ua, this.uri, { sdp: media.offer() })
        session = await this.#host.step(`INVITE ${this.uri}`, inviter.invite(), {
          // RFC 3261 §9.1: a given-up INVITE is CANCELled; one answered all the same is hung up.
          onAbandon: (late) => {
            inviter.cancel()
            void late.then((s) => s.bye(), noop).catch(noop)
          },
        })
      }
    } catch (error) {
      await media.close()
      throw toJoinError(this.uri, error)
    }
    if (generation !== this.#generation) {
      // The room was suspended or left while the INVITE was out: this session is nobody's.
      void session.bye().catch(noop)
      await media.close()
      throw new JoinError(this.uri, 'the join was abandoned while the INVITE was answered (the connection was lost or the room left)')
    }
    this.#session = session
    // Read the focus's BYE ourselves (Reason header) before the session handles it.
    ua.core.addDialog(session.dialog, (incoming) => this.#inDialog(incoming, session))
    session.on('terminated', (reason) => {
      if (reason === 'remote-bye' && generation === this.#generation) void this.#host.track(this.#remoteBye())
    })
    // Listen before connecting: a focus may speak right after the bind SEND (SylkServer's
    // welcome follows its 200 at once, often in the same TCP segment, before connect() resumes).
    media.on('message', (message) => deliverInbound(message, this.#inbound))
    try {
      await media.connect(session.remoteSdp)
      this.#assertCurrent(generation)
    } catch (error) {
      await this.#abandonOpen(generation)
      throw new JoinError(this.uri, `the MSRP session did not come up (${(error as Error).message})`, { cause: error })
    }
    media.on('lost', (error) => {
      if (generation === this.#generation) this.#mediaLost(error)
    })
    // The nickname first (RFC 7701 §7), so the roster's full state already shows it.
    this.#nickname = undefined
    let refused: NicknameError | undefined
    if (nickname !== undefined) {
      try {
        await media.setNickname(nickname)
        this.#assertCurrent(generation)
        this.#nickname = nickname
        // Only a nickname the focus confirmed is restored after a reconnect.
        this.#wantedNickname = nickname
      } catch (error) {
        const mapped = toNicknameError(error, nickname, this)
        // Only a refusal (425, 424 ...) leaves us in the room without a nickname; a lost
        // connection or a timeout fails the join, so a reconnect tries again with the nickname.
        if (!(mapped instanceof NicknameError)) {
          await this.#abandonOpen(generation)
          throw new JoinError(this.uri, `the NICKNAME request got no answer (${(error as Error).message})`, { cause: error })
        }
        refused = mapped
      }
    }
    try {
      await this.#subscribe(generation)
      this.#assertCurrent(generation)
    } catch (error) {
      await this.#abandonOpen(generation)
      throw toJoinError(this.uri, error)
    }
    this.#setState('joined')
    this.#rejoin.joined()
    if (refused !== undefined) throw refused
  }

  /** Throws when a newer join or a teardown took over while `open()` awaited. */
  #assertCurrent(generation: number): void {
    if (generation !== this.#generation) throw new JoinError(this.uri, 'the join was abandoned (the connection was lost or the room left)')
  }

  /** Undoes a join that failed half way: hang up (bounded) and close the MSRP session. */
  async #abandonOpen(generation: number): Promise<void> {
    if (generation !== this.#generation) return // a teardown already cleaned up
    await this.#teardown(this.#host.online())
  }

  async #subscribe(generation: number): Promise<void> {
    const { subscriber, ready } = subscribeRoster({
      uri: this.uri,
      host: this.#host,
      roster: this.#roster,
      isCurrent: () => generation === this.#generation,
      onChange: (change) => this.#heldJoins.change(change),
    })
    this.#subscriber = subscriber
    await ready
  }

  // ---- events to the bot -----------------------------------------------------------------

  /** Lets buffered events through (after `join()` resolved, contract rule 3a). */
  release(): void {
    if (this.#released) return
    this.#released = true
    const buffered = this.#buffer
    this.#buffer = []
    for (const event of buffered) this.#host.emit(this.#named(event))
  }

  /**
   * A message that arrived before the roster did (the room's history comes first thing) gets
   * its sender's nickname from the roster now, when the sender is still in the room.
   */
  #named(event: BackendEvent): BackendEvent {
    if (event.type !== 'message' || event.sender.nickname !== undefined) return event
    const nickname = this.#roster.find(event.sender.uri)?.nickname
    return nickname === undefined ? event : { ...event, sender: { ...event.sender, nickname } }
  }

  #emit(event: BackendEvent): void {
    if (this.#state === 'left' || this.#state === 'closed') return
    if (this.#released) this.#host.emit(event)
    else this.#buffer.push(event)
  }

  // ---- the focus ends it ----------------------------------------------------------------

  #inDialog(incoming: IncomingRequest, session: Session): void {
    if (incoming.method === 'BYE') this.#byeReason = incoming.message.headers.get('Reason')
    session.handle(incoming)
  }

  /**
   * The focus hung up: its BYE's Reason (RFC 3326, see bye-reason.ts) says whether we were
   * removed, the room was closed, the server is going away (come back later) or the MSRP
   * session failed (join again). A focus that sends no Reason (SylkServer) gets an OPTIONS to
   * the room (RFC 3261 §11): a room that still answers means we were removed, else it closed.
   */
  async #remoteBye(): Promise<void> {
    if (this.#state === 'left' || this.#state === 'closed') return
    const reason = this.#byeReason
    const meaning = byeMeaning(reason)
    await this.#teardown(false)
    switch (meaning) {
      case 'kicked':
        return this.#close('kicked')
      case 'closed':
        return this.#close('closed')
      case 'restarting':
        this.#setState('suspended')
        this.#host.connectionLost(new MsrpBotError('FOCUS_RESTARTING', `the focus of ${this.uri} is shutting down (${reason ?? ''})`))
        return
      case 'media-failed':
        this.#setState('suspended')
        this.#rejoin.schedule(0)
        return
      case 'unknown':
        break
    }
    let response: SipResponse
    try {
      response = await this.#host.step(`OPTIONS ${this.uri}`, this.#host.ua.sendRequest(this.#host.ua.createRequest('OPTIONS', this.uri)))
    } catch (error) {
      this.#setState('suspended')
      this.#host.connectionLost(error as Error)
      return
    }
    this.#close(response.status < 300 ? 'kicked' : 'closed')
  }

  #close(reason: RoomClosedReason): void {
    if (this.#state === 'left' || this.#state === 'closed') return
    this.#closedReason = reason
    // Before the event, which may wait behind a handler that awaits a send to this room.
    for (const listener of this.#closedListeners) {
      try {
        listener(reason)
      } catch (error) {
        this.#host.log.warn(`room ${this.uri}: a room-closed listener threw: ${String(error)}`)
      }
    }
    // The closing event goes out even before release: the bot must learn the handle is dead.
    this.release()
    this.#host.emit({ type: 'room-closed', room: this.uri, reason })
    this.#setState('closed')
    this.#host.roomClosed(this, reason)
  }

  /** The MSRP session broke while SIP may still be up: wait for the focus's BYE, else re-join. */
  #mediaLost(error: Error | undefined): void {
    if (this.#state !== 'joined') return
    this.#host.log.warn(`room ${this.uri}: MSRP session lost (${error?.message ?? 'closed'})`)
    this.#setState('suspended')
    this.#rejoin.schedule(this.#host.mediaGraceMs)
  }

  /**
   * Re-joins after `delayMs` while signalling is up, and again after a backoff for as long as
   * that fails for a reason that may pass (a room closed or a removal ends it). A lost SIP

  /** The hooks the backend's fault injection uses (see testing-hooks.ts). */
  get [TESTING](): RoomClientTesting {
    return { dropMedia: () => this.#media?.drop() }
  }

  // ---- reconnecting ----------------------------------------------------------------------

  /** Drops the session locally after the connection was lost (no BYE: the focus is unreachable). */
  async suspend(): Promise<void> {
    if (this.#state === 'left' || this.#state === 'closed') return
    this.#setState('suspended')
    await this.#teardown(false)
  }

  /**
   * Enters the room again after a reconnect, with the nickname it had. A room the focus no
   * longer has (404) is closed; a nickname now taken leaves the bot in without one (logged).
   */
  async rejoin(): Promise<void> {
    if (this.#state !== 'suspended') return
    await this.#teardown(false)
    try {
      await this.open(this.#wantedNickname)
      this.#host.log.info(`room ${this.uri}: re-joined${this.#nickname === undefined ? '' : ` as ${this.#nickname}`}`)
    } catch (error) {
      const code = errorCode(error)
      if (code === BackendErrorCode.nicknameTaken || code === BackendErrorCode.nicknameInvalid) {
        this.#host.log.warn(`room ${this.uri}: re-joined, but the nickname "${this.#wantedNickname}" is no longer available`)
        return
      }
      const status = (error as { statusCode?: number }).statusCode
      if (status !== undefined && status >= 400 && !transientStatus(status)) {
        this.#close('closed')
        return
      }
      this.#setState('suspended')
      throw error
    }
  }

  async #teardown(sendBye: boolean): Promise<void> {
    this.#generation++
    this.#heldJoins.drop()
    this.#rejoin.cancel()
    const session = this.#session
    const subscriber = this.#subscriber
    const media = this.#media
    this.#session = undefined
    this.#subscriber = undefined
    this.#media = undefined
    const live = session !== undefined && (session.state === 'established' || session.state === 'waiting-for-ack')
    if (sendBye) {
      // Goodbyes are bounded like every other step: a leave never hangs on a dead connection.
      await Promise.allSettled([
        subscriber === undefined ? undefined : this.#host.step(`un-SUBSCRIBE ${this.uri}`, subscriber.unsubscribe()),
        live ? this.#host.step(`BYE ${this.uri}`, session.bye()) : undefined,
      ])
    } else if (live) {
      // Best effort, not awaited: the connection may be gone, but a focus that is still up (a
      // join abandoned half way, a reconnect attempt that failed on another room) drops our
      // leg now instead of keeping a nameless one in the roster until its MSRP bind timeout.
      void this.#host.step(`BYE ${this.uri}`, session.bye()).catch(noop)
    }
    // Forget the dialogs locally (they are dead or ended). Without a BYE (connection lost) the
    // un-SUBSCRIBE is best effort: it may clear a stale subscription on a focus that is still
    // up, but nothing waits for it (a request caught in a dying connection waits 64*T1).
    if (subscriber !== undefined) {
      subscriber.removeAllListeners()
      if (sendBye) await this.#host.step(`un-SUBSCRIBE ${this.uri}`, subscriber.dispose()).catch(noop)
      else void subscriber.dispose().catch(() => undefined)
    }
    if (session !== undefined && session.state !== 'terminated') {
      session.dialog.terminate()
      try {
        this.#host.ua.core.removeDialog(session.dialog)
      } catch {
        // UA stopped
      }
    }
    await media?.close()
  }

  // ---- RoomHandle ------------------------------------------------------------------------

  send(content: OutgoingContent): Promise<SendReceipt> {
    return this.#host.track(this.#send(content, undefined))
  }

  sendPrivate(participantUri: string, content: OutgoingContent): Promise<SendReceipt> {
    return this.#host.track(this.#send(content, participantUri))
  }

  #live(): RoomMedia {
    const media = this.#media
    if (this.#state === 'left' || this.#state === 'closed') {
      const why = this.#closedReason === 'kicked' ? 'removed by a moderator' : this.#closedReason === 'closed' ? 'the room was closed' : this.#state
      throw new SendError('disconnected', `the bot is no longer in ${this.uri} (${why}); it does not re-join by itself`)
    }
    if (this.#state !== 'joined' || media === undefined || !this.#host.online()) {
      throw new SendError('disconnected', `not connected to ${this.uri} right now (reconnecting); the message was not sent`)
    }
    return media
  }

  async #send(content: OutgoingContent, to: string | undefined): Promise<SendReceipt> {
    return sendChat(this.#live(), this.#sending, content, to)
  }

  setNickname(nickname: string): Promise<void> {
    return this.#host.track(
      (async () => {
        const media = this.#live()
        try {
          await media.setNickname(nickname)
        } catch (error) {
          throw toNicknameError(error, nickname)
        }
        this.#nickname = nickname
        this.#wantedNickname = nickname
        // The focus accepted it: our own roster entry shows it now, not at the next NOTIFY.
        this.#roster.setOwnNickname(this.#host.self, nickname)
        // A join that failed on its nickname handed this room to the bot: events may flow now.
        nextTurn(() => this.release())
      })(),
    )
  }

  async sendComposing(active: boolean): Promise<void> {
    return sendComposing(this.#live(), this.#sending, active, (work) => this.#host.track(work))
  }

  removeParticipant(participantUri: string): Promise<void> {
    return removeParticipant(this.#moderated, participantUri)
  }

  invite(uri: string): Promise<void> {
    return this.#host.track(inviteToRoom(this.#moderated, uri))
  }

  setMuted(participantUri: string, muted: boolean): Promise<void> {
    return setMuted(this.#moderated, participantUri, muted)
  }

  /** Leaves: unsubscribe, BYE, close MSRP. Idempotent; never rejects. */
  async leave(): Promise<void> {
    if (this.#state === 'left' || this.#state === 'closed') return
    const wasJoined = this.#state === 'joined'
    this.#setState('left')
    await this.#host.track(this.#teardown(wasJoined && this.#host.online()))
    this.#host.roomClosed(this, 'closed')
  }

  onClosed(listener: (reason: RoomClosedReason) => void): () => void {
    this.#closedListeners.add(listener)
    return () => this.#closedListeners.delete(listener)
  }

  /** True when `uri` is this room. */
  is(uri: string): boolean {
    return sameIdentity(uri, this.uri)
  }
}
