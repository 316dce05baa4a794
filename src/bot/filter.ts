/**
 * Filter queries for `bot.on()`: checked at compile time, compiled to predicates once, and
 * narrowing the context type so handlers need no casts.
 *
 * @module
 */
import type { BotFile } from './file.ts'
import type { BotInvitation } from './invitation.ts'
import { editDistance } from './config.ts'
import type { ConnectionState, DirectAddress, Participant, RoomClosedReason, Sender } from '../chat/backend.ts'
import type { CommandInfo } from './commands.ts'
import type { ContactPresence, Context } from './context.ts'
import type { Room } from './room.ts'

interface MessageFields {
  room: Room
  sender: Sender
  text: string
  contentType: string
  body: string | Uint8Array
  messageId: string
}

/** What each filter query guarantees about the context. */
export interface FilterShapes {
  /** A public message in a room. */
  message: MessageFields & { kind: 'message'; isPrivate: false }
  /** A public message with `text/*` content and non-empty text. */
  'message:text': MessageFields & { kind: 'message'; isPrivate: false; body: string }
  /** A public message with non-text content (`body` is bytes, `text` is ''). */
  'message:media': MessageFields & { kind: 'message'; isPrivate: false; body: Uint8Array }
  /**
   * A public message the room replayed from before the bot joined (its history: the msrp-bot
   * server marks replays, SylkServer's are told by their age). Never a 'message'.
   */
  history: MessageFields & { kind: 'history'; isPrivate: false; isHistory: true }
  /** A replayed message with `text/*` content and non-empty text. */
  'history:text': MessageFields & { kind: 'history'; isPrivate: false; isHistory: true; body: string }
  /** A replayed message with non-text content. */
  'history:media': MessageFields & { kind: 'history'; isPrivate: false; isHistory: true; body: Uint8Array }
  /** A private message to the bot in a room. */
  private: MessageFields & { kind: 'private'; isPrivate: true }
  /** A private message with `text/*` content and non-empty text. */
  'private:text': MessageFields & { kind: 'private'; isPrivate: true; body: string }
  /** A private message with non-text content. */
  'private:media': MessageFields & { kind: 'private'; isPrivate: true; body: Uint8Array }
  /**
   * The room itself said something (a welcome, "alice has joined"): a system notice, never a
   * person's message.
   */
  notice: { kind: 'notice'; room: Room; text: string; notice: 'status' | 'info' }
  /** Someone joined a room the bot is in. */
  join: { kind: 'join'; room: Room; participant: Participant }
  /** Someone left a room the bot is in. */
  leave: { kind: 'leave'; room: Room; participant: Participant }
  /** Someone changed nickname. */
  nickname: {
    kind: 'nickname'
    room: Room
    participant: Participant
    previousNickname: string | undefined
  }
  /** Someone started or stopped typing. */
  composing: { kind: 'composing'; room: Room; sender: Sender; composing: boolean }
  /** A watched contact's presence changed. */
  presence: { kind: 'presence'; presence: ContactPresence }
  /** A room closed or the bot was kicked out of it. */
  'room-closed': { kind: 'room-closed'; room: Room; closedReason: RoomClosedReason }
  /** The backend lost or regained its connection. */
  connection: { kind: 'connection'; connection: ConnectionState }
  /** A message to the bot's own address, outside any room (page-mode MESSAGE or a 1:1 session). */
  direct: Omit<MessageFields, 'room'> & { kind: 'direct'; room: undefined; direct: DirectAddress }
  /** A direct message with `text/*` content and non-empty text. */
  'direct:text': Omit<MessageFields, 'room'> & { kind: 'direct'; room: undefined; direct: DirectAddress; body: string }
  /** A direct message with non-text content. */
  'direct:media': Omit<MessageFields, 'room'> & { kind: 'direct'; room: undefined; direct: DirectAddress; body: Uint8Array }
  /** A file sent to the bot's own address, or shared in one of its rooms (`ctx.room` set) (RFC 5547); `ctx.file` downloads it. */
  file: { kind: 'file'; sender: Sender; file: BotFile }
  /**
   * A room calls the bot in (someone asked it to invite the bot): `ctx.invitation.accept()`
   * joins it, `decline()` refuses; unanswered, `acceptInvitations` decides (default: declined).
   */
  invitation: { kind: 'invitation'; room: undefined; invitation: BotInvitation }
  /** A 1:1 session ended (BYE either way, or its connection was lost). */
  'direct-closed': { kind: 'direct-closed'; room: undefined; direct: DirectAddress }
  /** The backend lost its connection. */
  'connection:disconnected': { kind: 'connection'; connection: 'disconnected' }
  /** The backend is back (re-registered, rooms re-joined). */
  'connection:reconnected': { kind: 'connection'; connection: 'reconnected' }
}

/** A valid argument to `bot.on()`: one of the keys of {@link FilterShapes}. */
export type FilterQuery = keyof FilterShapes

