/**
 * An in-memory {@link ChatBackend} for tests: a tiny room model where a test makes participants
 * join, speak (publicly or privately), type, rename and leave, and inspects what the bot sent.
 *
 * @example
 * ```ts
 * const backend = new FakeChatBackend({ uri: 'sip:echo@example.test' })
 * const bot = createBot({ uri: 'sip:echo@example.test' }, { backend, logger: silentLogger })
 * bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
 * await bot.start()
 * const lobby = backend.room('sip:lobby@chat.example.test')
 * await lobby.add('sip:alice@example.test', 'alice')
 * await bot.join(lobby.uri, { nickname: 'echo' })
 * await lobby.say('alice', 'hi')
 * assert.deepEqual(lobby.publicTexts(), ['you said: hi'])
 * ```
 *
 * @module
 */
import type { RoomInvitation } from '../chat/room-invitation.ts'
import { MsrpBotError } from '../errors.ts'
import { addressKey, isSipUri, sameAddress } from './address.ts'
import { ModerationError, NicknameError, ParticipantNotFoundError, SendError } from '../chat/backend-errors.ts'
import type {
  DirectAddress,
  DirectPath,
  BackendEvent,
  BackendListener,
  ChatBackend,
  JoinOptions,
  OutgoingContent,
  Participant,
  PresenceState,
  RoomClosedReason,
  RoomHandle,
  SendReceipt,
} from '../chat/backend.ts'

/** Something the bot sent, as the fake recorded it. */
export interface SentMessage {
  /** The room it went to. */
  readonly room: string
  /** True for `sendPrivate`. */
  readonly private: boolean
  /** For private messages: the recipient's URI. */
  readonly to: string | undefined
  readonly contentType: string
  readonly body: string | Uint8Array
  readonly messageId: string
}

/**
 * Decides the fate of each send before it is recorded: return to let it through, throw (e.g. a
 * `SendError('rate-limited', ...)`) to fail it. May be async, to hold a send in flight.
 * `attempt` counts offers of the same body to the same room and recipient (1 on the first).
 */
export type SendHook = (message: SentMessage, attempt: number) => void | Promise<void>

/** Options for {@link FakeChatBackend}. */
export interface FakeChatBackendOptions {
  /** The bot's URI. */
  uri: string
  /** Nicknames the fake refuses with 424 (default: empty, or leading/trailing spaces, or > 64 chars). */
  isValidNickname?: ((nickname: string) => boolean) | undefined
}

class NotStartedError extends MsrpBotError {
  constructor(method: string) {
    super('BACKEND_NOT_STARTED', `FakeChatBackend.${method}() before start() or after stop()`)
  }
}

const defaultValidNickname = (n: string): boolean => n.length > 0 && n.length <= 64 && n.trim() === n

function toContent(content: OutgoingContent): { contentType: string; body: string | Uint8Array } {
  return typeof content === 'string' ? { contentType: 'text/plain', body: content } : content
}

/** The in-memory model of one room; get it with `backend.room(uri)`. */
export class FakeRoom {
  /** The room URI. */
  readonly uri: string
  /** Everything the bot sent to this room, public and private, in order. */
  readonly sent: SentMessage[] = []
  /** Composing indications the bot sent (true = typing). */
  readonly composingSent: boolean[] = []
  /** Nicknames refused as taken (425) even though nobody holds them. */
  readonly reserved = new Set<string>()
  /** Whether the focus treats the bot as a moderator here (else kick/mute fail NOT_AUTHORIZED). */
  botIsModerator = true
  /** Whether the focus implements mute (else `setMuted` fails NOT_SUPPORTED). */
  muteSupported = true
  /** URIs of the participants currently muted by the bot. */
  readonly muted = new Set<string>()
  /** URIs the bot removed (kicked), in order. */
  readonly removed: string[] = []
  /** Whether the bot is in the room (join resolved, or a nickname accepted after a refused one). */
  botPresent = false
  /** Whether the bot's session exists (possibly still without a nickname). */
  botSession = false
  private readonly members = new Map<string, { uri: string; nickname: string | undefined; isBot?: boolean }>()
  private readonly backend: FakeChatBackend

  /** @internal use `backend.room(uri)` */
  constructor(uri: string, backend: FakeChatBackend) {
    this.uri = uri
    this.backend = backend
  }

  /** Current roster, including the bot once it joined. */
  get participants(): Participant[] {
    return [...this.members.values()].map((m) => ({ ...m }))
  }

  /** Makes a nickname unavailable (the focus answers 425 for it). */
  reserve(nickname: string): this {
    this.reserved.add(nickname)
    return this
  }

