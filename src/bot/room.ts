/**
 * The room API a handler uses (`ctx.room`, or what `bot.join()` returns): a {@link RoomHandle}
 * from the backend with the bot's flow control and nickname lookup on top.
 *
 * @module
 */
import type { FileReceipt, SendFileOptions } from '../chat/file-contract.ts'
import type { FileInput, FileMeta } from '../chat/node-files.ts'
import { MsrpBotError } from '../errors.ts'
import type { MessageEvent, OutgoingContent, Participant, RoomHandle, SendReceipt, Sender } from '../chat/backend.ts'
import { ParticipantNotFoundError } from '../chat/backend-errors.ts'
import { isSipUri, sameAddress } from './address.ts'
import type { OutboundQueue } from './outbound-queue.ts'

/**
 * Marks a send's promise as handled, so that a handler which forgets to `await ctx.reply()` does
 * not crash the process with an unhandled rejection. The failure is not lost: the bot logs every
 * failed send (and counts it in `sendFailures`), and an `await` still sees the rejection.
 */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

/** One message the room replayed from before the bot joined (see {@link Room.history}). */
export interface HistoryMessage {
  readonly sender: Sender
  /** The text of a `text/*` message, '' for other content. */
  readonly text: string
  readonly contentType: string
  readonly body: string | Uint8Array
  /** When it was said (CPIM DateTime; the msrp-bot server adds one when the sender gave none). */
  readonly timestamp: Date
  readonly messageId: string
}

/** Replayed messages a {@link Room} remembers (the oldest are forgotten first). */
export const MAX_ROOM_HISTORY = 100

/**
 * A joined chat room.
 *
 * @example
 * ```ts
 * const room = await bot.join('sip:lobby@chat.example.test', { nickname: 'echo' })
 * await room.send('hello everyone')
 * await room.sendPrivate('alice', 'hello Alice')
 * ```
 */
export class Room {
  /** @internal */
  readonly handle: RoomHandle
  /** @internal */
  readonly queue: OutboundQueue
  private readonly onLeave: (room: Room) => Promise<void>
  private readonly sendFileHere: ((file: FileInput, options: FileMeta & SendFileOptions) => Promise<FileReceipt>) | undefined
  private _publicSends = 0
  private readonly replayed: HistoryMessage[] = []

  /** @internal Rooms are created by the bot; use `bot.join()`. */
  constructor(handle: RoomHandle, queue: OutboundQueue, onLeave: (room: Room) => Promise<void>, sendFile?: (file: FileInput, options: FileMeta & SendFileOptions) => Promise<FileReceipt>) {
    this.handle = handle
    this.queue = queue
    this.onLeave = onLeave
    this.sendFileHere = sendFile
  }

  /**
   * Shares a file (a path on disk, or bytes) in the room (RFC 5547 push to the room URI): a room
   * that stores files keeps it and announces it to everyone. Resolves once the room confirmed
   * every byte; rejects SEND_REJECTED (`statusCode` 413 over the room's limit or quota, 488 when
   * the room takes no files), SEND_TIMEOUT or SEND_DISCONNECTED.
   *
   * @example
   * ```ts
   * bot.every('1d', (ctx) => ctx.room.sendFile('./logs/today.log', { type: 'text/plain' }))
   * ```
   */
  sendFile(file: FileInput, options: FileMeta & SendFileOptions = {}): Promise<FileReceipt> {
    if (this.sendFileHere === undefined) throw new MsrpBotError('NOT_SUPPORTED', 'this room cannot take files from this bot (no sendFile)')
    return this.sendFileHere(file, options)
  }

  /** The room's URI. */
  get uri(): string {
    return this.handle.uri
  }

  /** The bot's confirmed nickname in this room (undefined until the focus accepted one). */
  get nickname(): string | undefined {
    return this.handle.nickname
  }

  /** @internal How many public messages the bot has sent here (the loop guard counts answers by it). */
  get publicSends(): number {
    return this._publicSends
  }

  /**
   * What the room replayed to the bot from before it joined (its history), oldest first; at
   * most {@link MAX_ROOM_HISTORY} messages. Replays also reach `bot.on('history')` handlers.
   *
   * @example
   * ```ts
   * bot.command('recap', (ctx) => ctx.replyPrivately(ctx.room.history().map((m) => `${m.sender.nickname ?? m.sender.uri}: ${m.text}`).join('\n') || 'nothing yet'))
   * ```
   */
  history(): readonly HistoryMessage[] {
    return [...this.replayed]
  }

  /** @internal Remembers one replayed message (bounded). */
  recordHistory(event: MessageEvent): void {
    const text = typeof event.body === 'string' && event.contentType.startsWith('text/') ? event.body : ''
    this.replayed.push({ sender: event.sender, text, contentType: event.contentType, body: event.body, timestamp: event.timestamp, messageId: event.messageId })
    if (this.replayed.length > MAX_ROOM_HISTORY) this.replayed.shift()
  }

  /** Who is in the room right now (a fresh snapshot; includes the bot). */
  get participants(): readonly Participant[] {
    return this.handle.participants
  }

  /**
   * Finds a participant by nickname (exact) or SIP URI.
   *
   * @example
   * ```ts
   * const alice = ctx.room.find('alice')
   * if (alice) await ctx.room.sendPrivate(alice.uri, 'hi')
   * ```
   */
  find(nicknameOrUri: string): Participant | undefined {
    const list = this.handle.participants
    if (isSipUri(nicknameOrUri)) return list.find((p) => sameAddress(p.uri, nicknameOrUri))
    return list.find((p) => p.nickname === nicknameOrUri)
  }

