/**
 * A scripted person in a test chat: joins a room, talks, whispers, types, and remembers what it
 * saw. Runs on the same {@link SipChatBackend} as a bot, over the in-process network.
 * Its parts live next to it: `participant-files.ts` (files), `participant-invitations.ts`
 * (invitations), `message-expectations.ts` (`expectMessage`) and `sent-messages.ts` (its own
 * messages in its transcript).
 *
 * @module
 */
import type { FileReceipt, FileSink, SendFileOptions } from '../chat/file-contract.ts'
import type { FileInput, FileMeta } from '../chat/node-files.ts'
import { ParticipantFiles, type ReceivedTestFile } from './participant-files.ts'
import { MsrpBotError } from '../errors.ts'
import type { BackendEvent, DirectChatHandle, OutgoingContent, RoomFile, RoomHandle, SendReceipt } from '../chat/backend.ts'
import { ParticipantNotFoundError } from '../chat/backend-errors.ts'
import type { SipChatBackend } from '../chat/sip-chat-backend.ts'
import { toTranscriptEntry } from './transcript.ts'
import type { MessageMatcher, TranscriptEntry } from './transcript.ts'
import { testingHooksOf } from '../chat/testing-hooks.ts'
import type { RoomInvitation } from '../chat/room-invitation.ts'
import { MessageExpectations, type ExpectOptions } from './message-expectations.ts'
import { ParticipantInvitations } from './participant-invitations.ts'
import { recordSent } from './sent-messages.ts'

export { ExpectationError } from './message-expectations.ts'
export type { ExpectOptions } from './message-expectations.ts'

/** Options of `chat.participant()`. */
export interface ParticipantOptions {
  /** Nickname to claim on join (default: the name). */
  nickname?: string | undefined
  /** Password, when the test chat has `users` (default: the one in `users`). */
  password?: string | undefined
  /** Display name. */
  displayName?: string | undefined
  /**
   * What it does when a room calls it in (an invitation): 'accept' joins, 'decline' refuses with
   * 603, 'ask' (default) keeps it ringing for `expectInvitation()`.
   */
  invitations?: 'accept' | 'decline' | 'ask' | undefined
  /**
   * What it does with a file its room pushes to everyone (a room whose policy pushes files):
   * 'accept' (default) takes it into memory (see `files`, `expectFile()`), 'decline' refuses
   * it with 603, 'leave' leaves it ringing for the test to take from `events` (the room cancels
   * it after a while). Either way `pushedFiles` records the offer.
   */
  pushedFiles?: 'accept' | 'decline' | 'leave' | undefined
}

/**
 * A participant of a test chat.
 *
 * @example
 * ```ts
 * const alice = await chat.participant('alice')
 * await alice.join('lobby')
 * await alice.say('!help')
 * await alice.expectMessage(/I echo/)
 * console.log(alice.transcript)
 * ```
 */
export class TestParticipant {
  /** The name given to `chat.participant()`. */
  readonly name: string
  /** The participant's SIP URI (`sip:<name>@<domain>`). */
  readonly uri: string
  /** The backend it runs on (for anything the helpers do not cover). */
  readonly backend: SipChatBackend
  /** Every message it received or sent (`direction`), public and private, in order. */
  readonly transcript: TranscriptEntry[] = []
  /**
   * The messages the room replayed to it from before it joined (the room's history), in order.
   * They are not in {@link transcript}, which holds what was said while it was there.
   */
  readonly history: TranscriptEntry[] = []
  /** Every event it received (messages, joins, leaves, nicknames, composing, connection ...). */
  readonly events: BackendEvent[] = []
  readonly #nickname: string | undefined
  readonly #resolveRoom: (room: string) => string
  readonly #defaultRoom: () => string | undefined
  #room: RoomHandle | undefined
  /** Its pending `expectMessage` calls (see message-expectations.ts). */
  readonly #expectations: MessageExpectations
  /** Its invitations: policy, ringing ones, records (see participant-invitations.ts). */
  readonly #invitations: ParticipantInvitations
  /** Every invitation it received, with what became of it. */
  readonly invitations: Array<{ room: string; by: string | undefined; answer: 'accepted' | 'declined' | 'ringing' | 'failed' }>
  #slowMs = 0
  #delay: (ms: number) => Promise<void>

