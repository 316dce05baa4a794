/**
 * The context object every handler receives: one update plus the API to answer it.
 *
 * @module
 */
import type {
  BackendEvent,
  ConnectionState,
  OutgoingContent,
  Participant,
  DirectAddress,
  PresenceState,
  RoomClosedReason,
  SendReceipt,
  Sender,
} from '../chat/backend.ts'
import type { CommandInfo } from './commands.ts'
import type { FileReceipt, SendFileOptions } from '../chat/file-contract.ts'
import type { FileInput, FileMeta } from '../chat/node-files.ts'
import { BotFile } from './file.ts'
import type { BotInvitation } from './invitation.ts'
import { NoRecipientError } from './errors.ts'
import type { Room } from './room.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'

/**
 * What kind of update a context carries. 'message' is public in a room, 'private' is not;
 * 'history' is a public message the room replayed from before the bot joined.
 */
export type UpdateKind =
  | 'message'
  | 'private'
  | 'history'
  | 'notice'
  | 'join'
  | 'leave'
  | 'nickname'
  | 'composing'
  | 'presence'
  | 'room-closed'
  | 'connection'
  | 'direct'
  | 'direct-closed'
  | 'file'
  | 'invitation'

/** A watched contact's presence, as carried by a 'presence' update. */
export interface ContactPresence extends PresenceState {
  /** The contact's SIP URI. */
  readonly contact: string
}

/** What the context knows about the bot itself. */
export interface BotIdentity {
  /** The bot's own SIP URI. */
  readonly uri: string
}

/** Everything a {@link Context} is built from; passed to custom context constructors. */
export interface ContextSource {
  /** The raw backend event. */
  readonly update: BackendEvent
  /** The bot's identity. */
  readonly me: BotIdentity
  /** The room the update belongs to, when it belongs to one the bot has joined. */
  readonly room: Room | undefined
  /** The bot's clock (default: the system clock). */
  readonly clock?: Clock | undefined
  /**
   * Replayed history reaches handlers as 'message' updates (with `isHistory`), not as
   * 'history' ones: the bot's `ignoreHistory: false`.
   */
  readonly historyAsMessages?: boolean | undefined
  /** Sends a direct message (the backend's `sendDirect`); what `reply` uses for 'direct' updates. */
  readonly sendDirect?: ((to: DirectAddress, content: OutgoingContent) => Promise<SendReceipt>) | undefined
  /** Sends a file to a person (the bot's `sendFile`); what `replyWithFile` uses. */
  readonly sendFile?: ((peer: string, file: FileInput, options?: FileMeta & SendFileOptions) => Promise<FileReceipt>) | undefined
  /** For an 'invitation' update: the invitation, bound to the bot that joins on accept. */
  readonly invitation?: BotInvitation | undefined
}

/** A constructor for a custom context class (`class MyContext extends Context { ... }`). */
export type ContextConstructor<C extends Context> = new (source: ContextSource) => C

/**
 * The context of one update. Fields that only some kinds of update have are optional here;
 * `bot.on('private', ...)` and friends narrow them (see `Filter`), so inside
 * `bot.on('join', (ctx) => ...)` `ctx.participant` is a `Participant`, not `| undefined`.
 *
 * Extend it to add your own fields, and pass the class to the bot:
 *
 * @example
 * ```ts
 * class MyContext extends Context {
 *   get shouting(): boolean { return this.text === this.text?.toUpperCase() }
 * }
 * const bot = createBot<MyContext>(config, { ContextConstructor: MyContext })
 * bot.on('message', (ctx) => ctx.shouting ? ctx.reply('calm down') : undefined)
 * ```
 */
