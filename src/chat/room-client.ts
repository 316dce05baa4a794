/**
 * One chat room as the bot is in it (RFC 7701): the INVITE session with the focus, its MSRP
 * session, the RFC 4575 roster subscription, and the {@link RoomHandle} the bot layer uses.
 *
 * Named states: `joining` → `joined` ⇄ `suspended` (connection lost, waiting to re-join) →
 * `left` (the bot left) or `closed` (the focus ended it).
 *
 * @module
 */
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import type { SipResponse } from '../sip/message.ts'
import { SipResponseError } from '../sip/ua/errors.ts'
import { Inviter } from '../sip/ua/inviter.ts'
import { newCallId, newTag } from '../sip/ids.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import type { Session } from '../sip/ua/session.ts'
import { Subscriber } from '../sip/ua/subscriber.ts'
import type { UserAgent } from '../sip/ua/user-agent.ts'
import { MsrpBotError } from '../errors.ts'
import { nextTurn, type Clock } from '../clock.ts'
import type { BasicLogger } from '../logger.ts'
import { sameIdentity, identityKeyOrText } from '../rooms/identity.ts'
import { byeMeaning } from '../rooms/bye-reason.ts'
import { MODERATION_TYPE } from '../rooms/content-types.ts'
import { buildModerationRequest } from '../rooms/moderation.ts'
import { InvitationError, NicknameError, SendError, errorCode } from './backend-errors.ts'
import type { Backoff } from './backoff.ts'
import { BackendErrorCode } from './backend.ts'
import { TESTING, type RoomClientTesting } from './testing-hooks.ts'
import type { BackendEvent, OutgoingContent, Participant, RoomClosedReason, RoomFile, RoomHandle, SendReceipt } from './backend.ts'
import { buildChatCpim, buildComposingCpim, decodeChatMessage, newMessageId } from '../rooms/chat-message.ts'
import { contentOf } from '../rooms/content.ts'
import { isDisconnect, toModerationError, toNicknameError, toSendError } from './error-mapping.ts'
import type { MsrpDialer } from './msrp-dialer.ts'
import { RoomMedia } from './room-media.ts'
import { RoomRoster } from './room-roster.ts'
import type { RosterChange } from './room-roster.ts'
import { StepAbortedError } from './step-guard.ts'
import type { StepRunner } from './step-guard.ts'
import type { IncomingMsrpMessage } from '../msrp/session.ts'


/**
 * How much older than the join a message's DateTime must be to count as history (clock skew
 * between the sender's machine and ours is forgiven up to this much).
 */
const HISTORY_SKEW_MS = 2000

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