  /**
   * Sends a public message. Queued behind earlier sends from this bot to this room; resolves
   * when the focus confirmed it, rejects with a typed error (`code`) otherwise.
   *
   * @example
   * ```ts
   * await room.send('plain text')
   * await room.send({ contentType: 'text/html', body: '<b>bold</b>' })
   * ```
   */
  send(content: OutgoingContent): Promise<SendReceipt> {
    this._publicSends++
    return observed(this.queue.push(() => this.handle.send(content)))
  }

  /**
   * Sends a private message to one participant, named by nickname or SIP URI. Rejects with
   * PARTICIPANT_NOT_FOUND when a nickname matches nobody in the roster.
   *
   * @example
   * ```ts
   * await ctx.room.sendPrivate('alice', 'psst')
   * await ctx.room.sendPrivate('sip:bob@example.test', 'psst')
   * ```
   */
  sendPrivate(to: string, content: OutgoingContent): Promise<SendReceipt> {
    // The nickname is resolved when the send's turn comes, so the roster is as fresh as it
    // can be and a lookup failure is reported like any other send failure.
    return observed(this.queue.push(() => {
      const uri = isSipUri(to) ? to.trim() : this.find(to)?.uri
      if (uri === undefined) return Promise.reject(new ParticipantNotFoundError(to, this.uri))
      return this.handle.sendPrivate(uri, content)
    }))
  }

  /**
   * Changes the bot's nickname here. Rejects with NICKNAME_TAKEN (425) or NICKNAME_INVALID (424).
   *
   * @example
   * ```ts
   * await ctx.room.setNickname('echo-bot')
   * ```
   */
  setNickname(nickname: string): Promise<void> {
    return this.handle.setNickname(nickname)
  }

  /**
   * Shows (or clears, with `false`) the bot as typing, RFC 3994.
   *
   * @example
   * ```ts
   * await ctx.room.typing()
   * const answer = await slowLookup()
   * await ctx.reply(answer) // receivers clear the indicator when the message arrives
   * ```
   */
  typing(active = true): Promise<void> {
    return this.handle.sendComposing(active)
  }

  /**
   * Removes a participant (by nickname or SIP URI) from the room (RFC 4579 REFER with
   * `method=BYE`). Needs the moderator role: rejects with NOT_AUTHORIZED otherwise, and with
   * PARTICIPANT_NOT_FOUND when nobody matches.
   *
   * @example
   * ```ts
   * bot.command('kick', async (ctx) => {
   *   await ctx.room.kick(ctx.command.args[0] ?? '')
   *   await ctx.reply(`${ctx.command.args[0]} was removed`)
   * })
   * ```
   */
  kick(nicknameOrUri: string): Promise<void> {
    return observed(this.resolve(nicknameOrUri).then((uri) => this.handle.removeParticipant(uri)))
  }

  /**
   * Invites someone (a SIP URI) into the room: REFER with `method=INVITE` to the room (RFC 4579
   * §5.5); the room's focus calls them. Resolves once they accepted (they are then in
   * `participants`). Rejects with INVITATION_DECLINED (`statusCode` 486, 600 or 603),
   * INVITATION_FAILED (offline, no answer), NOT_AUTHORIZED or NOT_SUPPORTED.
   *
   * @example
   * ```ts
   * bot.command('invite', async (ctx) => {
   *   await ctx.room.invite(ctx.command.args[0] ?? '')
   *   await ctx.reply('they are here')
   * })
   * ```
   */
  invite(uri: string): Promise<void> {
    const handle = this.handle
    if (handle.invite === undefined) return observed(Promise.reject(new MsrpBotError('NOT_SUPPORTED', `the chat backend cannot invite people into ${this.uri}`)))
    if (!/^sips?:/i.test(uri)) return observed(Promise.reject(new MsrpBotError('INVITATION_FAILED', `room.invite() needs a SIP URI (sip:bob@example.test), not "${uri}"`)))
    return observed(handle.invite(uri))
  }

  /**
   * Mutes (default) or unmutes a participant, by nickname or SIP URI: the focus stops relaying
   * their messages. An msrp-bot server extension: rejects with NOT_SUPPORTED on other foci,
   * NOT_AUTHORIZED without the moderator role, PARTICIPANT_NOT_FOUND when nobody matches.
   *
   * @example
   * ```ts
   * await ctx.room.mute('spammer')        // silence
   * await ctx.room.mute('spammer', false) // let them talk again
   * ```
   */
  mute(nicknameOrUri: string, muted = true): Promise<void> {
    return observed(this.resolve(nicknameOrUri).then((uri) => this.handle.setMuted(uri, muted)))
  }

  private async resolve(nicknameOrUri: string): Promise<string> {
    if (isSipUri(nicknameOrUri)) return nicknameOrUri.trim()
    const found = this.find(nicknameOrUri)
    if (found === undefined) throw new ParticipantNotFoundError(nicknameOrUri, this.uri)
    return found.uri
  }

  /**
   * Leaves the room after the sends already queued for it went out.
   *
   * @example
   * ```ts
   * bot.command('bye', async (ctx) => { await ctx.reply('bye'); await ctx.room.leave() })
   * ```
   */
  leave(): Promise<void> {
    return this.onLeave(this)
  }
}