  /**
   * Adds a participant; emits 'join' if the bot is in the room. `isBot` is what the roster says
   * about them (true: a bot, false: a person; omitted: the focus does not say).
   */
  async add(uri: string, nickname?: string, options: { isBot?: boolean } = {}): Promise<void> {
    const participant = { uri, nickname, ...(options.isBot === undefined ? {} : { isBot: options.isBot }) }
    this.members.set(addressKey(uri), participant)
    if (this.botPresent) await this.backend.emit({ type: 'join', room: this.uri, participant: { ...participant } })
  }

  /** Removes a participant (by nickname or URI); emits 'leave' if the bot is in the room. */
  async remove(who: string): Promise<void> {
    const member = this.member(who)
    this.members.delete(addressKey(member.uri))
    if (this.botPresent) await this.backend.emit({ type: 'leave', room: this.uri, participant: { ...member } })
  }

  /** Renames a participant; emits 'nickname'. */
  async rename(who: string, nickname: string): Promise<void> {
    const member = this.member(who)
    const previousNickname = member.nickname
    member.nickname = nickname
    if (this.botPresent) {
      await this.backend.emit({ type: 'nickname', room: this.uri, participant: { ...member }, previousNickname })
    }
  }

  /**
   * A participant (nickname or URI) says something publicly. Resolves once the bot handled it.
   * `history: true` makes it a message the room replays from before the bot joined.
   */
  say(from: string, content: OutgoingContent, options?: { timestamp?: Date; messageId?: string; history?: boolean }): Promise<void> {
    return this.message(from, content, false, options)
  }

  /** A participant sends the bot a private message. Resolves once the bot handled it. */
  whisper(from: string, content: OutgoingContent, options?: { timestamp?: Date; messageId?: string }): Promise<void> {
    return this.message(from, content, true, options)
  }

  /** A participant starts (true) or stops (false) typing. */
  async composing(from: string, active: boolean, isPrivate = false): Promise<void> {
    const m = this.member(from)
    await this.backend.emit({
      type: 'composing',
      room: this.uri,
      private: isPrivate,
      sender: { uri: m.uri, nickname: m.nickname },
      active,
    })
  }

  /** The room itself says something (a welcome, "alice has joined"): a `notice`, not a message. */
  async notice(text: string, notice: 'status' | 'info' = 'info'): Promise<void> {
    await this.backend.emit({ type: 'notice', room: this.uri, text, notice, timestamp: new Date() })
  }

  /** Ends the room, or kicks the bot out of it. */
  async close(reason: RoomClosedReason = 'closed'): Promise<void> {
    this.botPresent = false
    this.botSession = false
    this.members.delete(addressKey(this.backend.uri))
    await this.backend.emit({ type: 'room-closed', room: this.uri, reason })
  }

  /** Bodies of the public text messages the bot sent here, in order. */
  publicTexts(): string[] {
    return this.sent.filter((m) => !m.private).map((m) => String(m.body))
  }

  /** Bodies of the private messages the bot sent to a participant (nickname or URI). */
  privateTexts(to: string): string[] {
    const uri = this.member(to).uri
    return this.sent.filter((m) => m.private && m.to !== undefined && sameAddress(m.to, uri)).map((m) => String(m.body))
  }

  /** The bot's own entry in the roster, if present. */
  get botNickname(): string | undefined {
    return this.members.get(addressKey(this.backend.uri))?.nickname
  }

  /** @internal */
  member(who: string): { uri: string; nickname: string | undefined } {
    const found = isSipUri(who)
      ? this.members.get(addressKey(who))
      : [...this.members.values()].find((m) => m.nickname === who)
    if (found === undefined) throw new ParticipantNotFoundError(who, this.uri)
    return found
  }

  /** @internal */
  hasMember(uri: string): boolean {
    return this.members.has(addressKey(uri))
  }

  /** @internal Checks a nickname request from the bot; throws NicknameError. */
  claimNickname(nickname: string, handle: RoomHandle | undefined): void {
    if (!this.backend.isValidNickname(nickname)) throw new NicknameError('invalid', nickname, { room: handle })
    const holder = [...this.members.values()].find((m) => m.nickname === nickname)
    if (this.reserved.has(nickname) || (holder !== undefined && !sameAddress(holder.uri, this.backend.uri))) {
      throw new NicknameError('taken', nickname, { room: handle })
    }
    this.members.set(addressKey(this.backend.uri), { uri: this.backend.uri, nickname })
  }

  private async message(
    from: string,
    content: OutgoingContent,
    isPrivate: boolean,
    options?: { timestamp?: Date; messageId?: string; history?: boolean },
  ): Promise<void> {
    const m = isSipUri(from) && !this.hasMember(from) ? { uri: from, nickname: undefined } : this.member(from)
    const { contentType, body } = toContent(content)
    await this.backend.emit({
      type: 'message',
      room: this.uri,
      private: isPrivate,
      sender: { uri: m.uri, nickname: m.nickname },
      contentType,
      body,
      timestamp: options?.timestamp ?? new Date(),
      messageId: options?.messageId ?? this.backend.nextMessageId(),
      ...(options?.history === true ? { history: true } : {}),
    })
  }
}