export class Context {
  /** The raw backend event (for anything the context does not surface). */
  readonly update: BackendEvent
  /** The bot's identity. */
  readonly me: BotIdentity
  /** What happened: 'message', 'private', 'join', 'leave', 'nickname', 'composing', ... */
  readonly kind: UpdateKind
  /** The room the update belongs to (undefined for 'presence' and 'connection'). */
  readonly room: Room | undefined
  /** True for a private message or private composing indication. */
  readonly isPrivate: boolean
  /**
   * True for a message the room replayed from before the bot joined (its history): a
   * 'history' update, or a 'message' one with `ignoreHistory: false`.
   */
  readonly isHistory: boolean
  /** Who sent the message or composing indication. */
  readonly sender: Sender | undefined
  /**
   * The message text: the body of a `text/*` message, '' for other content types (see
   * `contentType` and `body`; filter with 'message:text' / 'message:media'). For a 'notice',
   * what the room itself said.
   */
  readonly text: string | undefined
  /** For 'notice': 'status' when the room marked it as a status notice (joins, leaves), else 'info'. */
  readonly notice: 'status' | 'info' | undefined
  /** MIME type of a message's content, e.g. 'text/plain'. */
  readonly contentType: string | undefined
  /** The message body: a string for text types, bytes otherwise. */
  readonly body: string | Uint8Array | undefined
  /** Message identity, for messages. */
  readonly messageId: string | undefined
  /** When the message was sent (CPIM DateTime) or, for other updates, received. */
  readonly timestamp: Date
  /** The participant who joined, left, or changed nickname. */
  readonly participant: Participant | undefined
  /** For 'nickname': the nickname before the change. */
  readonly previousNickname: string | undefined
  /** For 'composing': true while the sender types, false once they stopped. */
  readonly composing: boolean | undefined
  /** For 'presence': the contact and their new presence. */
  readonly presence: ContactPresence | undefined
  /** For 'room-closed': why the room went away. */
  readonly closedReason: RoomClosedReason | undefined
  /** For 'connection': 'disconnected' or 'reconnected'. */
  readonly connection: ConnectionState | undefined
  /**
   * For 'direct' (a message to the bot's own address, outside rooms) and 'direct-closed': who and
   * how (page-mode MESSAGE or a 1:1 session); `reply` answers there.
   */
  readonly direct: DirectAddress | undefined
  /** For 'file': the file someone sent the bot (download it, save it, or leave it: it is declined). */
  readonly file: BotFile | undefined
  /** For 'invitation': the room calling the bot in, and who asked (accept it to join, or decline). */
  readonly invitation: BotInvitation | undefined
  readonly #sendDirect: ContextSource['sendDirect']
  readonly #sendFile: ContextSource['sendFile']
  /**
   * Set by `command` (the raw argument string) and `hears` (the regular expression match).
   */
  match: string | RegExpMatchArray | undefined
  /** Set by `command`: the parsed command. */
  command: CommandInfo | undefined

  /** The bot's clock, for middleware that measures time (e.g. `cooldown`). */
  readonly clock: Clock

  constructor(source: ContextSource) {
    const u = source.update
    this.clock = source.clock ?? systemClock
    this.update = u
    this.me = source.me
    this.room = source.room
    this.match = undefined
    this.command = undefined
    this.kind = u.type === 'message' ? (u.private ? 'private' : u.history === true && source.historyAsMessages !== true ? 'history' : 'message') : u.type
    this.isPrivate = (u.type === 'message' || u.type === 'composing') && u.private
    this.isHistory = u.type === 'message' && u.history === true
    this.sender = u.type === 'message' || u.type === 'composing' || u.type === 'direct' || u.type === 'file' ? u.sender : undefined
    this.file = u.type === 'file' ? new BotFile(u.file) : undefined
    this.invitation = u.type === 'invitation' ? source.invitation : undefined
    this.contentType = u.type === 'message' || u.type === 'direct' ? u.contentType : undefined
    this.body = u.type === 'message' || u.type === 'direct' ? u.body : undefined
    this.text =
      u.type === 'message' || u.type === 'direct'
        ? typeof u.body === 'string' && u.contentType.startsWith('text/')
          ? u.body
          : ''
        : u.type === 'notice'
          ? u.text
          : undefined
    this.notice = u.type === 'notice' ? u.notice : undefined
    this.messageId = u.type === 'message' || u.type === 'direct' ? u.messageId : undefined
    this.timestamp = u.type === 'message' || u.type === 'notice' || u.type === 'direct' ? u.timestamp : new Date()
    this.participant =
      u.type === 'join' || u.type === 'leave' || u.type === 'nickname' ? u.participant : undefined
    this.previousNickname = u.type === 'nickname' ? u.previousNickname : undefined
    this.composing = u.type === 'composing' ? u.active : undefined
    this.presence = u.type === 'presence' ? { contact: u.contact, ...u.presence } : undefined
    this.closedReason = u.type === 'room-closed' ? u.reason : undefined
    this.connection = u.type === 'connection' ? u.state : undefined
    this.direct = u.type === 'direct' ? { peer: u.sender.uri, path: u.path, chat: u.chat } : u.type === 'direct-closed' ? { peer: u.peer, path: 'session', chat: u.chat } : undefined
    this.#sendDirect = source.sendDirect
    this.#sendFile = source.sendFile
  }