/** Error thrown when a room cannot be entered (INVITE refused, media failed). */
export class JoinError extends MsrpBotError {
  /** SIP status of the refusal, if the focus answered. */
  readonly statusCode: number | undefined
  constructor(room: string, detail: string, options?: { statusCode?: number | undefined; cause?: unknown }) {
    super('JOIN_FAILED', `cannot join ${room}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause })
    this.statusCode = options?.statusCode
  }
}

function joinHint(status: number): string {
  switch (status) {
    case 403: return 'the focus refused the bot (403): check that it may enter this room'
    case 404: return 'no such room (404): check the room URI'
    case 486: case 600: return `the room is full or busy (${status})`
    case 488: case 606: return `the focus did not accept the MSRP offer (${status})`
    default: return `the focus answered ${status}`
  }
}

/**
 * Whether a refused INVITE may succeed later: a timeout, a focus that is overloaded or
 * restarting (408, 480, 5xx but 501). Other refusals (403, 404, 486 ...) are final.
 */
function transientStatus(status: number): boolean {
  return status === 408 || status === 480 || (status >= 500 && status !== 501)
}

function toJoinError(room: string, error: unknown): JoinError {
  if (error instanceof JoinError) return error
  if (error instanceof SipResponseError) return new JoinError(room, joinHint(error.status), { statusCode: error.status, cause: error })
  const code = (error as { code?: string }).code
  if (isDisconnect(error) || code?.startsWith('SIP_TRANSACTION') || code?.startsWith('CHAT_STEP')) {
    return new JoinError(room, `no answer from the focus (${(error as Error).message})`, { cause: error })
  }
  return new JoinError(room, (error as Error).message, { cause: error })
}

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
  /** A re-join scheduled while signalling is up (after a failed one), with what ends its wait. */
  #rejoinTimer: { timer: unknown; release: () => void } | undefined
  #rejoinBackoff: Backoff | undefined
  #generation = 0
  readonly #heldJoins = new Map<string, { timer: unknown; release: () => void }>()
  /** Wall-clock time the current session was asked for: older messages are history replays. */
  #openedAt = 0
  /** The focus's INVITE to answer instead of sending ours, for the next `open` only. */
  #invitation: Invitation | undefined

  constructor(host: RoomHost, uri: string) {
    this.#host = host
    this.uri = uri
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
    media.on('message', (message) => this.#inbound(message))
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
    this.#rejoinBackoff?.reset()
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
    const subscriber = new Subscriber(this.#host.ua, this.uri, 'conference', { accept: ['application/conference-info+xml'], expires: 600 })
    this.#subscriber = subscriber
    this.#roster.restart()
    subscriber.on('notify', (n) => {
      if (generation !== this.#generation || n.body.length === 0) return
      const update = this.#roster.apply(n.body)
      if (update.kind === 'resubscribe') {
        this.#host.log.debug(`room ${this.uri}: roster ${update.reason}; refreshing the subscription for a full state (RFC 4575 §4.6)`)
        this.#roster.restart()
        subscriber.refresh().catch((error: unknown) => this.#host.log.warn(`room ${this.uri}: roster refresh failed: ${String(error)}`))
        return
      }
      if (update.kind === 'ignored') {
        this.#host.log.debug(`room ${this.uri}: roster NOTIFY ignored (${update.reason})`)
        return
      }
      for (const change of update.changes) this.#rosterChange(change)
    })
    try {
      await this.#host.step(`SUBSCRIBE ${this.uri}`, subscriber.subscribe())
      // RFC 4575 §4.2: the first NOTIFY carries the full roster; wait for it (bounded), so
      // `participants` is filled when join() resolves.
      if (!this.#roster.seeded) await this.#firstRoster(subscriber)
    } catch (error) {
      // A lost connection fails the join (the reconnect tries again) ...
      if (error instanceof StepAbortedError) throw error
      // ... but the roster is a nicety: a focus without the conference package still carries chat.
      this.#host.log.warn(`room ${this.uri}: roster subscription failed (${(error as Error).message}); join/leave events will be missing`)
    }
  }

  #firstRoster(subscriber: Subscriber): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#host.clock.clearTimeout(timer)
        subscriber.off('notify', check)
        subscriber.off('terminated', done)
        resolve()
      }
      const check = (): void => {
        if (this.#roster.seeded) done()
      }
      const timer = this.#host.clock.setTimeout(done, this.#host.rosterWaitMs)
      subscriber.on('notify', check)
      subscriber.on('terminated', done)
    })
  }

  /**
   * RFC 7701 joins come in two steps: the INVITE adds a participant without a nickname, the
   * NICKNAME request names it a moment later. A join without a nickname is held until the
   * nickname comes (then one `join` with it, no `nickname` event), the participant leaves (then
   * nothing), or `joinNicknameWaitMs` passes (then the bare `join`).
   */
  #rosterChange(change: RosterChange): void {
    const key = identityKeyOrText(change.participant.uri)
    const held = this.#heldJoins.get(key)
    if (change.type === 'join' && change.participant.nickname === undefined && this.#host.joinNicknameWaitMs > 0) {
      let release!: () => void
      const settledHold = new Promise<void>((resolve) => (release = resolve))
      const timer = this.#host.clock.setTimeout(() => {
        this.#heldJoins.delete(key)
        release()
        this.#emit({ ...change, room: this.uri })
      }, this.#host.joinNicknameWaitMs)
      this.#heldJoins.set(key, { timer, release })
      void this.#host.track(settledHold)
      return
    }
    if (held !== undefined) {
      this.#host.clock.clearTimeout(held.timer)
      this.#heldJoins.delete(key)
      held.release()
      if (change.type === 'nickname') this.#emit({ type: 'join', room: this.uri, participant: change.participant })
      if (change.type === 'join') this.#emit({ ...change, room: this.uri })
      return
    }
    this.#emit({ ...change, room: this.uri })
  }

  #flushHeldJoin(uri: string): void {
    const key = identityKeyOrText(uri)
    const held = this.#heldJoins.get(key)
    if (held === undefined) return
    this.#host.clock.clearTimeout(held.timer)
    this.#heldJoins.delete(key)
    held.release()
    const participant = this.#roster.find(uri)
    if (participant !== undefined) this.#emit({ type: 'join', room: this.uri, participant })
  }

  #dropHeldJoins(): void {
    for (const held of this.#heldJoins.values()) {
      this.#host.clock.clearTimeout(held.timer)
      held.release()
    }
    this.#heldJoins.clear()
  }

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

  // ---- inbound ---------------------------------------------------------------------------

  #inbound(message: IncomingMsrpMessage): void {
    const decoded = decodeChatMessage(message, { self: this.#host.self, room: this.uri, now: new Date() })
    if (decoded.kind === 'ignored') {
      this.#host.log.debug(`room ${this.uri}: inbound message ignored (${decoded.reason})`)
      return
    }
    if (decoded.kind === 'notice') {
      this.#emit({ type: 'notice', room: this.uri, text: decoded.text, notice: decoded.notice, timestamp: decoded.timestamp })
      return
    }
    // Someone who speaks before naming themselves: their held join goes out first (rule 3: order).
    this.#flushHeldJoin(decoded.senderUri)
    const sender = { uri: decoded.senderUri, nickname: this.#roster.find(decoded.senderUri)?.nickname ?? decoded.senderName }
    if (decoded.kind === 'composing') {
      this.#emit({ type: 'composing', room: this.uri, private: decoded.private, sender, active: decoded.active })
      return
    }
    this.#emit({
      type: 'message',
      room: this.uri,
      private: decoded.private,
      sender,
      contentType: decoded.contentType,
      body: decoded.body,
      timestamp: decoded.timestamp,
      messageId: decoded.messageId,
      ...(this.#isHistory(decoded) ? { history: true } : {}),
    })
  }

  /**
   * A public message the room replayed from before this session: marked so by the focus
   * (msrp-bot's history header, rooms/history.ts), or, from a focus that does not mark replays
   * (SylkServer), with a CPIM DateTime older than the session's start (beyond clock skew).
   */
  #isHistory(decoded: { private: boolean; history: boolean; timestamp: Date }): boolean {
    if (decoded.private) return false
    return decoded.history || decoded.timestamp.getTime() < this.#openedAt - HISTORY_SKEW_MS
  }

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
        this.#scheduleRejoin(0)
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
    this.#scheduleRejoin(this.#host.mediaGraceMs)
  }

  /**
   * Re-joins after `delayMs` while signalling is up, and again after a backoff for as long as
   * that fails for a reason that may pass (a room closed or a removal ends it). A lost SIP
   * connection hands over to the backend's reconnect, which suspends the room and cancels this.
   * The wait counts as work in flight, so a test's `settled()` waits for the room to be back.
   */
  #scheduleRejoin(delayMs: number): void {
    this.#cancelRejoin()
    let release!: () => void
    const waiting = new Promise<void>((resolve) => (release = resolve))
    const timer = this.#host.clock.setTimeout(() => {
      this.#rejoinTimer = undefined
      release()
      if (this.#state !== 'suspended' || !this.#host.online()) return
      void this.#host.track(
        this.rejoin().catch((error: unknown) => {
          if (this.#state !== 'suspended' || !this.#host.online()) return
          this.#rejoinBackoff ??= this.#host.newBackoff()
          const delay = this.#rejoinBackoff.next()
          this.#host.log.warn(`room ${this.uri}: re-join failed (${(error as Error).message}); trying again in ${delay} ms`)
          this.#scheduleRejoin(delay)
        }),
      )
    }, delayMs)
    this.#rejoinTimer = { timer, release }
    void this.#host.track(waiting)
  }

  #cancelRejoin(): void {
    const pending = this.#rejoinTimer
    if (pending === undefined) return
    this.#rejoinTimer = undefined
    this.#host.clock.clearTimeout(pending.timer)
    pending.release()
  }

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
    this.#dropHeldJoins()
    this.#cancelRejoin()
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
    const media = this.#live()
    const { contentType, body } = contentOf(content)
    const messageId = newMessageId()
    const cpim = buildChatCpim({ from: this.#host.self, displayName: this.#host.displayName, to: to ?? this.uri, contentType, body, messageId, now: new Date() })
    try {
      await media.send({ contentType: 'message/cpim', body: cpim, messageId, successReport: this.#host.successReports })
    } catch (error) {
      throw toSendError(error, { room: this.uri, to, closed: this.#closedReason })
    }
    return { messageId }
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
    const media = this.#live()
    const cpim = buildComposingCpim({ from: this.#host.self, displayName: this.#host.displayName, to: this.uri, messageId: newMessageId(), now: new Date(), active })
    try {
      await this.#host.track(media.send({ contentType: 'message/cpim', body: cpim }))
    } catch (error) {
      throw toSendError(error, { room: this.uri })
    }
  }

  removeParticipant(participantUri: string): Promise<void> {
    const target = participantUri.replace(/^<|>$/g, '').split(';', 1)[0] ?? participantUri
    // RFC 4579 §5.5: REFER to the conference URI with the participant's URI and the method=BYE
    // URI parameter. Some foci (SylkServer) read `method` only as a Refer-To header parameter,
    // which RFC 3515 §2.1's grammar allows as a generic-param (and a focus that does not know it
    // ignores), so it is written in both places. It goes out of dialog, to the room URI: a REFER
    // inside the chat session is a call transfer to some foci (SylkServer answers 202, then a
    // 500 sipfrag, and removes nobody). Refer-Sub: false (RFC 4488) asks for no implicit
    // subscription; a focus that sends its NOTIFYs anyway gets 481 for them.
    return this.#moderate('removing a participant', participantUri, {
      method: 'REFER',
      outOfDialog: true,
      headers: [['Refer-To', `<${target};method=BYE>;method=BYE`], ['Refer-Sub', 'false'], ['Supported', 'norefersub']],
    })
  }

  invite(uri: string): Promise<void> {
    return this.#host.track(this.#invite(uri))
  }

  /**
   * REFER method=INVITE out of dialog to the room (as for removal, see removeParticipant), and
   * the NOTIFYs of its implicit subscription (RFC 3515 §2.4.4), which arrive in the dialog the
   * 202 formed: caught by Call-ID and our tag. Bounded by the step deadline.
   */
  async #invite(uri: string): Promise<void> {
    this.#live()
    const { ua } = this.#host
    const target = uri.replace(/^<|>$/g, '').split(';', 1)[0] ?? uri
    const tag = newTag()
    const request = ua.createRequest('REFER', this.uri, { headers: [['Refer-To', `<${target};method=INVITE>`], ['Referred-By', `<${this.#host.self}>`]] })
    request.headers.set('From', `${request.headers.get('From')!};tag=${tag}`)
    const callId = newCallId()
    request.headers.set('Call-ID', callId)
    let settle: ((result: { status: number; reason: string }) => void) | undefined
    const outcome = new Promise<{ status: number; reason: string }>((resolve) => (settle = resolve))
    const stop = ua.expectNotify(callId, tag, (incoming) => {
      incoming.respond(200)
      const frag = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(incoming.message.body.toString('utf8'))
      const status = frag === null ? 0 : Number(frag[1])
      if (status >= 200) settle?.({ status, reason: frag![2]!.trim() })
      else if (/terminated/i.test(incoming.message.headers.get('Subscription-State') ?? '')) settle?.({ status: 500, reason: 'the focus ended the invitation without a result' })
    })
    try {
      let response: SipResponse
      try {
        response = await ua.sendRequest(request)
      } catch (error) {
        throw toModerationError(error, 'inviting', this.uri, target)
      }
      if (response.status === 403 || response.status === 405 || response.status === 501) throw toModerationError({ status: response.status, message: `${response.status} ${response.reason}` }, 'inviting', this.uri, target)
      // Any other refusal of the REFER (503: too many invitations ringing, 400 ...) fails this invitation.
      if (response.status >= 300) throw new InvitationError(target, this.uri, response.status, `the room refused the REFER: ${response.reason}`)
      const result = await this.#host.step(`invitation of ${target} to ${this.uri}`, outcome)
      if (result.status >= 300) throw new InvitationError(target, this.uri, result.status, result.reason)
    } finally {
      stop()
    }
  }

  setMuted(participantUri: string, muted: boolean): Promise<void> {
    return this.#moderate(muted ? 'mute' : 'unmute', participantUri, {
      method: 'MESSAGE',
      headers: [],
      body: buildModerationRequest({ action: muted ? 'mute' : 'unmute', target: participantUri }),
      contentType: MODERATION_TYPE,
    })
  }

  async #moderate(action: string, target: string, request: { method: string; outOfDialog?: boolean; headers: Array<readonly [string, string]>; body?: string; contentType?: string }): Promise<void> {
    this.#live()
    const session = this.#session
    if (session === undefined) throw new SendError('disconnected', `not connected to ${this.uri}`)
    const { ua } = this.#host
    let response: SipResponse
    try {
      const init = {
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
      }
      response = await this.#host.track(
        request.outOfDialog === true
          ? ua.sendRequest(ua.createRequest(request.method, this.uri, init))
          : ua.sendRequest(session.dialog.createRequest(request.method, init), { dialog: session.dialog }),
      )
    } catch (error) {
      throw toModerationError(error, action, this.uri, target)
    }
    if (response.status >= 300) throw toModerationError({ status: response.status, message: `${response.status} ${response.reason}` }, action, this.uri, target)
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