class FakeRoomHandle implements RoomHandle {
  private left = false
  constructor(
    private readonly room: FakeRoom,
    private readonly backend: FakeChatBackend,
  ) {}

  get uri(): string {
    return this.room.uri
  }

  get nickname(): string | undefined {
    return this.room.botNickname
  }

  get participants(): readonly Participant[] {
    return this.room.participants
  }

  send(content: OutgoingContent): Promise<SendReceipt> {
    return this.deliver(content, undefined)
  }

  sendPrivate(participantUri: string, content: OutgoingContent): Promise<SendReceipt> {
    if (!this.room.hasMember(participantUri)) {
      return Promise.reject(new ParticipantNotFoundError(participantUri, this.room.uri))
    }
    return this.deliver(content, participantUri)
  }

  async setNickname(nickname: string): Promise<void> {
    this.assertLive()
    const previousNickname = this.room.botNickname
    this.room.claimNickname(nickname, undefined)
    if (this.room.botPresent) {
      // The focus announces the change to everyone, the bot included (RFC 7701 §6).
      await this.backend.emit({
        type: 'nickname',
        room: this.room.uri,
        participant: { uri: this.backend.uri, nickname },
        previousNickname,
      })
    }
    this.room.botPresent = true
  }

  async sendComposing(active: boolean): Promise<void> {
    this.assertLive()
    this.room.composingSent.push(active)
  }

  async removeParticipant(participantUri: string): Promise<void> {
    this.assertLive()
    if (!this.room.hasMember(participantUri)) throw new ParticipantNotFoundError(participantUri, this.room.uri)
    if (!this.room.botIsModerator) {
      throw new ModerationError('not-authorized', 'removing a participant', this.room.uri, { statusCode: 403 })
    }
    this.room.removed.push(participantUri)
    this.room.muted.delete(addressKey(participantUri))
    await this.room.remove(participantUri)
  }

  async setMuted(participantUri: string, muted: boolean): Promise<void> {
    this.assertLive()
    if (!this.room.muteSupported) throw new ModerationError('not-supported', 'mute', this.room.uri)
    if (!this.room.hasMember(participantUri)) throw new ParticipantNotFoundError(participantUri, this.room.uri)
    if (!this.room.botIsModerator) {
      throw new ModerationError('not-authorized', 'mute', this.room.uri, { statusCode: 403 })
    }
    if (muted) this.room.muted.add(addressKey(participantUri))
    else this.room.muted.delete(addressKey(participantUri))
  }

  async leave(): Promise<void> {
    if (this.left) return
    this.left = true
    this.room.botPresent = false
    this.room.botSession = false
    // Remove the bot from the roster (a leave of our own; the bot would ignore it anyway).
    try {
      this.room.member(this.backend.uri)
      await this.room.remove(this.backend.uri)
    } catch {
      // not in the roster: nothing to do
    }
  }

  private assertLive(): void {
    if (this.left || !this.room.botSession) {
      throw new SendError('disconnected', `not in ${this.room.uri} (left or closed)`)
    }
  }

  private async deliver(content: OutgoingContent, to: string | undefined): Promise<SendReceipt> {
    this.assertLive()
    const { contentType, body } = toContent(content)
    const message: SentMessage = {
      room: this.room.uri,
      private: to !== undefined,
      to,
      contentType,
      body,
      messageId: this.backend.nextMessageId(),
    }
    const key = `${message.room}\n${message.to ?? ''}\n${typeof body === 'string' ? body : Buffer.from(body).toString('base64')}`
    const attempt = (this.backend.attempts.get(key) ?? 0) + 1
    this.backend.attempts.set(key, attempt)
    await this.backend.sendHook?.(message, attempt)
    this.room.sent.push(message)
    this.backend.sent.push(message)
    return { messageId: message.messageId }
  }
}

/** An in-memory {@link ChatBackend}; see the module example. */
export class FakeChatBackend implements ChatBackend {
  /** The bot's URI. */
  readonly uri: string
  /** Everything sent, across rooms. */
  readonly sent: SentMessage[] = []
  /** Direct messages the bot sent outside rooms (`sendDirect`, `ctx.reply` to a direct message). */
  readonly sentDirect: Array<{ readonly to: DirectAddress; readonly contentType: string; readonly body: string | Uint8Array; readonly messageId: string }> = []
  /** Contacts being watched. */
  readonly watched = new Set<string>()
  /** Presence the bot published last. */
  presence: PresenceState | undefined
  /** Whether start() has been called (and stop() not). */
  started = false
  /** Times start() / stop() were called. */
  readonly calls = { start: 0, stop: 0, join: 0 }
  /** Optional gate for every send (fail, delay or inspect). */
  sendHook: SendHook | undefined
  /** Makes start() fail with this error (e.g. to test registration failures). */
  startError: Error | undefined
  /** @internal offers per (room, recipient, body), the `attempt` passed to SendHook */
  readonly attempts = new Map<string, number>()
  /** @internal */
  readonly isValidNickname: (nickname: string) => boolean
  private readonly rooms = new Map<string, FakeRoom>()
  private readonly listeners = new Set<BackendListener>()
  private messageCounter = 0