/**
 * The context type after a filter: `Filter<Context, 'join'>` has `participant: Participant`.
 * A union of queries gives a union of narrowed contexts.
 */
export type Filter<C extends Context, Q extends FilterQuery> = Q extends FilterQuery
  ? C & FilterShapes[Q]
  : never

/** The context inside `bot.command()` handlers. */
export type CommandContext<C extends Context> = Filter<C, 'message:text' | 'private:text'> & {
  command: CommandInfo
  match: string
}

/** The context inside `bot.hears()` handlers. */
export type HearsContext<C extends Context> = Filter<C, 'message:text' | 'private:text'> & {
  match: RegExpMatchArray
}

const isMessage = (ctx: Context): boolean => ctx.kind === 'message'
const isPrivate = (ctx: Context): boolean => ctx.kind === 'private'
const hasText = (ctx: Context): boolean => typeof ctx.body === 'string' && ctx.text !== ''
const isMedia = (ctx: Context): boolean => ctx.body instanceof Uint8Array
const inRoom = (ctx: Context): boolean => ctx.room !== undefined

const PREDICATES: { [Q in FilterQuery]: (ctx: Context) => boolean } = {
  message: (ctx) => isMessage(ctx) && inRoom(ctx),
  'message:text': (ctx) => isMessage(ctx) && inRoom(ctx) && hasText(ctx),
  'message:media': (ctx) => isMessage(ctx) && inRoom(ctx) && isMedia(ctx),
  history: (ctx) => ctx.kind === 'history' && inRoom(ctx),
  'history:text': (ctx) => ctx.kind === 'history' && inRoom(ctx) && hasText(ctx),
  'history:media': (ctx) => ctx.kind === 'history' && inRoom(ctx) && isMedia(ctx),
  private: (ctx) => isPrivate(ctx) && inRoom(ctx),
  'private:text': (ctx) => isPrivate(ctx) && inRoom(ctx) && hasText(ctx),
  'private:media': (ctx) => isPrivate(ctx) && inRoom(ctx) && isMedia(ctx),
  notice: (ctx) => ctx.kind === 'notice' && inRoom(ctx),
  join: (ctx) => ctx.kind === 'join' && inRoom(ctx),
  leave: (ctx) => ctx.kind === 'leave' && inRoom(ctx),
  nickname: (ctx) => ctx.kind === 'nickname' && inRoom(ctx),
  composing: (ctx) => ctx.kind === 'composing' && inRoom(ctx),
  presence: (ctx) => ctx.kind === 'presence',
  'room-closed': (ctx) => ctx.kind === 'room-closed' && inRoom(ctx),
  connection: (ctx) => ctx.kind === 'connection',
  direct: (ctx) => ctx.kind === 'direct',
  'direct:text': (ctx) => ctx.kind === 'direct' && hasText(ctx),
  'direct:media': (ctx) => ctx.kind === 'direct' && isMedia(ctx),
  'direct-closed': (ctx) => ctx.kind === 'direct-closed',
  file: (ctx) => ctx.kind === 'file',
  invitation: (ctx) => ctx.kind === 'invitation' && ctx.invitation !== undefined,
  'connection:disconnected': (ctx) => ctx.connection === 'disconnected',
  'connection:reconnected': (ctx) => ctx.connection === 'reconnected',
}

/** Every valid filter query, in declaration order. */
export const FILTER_QUERIES = Object.keys(PREDICATES) as FilterQuery[]

/**
 * Compiles one query or a list of them (any may match) into a type guard. Throws for unknown
 * queries (for JavaScript callers; TypeScript rejects them at compile time).
 */
export function matchFilter<C extends Context, Q extends FilterQuery>(
  query: Q | readonly Q[],
): (ctx: C) => ctx is Filter<C, Q> {
  const queries: readonly string[] = Array.isArray(query) ? query : [query as string]
  if (queries.length === 0) throw new TypeError('bot.on() needs at least one filter query')
  const predicates = queries.map((q) => {
    const p = (PREDICATES as Record<string, (ctx: Context) => boolean>)[q]
    if (p === undefined || !Object.hasOwn(PREDICATES, q)) {
      // The closest valid query within two edits: 'mesage' → 'message'.
      const ranked = typeof q === 'string' ? FILTER_QUERIES.map((v) => ({ v, d: editDistance(q.toLowerCase(), v) })).sort((a, b) => a.d - b.d) : []
      const guess = ranked[0] !== undefined && ranked[0].d <= 2 ? ranked[0].v : undefined
      throw new TypeError(
        `unknown filter query "${q}"; ${guess === undefined ? '' : `did you mean '${guess}'? `}valid queries are: ${FILTER_QUERIES.map((v) => `'${v}'`).join(', ')}`,
      )
    }
    return p
  })
  return (ctx: C): ctx is Filter<C, Q> => predicates.some((p) => p(ctx))
}