  /** @internal created by `chat.participant()` */
  constructor(init: {
    name: string
    uri: string
    backend: SipChatBackend
    nickname: string | undefined
    resolveRoom: (room: string) => string
    defaultRoom: () => string | undefined
    delay: (ms: number) => Promise<void>
    invitations?: 'accept' | 'decline' | 'ask' | undefined
    pushedFiles?: 'accept' | 'decline' | 'leave' | undefined
  }) {
    this.name = init.name
    this.uri = init.uri
    this.backend = init.backend
    this.#nickname = init.nickname
    this.#resolveRoom = init.resolveRoom
    this.#defaultRoom = init.defaultRoom
    this.#delay = init.delay
    this.#files = new ParticipantFiles(this.backend, init.pushedFiles)
    this.#expectations = new MessageExpectations(this.name, this.transcript)
    this.#invitations = new ParticipantInvitations(
      {
        name: this.name,
        nickname: this.#nickname,
        entered: (room) => {
          this.#room = room
        },
      },
      init.invitations,
    )
    this.invitations = this.#invitations.records
    this.backend.subscribe((event) => this.#onEvent(event))
  }

  readonly #files: ParticipantFiles
  #filesTaken = 0

  /** Files sent to it outside rooms and pushed by its room (RFC 5547), whole and hash-checked. */
  get files(): readonly ReceivedTestFile[] {
    return this.#files.received
  }

  /** Every file a room pushed to it, with what it answered (see the `pushedFiles` option). */
  get pushedFiles(): ReadonlyArray<{ readonly room: string; readonly name: string; readonly sha1: string | undefined; readonly answer: 'accepted' | 'declined' | 'left' }> {
    return this.#files.pushed
  }

  /**
   * Sends a file (a path or bytes) to a person or bot (name or URI) outside rooms; resolves once
   * they confirmed every byte.
   *
   * @example
   * ```ts
   * await alice.sendFile('echo', new TextEncoder().encode('hello'), { name: 'hello.txt' })
   * const echoed = await alice.expectFile()
   * ```
   */
  sendFile(to: string, file: FileInput, options: FileMeta & SendFileOptions = {}): Promise<FileReceipt> {
    return this.#files.send(this.#addressOf(to), file, options)
  }

  /**
   * Fetches a file from a room (name or URI) by its SHA-1 (RFC 5547 pull) into `sink` (e.g. a
   * `DiskFileSink`) or, without one, into memory; resolves once it is whole and hash-checked.
   */
  pullFile(room: string, sha1: string, sink?: FileSink): Promise<{ name: string; type: string; size: number; sha1: string; bytes?: Uint8Array }> {
    return this.#files.pull(this.#resolveRoom(room), sha1, sink)
  }

  /** Waits for the next file sent or pushed to it (each call takes the next one, in order of arrival). */
  expectFile(): Promise<ReceivedTestFile> {
    return this.#files.next(this.#filesTaken++)
  }

  /**
   * The files its current room stores, oldest first, as the room's conference-info lists them
   * (empty outside a room). Fetch one with {@link pullFile} and its `sha1`.
   */
  roomFiles(): readonly RoomFile[] {
    return this.#room?.files ?? []
  }

  /** The room it is in (the last one joined), if any. */
  get room(): RoomHandle | undefined {
    return this.#room
  }

  /** Its confirmed nickname in the current room. */
  get nickname(): string | undefined {
    return this.#room?.nickname
  }

  /** The public conversation as `nickname: text` lines, its own messages included (handy in assertions). */
  get lines(): string[] {
    return this.transcript.filter((e) => e.kind === 'public').map((e) => `${e.nickname ?? e.from}: ${e.text}`)
  }

  /** Texts of the direct messages (outside rooms) it received. */
  get directs(): string[] {
    return this.transcript.filter((e) => e.kind === 'direct' && e.direction === 'received').map((e) => e.text)
  }

  /** The replayed history as `nickname: text` lines (see {@link history}). */
  get historyLines(): string[] {
    return this.history.map((e) => `${e.nickname ?? e.from}: ${e.text}`)
  }

  /** Texts of the private messages it received. */
  get whispers(): string[] {
    return this.transcript.filter((e) => e.kind === 'private' && e.direction === 'received').map((e) => e.text)
  }

  async #onEvent(event: BackendEvent): Promise<void> {
    // A slow participant takes this long over every event (inbound backpressure, as a slow
    // client would); the backend delivers the next one only afterwards.
    if (this.#slowMs > 0) await this.#delay(this.#slowMs)
    this.events.push(event)
    this.#files.onEvent(event)
    if (event.type !== 'message' && event.type !== 'direct') return
    const entry = toTranscriptEntry(event)
    if (event.type === 'message' && event.history === true) {
      this.history.push(entry)
      return
    }
    this.transcript.push(entry)
    this.#expectations.offer(entry)
  }