  /**
   * Sends a file (a path on disk, or bytes) to whoever sent this update, as an RFC 5547 push to
   * their own address; for a file shared in a room, to the room. Resolves when they confirmed every byte; `onProgress` reports as they do.
   *
   * @example
   * ```ts
   * bot.on('file', async (ctx) => {
   *   const bytes = await ctx.file.download()
   *   await ctx.replyWithFile(bytes, { name: ctx.file.name, type: ctx.file.type })   // echo it back
   * })
   * ```
   */
  replyWithFile(file: FileInput, options: FileMeta & SendFileOptions = {}): Promise<FileReceipt> {
    // A file shared in a room is answered in the room, as `reply` answers there.
    if (this.kind === 'file' && this.room !== undefined) return this.room.sendFile(file, options)
    const to = this.sender?.uri ?? this.participant?.uri
    if (to === undefined) throw new NoRecipientError(`ctx.replyWithFile() needs a person to send to, but this '${this.kind}' update has none`)
    if (this.#sendFile === undefined) throw new NoRecipientError('ctx.replyWithFile() needs a backend that sends files (sendFile)')
    return this.#sendFile(to, file, options)
  }

  /**
   * Answers where the update came from: a private message gets a private answer to its sender,
   * anything else that happened in a room (public message, join, leave, nickname change) gets a
   * public message to the room; a direct message (outside rooms) is answered on the path it came
   * (page-mode MESSAGE, or the 1:1 session). Like grammY's `ctx.reply`, the answer goes back to the
   * conversation it came from, so a bot never leaks a private exchange into the room.
   * Use `replyPrivately` or `room.send` to choose explicitly.
   *
   * On updates outside a room (presence, connection) it throws BOT_NO_RECIPIENT at once,
   * synchronously: that is a mistake in the handler, and a synchronous throw reaches `bot.catch`
   * even when the call is not awaited. Send failures, in contrast, arrive as rejections.
   *
   * @example
   * ```ts
   * bot.command('ping', (ctx) => ctx.reply('pong'))   // public in public, private in private
   * ```
   */
  reply(content: OutgoingContent): Promise<SendReceipt> {
    if (this.kind === 'direct' && this.direct !== undefined) {
      // A direct message is answered on its own path: MESSAGE for MESSAGE, the 1:1 session for a session.
      if (this.#sendDirect === undefined) throw new NoRecipientError('ctx.reply() to a direct message needs a backend with sendDirect')
      return this.#sendDirect(this.direct, content)
    }
    if (this.isPrivate) return this.replyPrivately(content)
    if (this.room === undefined) {
      throw new NoRecipientError(
        `ctx.reply() needs a room, but this '${this.kind}' update has none; ` +
          `use bot.room(uri)?.send() to post somewhere`,
      )
    }
    return this.room.send(content)
  }

  /**
   * Sends a private message to whoever caused the update: the sender of a message or composing
   * indication, or the participant who joined, left or changed nickname. Throws BOT_NO_RECIPIENT
   * synchronously when there is nobody to answer (see `reply`).
   *
   * @example
   * ```ts
   * bot.on('join', (ctx) => ctx.replyPrivately('welcome! type /help'))
   * ```
   */
  replyPrivately(content: OutgoingContent): Promise<SendReceipt> {
    // A direct message is private already: the answer goes back the way it came.
    if (this.kind === 'direct') return this.reply(content)
    const to = this.sender?.uri ?? this.participant?.uri
    if (this.room === undefined || to === undefined) {
      throw new NoRecipientError(
        `ctx.replyPrivately() needs a room and a person, but this '${this.kind}' update has ` +
          `${this.room === undefined ? 'no room' : 'no sender or participant'}`,
      )
    }
    return this.room.sendPrivate(to, content)
  }

  /**
   * Shows the bot as typing in the update's room (RFC 3994); no-op outside a room.
   *
   * @example
   * ```ts
   * bot.command('weather', async (ctx) => { await ctx.typing(); await ctx.reply(await forecast()) })
   * ```
   */
  async typing(active = true): Promise<void> {
    await this.room?.typing(active)
  }
}