  constructor(options: FakeChatBackendOptions) {
    this.uri = options.uri
    this.isValidNickname = options.isValidNickname ?? defaultValidNickname
  }

  /** The room model for a URI, created on first use (so a test can set it up before the bot joins). */
  room(uri: string): FakeRoom {
    const key = addressKey(uri)
    let room = this.rooms.get(key)
    if (room === undefined) {
      room = new FakeRoom(uri, this)
      this.rooms.set(key, room)
    }
    return room
  }

  async start(): Promise<void> {
    this.calls.start++
    if (this.startError !== undefined) throw this.startError
    this.started = true
    this.presence ??= { status: 'available' }
  }

  async stop(): Promise<void> {
    this.calls.stop++
    this.started = false
    this.presence = { status: 'offline' }
    this.watched.clear()
  }

  async join(roomUri: string, options: JoinOptions): Promise<RoomHandle> {
    this.calls.join++
    if (!this.started) throw new NotStartedError('join')
    const room = this.room(roomUri)
    const handle = new FakeRoomHandle(room, this)
    room.botSession = true
    if (options.nickname !== undefined) room.claimNickname(options.nickname, handle)
    else room.add(this.uri).catch(() => {})
    room.botPresent = true
    return handle
  }

  async setPresence(presence: PresenceState): Promise<void> {
    if (!this.started) throw new NotStartedError('setPresence')
    this.presence = { ...presence }
  }

  async watch(contactUri: string): Promise<void> {
    if (!this.started) throw new NotStartedError('watch')
    this.watched.add(contactUri)
  }

  async unwatch(contactUri: string): Promise<void> {
    this.watched.delete(contactUri)
  }

  subscribe(listener: BackendListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Delivers an event to every listener and waits until they handled it. */
  async emit(event: BackendEvent): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener(event)))
  }

  /**
   * A direct message to the bot's own address from `from` (a URI), outside any room: a
   * page-mode MESSAGE (`path: 'message'`, default) or a message on 1:1 session `chat`.
   */
  direct(from: string, content: OutgoingContent, options: { path?: DirectPath; chat?: string } = {}): Promise<void> {
    const { contentType, body } = toContent(content)
    const path = options.path ?? 'message'
    return this.emit({ type: 'direct', path, chat: path === 'session' ? (options.chat ?? 'fake-chat') : undefined, sender: { uri: from, nickname: undefined }, contentType: contentType.split(';')[0]!.trim().toLowerCase(), body, timestamp: new Date(), messageId: this.nextMessageId() })
  }

  async sendDirect(to: DirectAddress, content: OutgoingContent): Promise<SendReceipt> {
    if (!this.started) throw new NotStartedError('sendDirect')
    const { contentType, body } = toContent(content)
    const messageId = this.nextMessageId()
    this.sentDirect.push({ to: { ...to }, contentType, body, messageId })
    return { messageId }
  }

  /**
   * A room calls the bot in (an invitation someone asked for): emits an 'invitation' event whose
   * `accept` joins as {@link join} does. Resolves, once the listeners are done, with the answer:
   * 'accepted', or the decline status (603 when no listener answered, as the SIP backend does).
   */
  async invite(roomUri: string, options: { by?: string } = {}): Promise<'accepted' | number> {
    let answer: 'accepted' | number | undefined
    const invitation: RoomInvitation = {
      room: roomUri,
      by: options.by,
      accept: (joinOptions = {}) => {
        answer = 'accepted'
        return this.join(roomUri, joinOptions)
      },
      decline: (status = 603) => {
        answer ??= status
      },
      get answered() {
        return answer !== undefined
      },
    }
    await this.emit({ type: 'invitation', invitation })
    answer ??= 603
    return answer
  }

  /** Reports a watched contact's presence (the NOTIFY a presence agent would send). */
  contactPresence(contact: string, presence: PresenceState): Promise<void> {
    return this.emit({ type: 'presence', contact, presence })
  }

  /** Simulates losing the connection. */
  disconnect(error?: Error): Promise<void> {
    return this.emit({ type: 'connection', state: 'disconnected', error })
  }

  /** Simulates the connection coming back. */
  reconnect(): Promise<void> {
    return this.emit({ type: 'connection', state: 'reconnected' })
  }

  /** @internal */
  nextMessageId(): string {
    return `fake-${++this.messageCounter}`
  }
}