  /**
   * Joins a room (name or URI; default: the test chat's first room) with its nickname.
   *
   * @example
   * ```ts
   * await alice.join('lobby')
   * await bob.join('sip:lobby@example.test', { nickname: 'bobby' })
   * ```
   */
  async join(room?: string, options: { nickname?: string } = {}): Promise<RoomHandle> {
    // Checked at run time too: plain JavaScript tests, or `as any`, would otherwise join 'sip:[object Object]@…'.
    if (room !== undefined && typeof room !== 'string') {
      throw new MsrpBotError('TEST_BAD_ROOM', `${this.name}.join(room): room must be a room name ('lobby') or URI ('sip:lobby@example.test') string; got ${describeValue(room)}`)
    }
    if (typeof options !== 'object' || options === null || (options.nickname !== undefined && typeof options.nickname !== 'string')) {
      throw new MsrpBotError('TEST_BAD_ROOM', `${this.name}.join(room, options): options is { nickname?: string }; got ${describeValue(options)}`)
    }
    const target = room ?? this.#defaultRoom()
    if (target === undefined) throw new MsrpBotError('TEST_NO_ROOM', `${this.name}.join(): name a room (the test chat has none)`)
    try {
      this.#room = await this.backend.join(this.#resolveRoom(target), { nickname: options.nickname ?? this.#nickname })
    } catch (error) {
      // A refused nickname hands over a live room (error.room); a test participant leaves it,
      // so a failed join leaves nothing behind.
      await (error as { room?: RoomHandle }).room?.leave()
      throw error
    }
    return this.#room
  }

  #current(what: string): RoomHandle {
    if (this.#room === undefined) throw new MsrpBotError('TEST_NOT_IN_ROOM', `${this.name}.${what}(): join a room first`)
    return this.#room
  }

  /**
   * Says something in the room; resolves once the focus confirmed it.
   *
   * @example
   * ```ts
   * await alice.say('hello everyone')
   * ```
   */
  say(content: OutgoingContent): Promise<SendReceipt> {
    const room = this.#current('say')
    return this.#sent(room, content, undefined, room.send(content))
  }

  /** Records an own message at once, dropping it if the send fails (see sent-messages.ts). */
  #sent(room: RoomHandle | undefined, content: OutgoingContent, to: string | undefined, sending: Promise<SendReceipt>): Promise<SendReceipt> {
    return recordSent(this.transcript, { room, content, to, from: this.uri }, sending)
  }

  /**
   * Sends a private message to a participant by nickname or URI.
   *
   * @example
   * ```ts
   * await alice.whisper('echo', '!secret')
   * ```
   */
  whisper(to: string, content: OutgoingContent): Promise<SendReceipt> {
    const room = this.#current('whisper')
    const uri = /^sips?:/i.test(to) ? to : room.participants.find((p) => p.nickname === to)?.uri
    if (uri === undefined) return Promise.reject(new ParticipantNotFoundError(to, room.uri))
    return this.#sent(room, content, uri, room.sendPrivate(uri, content))
  }

  /**
   * Sends a page-mode MESSAGE (RFC 3428) to a person's or bot's own address (a name in the test
   * chat's domain, or a URI), outside any room; resolves once it was answered 200. The answer,
   * if any, arrives as a 'direct' transcript entry.
   *
   * @example
   * ```ts
   * await alice.message('echo', 'hi')
   * await alice.expectMessage('you said: hi', { kind: 'direct' })
   * ```
   */
  message(to: string, content: OutgoingContent): Promise<SendReceipt> {
    const peer = this.#addressOf(to)
    return this.#sent(undefined, content, peer, this.backend.sendDirect({ peer, path: 'message' }, content))
  }

  /**
   * Opens a 1:1 MSRP chat (RFC 4975) with a person or bot (name or URI). `send` on the handle
   * records the message; answers arrive as 'direct' transcript entries. Close it when done.
   *
   * @example
   * ```ts
   * const chat = await alice.chatWith('echo')
   * await chat.send('hi')
   * await alice.expectMessage('you said: hi', { kind: 'direct' })
   * await chat.close()
   * ```
   */
  async chatWith(to: string): Promise<DirectChatHandle> {
    const handle = await this.backend.openDirect(this.#addressOf(to))
    return {
      peer: handle.peer,
      chat: handle.chat,
      send: (content) => this.#sent(undefined, content, handle.peer, handle.send(content)),
      close: () => handle.close(),
    }
  }

  #addressOf(to: string): string {
    return /^sips?:/i.test(to) ? to : `sip:${to}@${this.uri.slice(this.uri.indexOf('@') + 1)}`
  }

  /**
   * Invites someone (a name in the test chat's domain, or a URI) into the current room (REFER
   * method=INVITE); resolves once they accepted, rejects INVITATION_DECLINED / INVITATION_FAILED.
   *
   * @example
   * ```ts
   * await alice.invite('bob')
   * ```
   */
  invite(who: string): Promise<void> {
    const room = this.#current('invite')
    if (room.invite === undefined) return Promise.reject(new MsrpBotError('NOT_SUPPORTED', 'this backend cannot invite'))
    return room.invite(this.#addressOf(who))
  }

  /**
   * @internal The backend's invitation handler: applies the policy ('accept', 'decline') or keeps
   * the invitation ringing for {@link expectInvitation}.
   */
  receiveInvitation(invitation: RoomInvitation): void {
    this.#invitations.receive(invitation)
  }

  /** Changes what it does with invitations from now on ('accept', 'decline' or 'ask'). */
  answerInvitations(policy: 'accept' | 'decline' | 'ask'): void {
    this.#invitations.policy = policy
  }

  /**
   * Resolves with the next invitation that rings (one already ringing first), to `accept()` or
   * `decline()`. Rejects after `timeoutMs` (5 s). Needs the 'ask' policy (the default).
   *
   * @example
   * ```ts
   * const invitation = await bob.expectInvitation()
   * await invitation.accept()        // bob is in the room now
   * ```
   */
  expectInvitation(options: { timeoutMs?: number } = {}): Promise<RoomInvitation> {
    return this.#invitations.expect(options)
  }

  /**
   * Changes nickname in the current room (rejects NICKNAME_TAKEN / NICKNAME_INVALID).
   *
   * @example
   * ```ts
   * await alice.setNickname('alice2')
   * ```
   */
  setNickname(nickname: string): Promise<void> {
    return this.#current('setNickname').setNickname(nickname)
  }

  /**
   * Shows (or with false, clears) "is typing" in the room (RFC 3994).
   *
   * @example
   * ```ts
   * await alice.typing()
   * ```
   */
  typing(active = true): Promise<void> {
    return this.#current('typing').sendComposing(active)
  }

  /**
   * Leaves the current room.
   *
   * @example
   * ```ts
   * await alice.leave()
   * ```
   */
  async leave(): Promise<void> {
    const room = this.#room
    this.#room = undefined
    await room?.leave()
  }

  /**
   * Resolves with the first received message (already in the transcript, or still to come)
   * that matches: the exact text, a RegExp, or a predicate. Rejects after `timeoutMs` (5 s)
   * listing what did arrive. Prefer `await chat.settled()` then asserting on `transcript`; use
   * this when the message is not the result of your own action.
   *
   * @example
   * ```ts
   * await alice.expectMessage('you said: hi')
   * await alice.expectMessage(/welcome/, { from: 'echo' })
   * await alice.expectMessage((m) => m.kind === 'private')
   * ```
   */
  expectMessage(matcher: MessageMatcher, options: ExpectOptions = {}): Promise<TranscriptEntry> {
    return this.#expectations.expect(matcher, options)
  }

  /**
   * Fault injection: cuts this participant's connections (SIP and MSRP) as a network failure
   * would. It reconnects, re-registers and re-joins by itself.
   *
   * @example
   * ```ts
   * alice.dropConnection()
   * await chat.settled() // alice is back in the room
   * ```
   */
  dropConnection(): void {
    testingHooksOf(this.backend).dropConnections()
  }

  /**
   * Fault injection: this participant takes `ms` over every event it receives (0 restores).
   *
   * @example
   * ```ts
   * alice.slow(50)
   * ```
   */
  slow(ms: number): void {
    this.#slowMs = Math.max(0, ms)
  }

  /** Clears the transcript and event log (e.g. between steps of a test). */
  clear(): void {
    this.transcript.length = 0
    this.history.length = 0
    this.events.length = 0
  }
}

/** A short description of a wrong argument, for error messages. */
function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return `an object${Object.keys(value).length > 0 ? ` with keys ${Object.keys(value).slice(0, 4).join(', ')}` : ''}`
  return `${typeof value} ${String(value)}`
}
