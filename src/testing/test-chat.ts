/**
 * `createTestChat`: an in-process chat server (memory transports, no sockets) with scripted
 * participants, for testing bots. The bot runs on the real chat layer ({@link SipChatBackend});
 * only the transport differs from production, so the same bot code runs unchanged against a
 * real server.
 *
 * @module
 */
import type { RoomFileOptions } from '../server/room-files.ts'
import { createBot } from '../bot/bot.ts'
import type { Bot, BotOptions } from '../bot/bot.ts'
import { validateConfig } from '../bot/config.ts'
import type { BotConfigInput } from '../bot/config.ts'
import type { Context } from '../bot/context.ts'
import type { Room } from '../bot/room.ts'
import { uriHost } from '../rooms/identity.ts'
import type { BackoffOptions } from '../chat/backoff.ts'
import type { ChatBackend } from '../chat/backend.ts'
import type { ChatLogger } from '../chat/room-client.ts'
import { SipChatBackend } from '../chat/sip-chat-backend.ts'
import { MsrpBotError } from '../errors.ts'
import { createChatNetwork, startChatServer } from '../server/index.ts'
import type { ChatNetwork, ChatRoomSettings, ChatServer, ChatServerLogger, RoomsOnDemandPolicy } from '../server/index.ts'
import { TestParticipant } from './participant.ts'
import type { ParticipantOptions } from './participant.ts'
import { testingHooksOf } from '../chat/testing-hooks.ts'

/** Options of {@link createTestChat}. */
export interface TestChatOptions {
  /** The SIP domain (default `example.test`); bots and participants are `sip:<name>@<domain>`. */
  domain?: string | undefined
  /** Rooms to create (names or name → policy). Default: `['lobby']`. */
  rooms?: string[] | Record<string, ChatRoomSettings> | undefined
  /**
   * Accounts: name → password. With it the server demands digest authentication and
   * participants use their password from here; without it anyone may register.
   */
  users?: Record<string, string> | undefined
  /**
   * Create rooms on first use (default false: unknown rooms answer 404); a policy here is the
   * one every such room gets, e.g. `{ moderators: ['sip:mod@example.test'] }`.
   */
  autoCreateRooms?: boolean | ChatRoomSettings | undefined
  /** Limits of rooms created on demand and what is kept of them (see the server's `roomsOnDemand`). */
  roomsOnDemand?: RoomsOnDemandPolicy | undefined
  /**
   * Public messages each room keeps and replays to those who join later (default 20, 0: none):
   * bots get them as `history` updates, participants in `participant.history`.
   */
  history?: number | undefined
  /** Reconnect pacing for every backend (default: 10 ms doubling to 200 ms). */
  reconnect?: BackoffOptions | undefined
  /** Files in rooms (RFC 5547): the server's storage folder and limits; without it rooms take no files. */
  files?: RoomFileOptions | undefined
  /** Server log (default silent). */
  serverLogger?: ChatServerLogger | undefined
  /** Client log (default `NODE_DEBUG=msrp-bot:chat`). */
  clientLogger?: ChatLogger | undefined
}

const FAST_RECONNECT: BackoffOptions = { initialMs: 10, maxMs: 200, factor: 2, jitter: 0.5 }
/** How many consecutive quiet turns of the event loop count as "settled". */
const QUIET_TURNS = 3

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * A chat server in this process plus the bots and participants attached to it.
 *
 * @example
 * ```ts
 * import { createBot } from 'msrp-bot'
 * import { createTestChat } from 'msrp-bot/testing'
 *
 * const chat = await createTestChat({ rooms: ['lobby'] })
 * const bot = chat.attach(createBot({ uri: 'sip:echo@example.test' }))
 * bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
 * await bot.start()
 * await bot.join(chat.roomUri('lobby'), { nickname: 'echo' })
 *
 * const alice = await chat.participant('alice')
 * await alice.join('lobby')
 * await alice.say('hi')
 * await chat.settled()
 * assert.deepEqual(alice.lines, ['alice: hi', 'echo: you said: hi'])
 * await bot.stop()
 * await chat.close()
 * ```
 */
export class TestChat {
  /** The SIP domain. */
  readonly domain: string
  /** The in-process networks (SIP and MSRP) everything here runs on. */
  readonly network: ChatNetwork
  readonly #options: TestChatOptions
  #server: ChatServer
  readonly #backends = new Set<SipChatBackend>()
  readonly #bots = new Set<Bot<Context>>()
  readonly #participants = new Map<string, TestParticipant>()
  #closed = false

  /** @internal use {@link createTestChat} */
  constructor(server: ChatServer, network: ChatNetwork, options: TestChatOptions) {
    this.#server = server
    this.network = network
    this.domain = server.domain
    this.#options = options
  }

  /** The running server (a new one after {@link restartServer}). */
  get server(): ChatServer {
    return this.#server
  }

  /** The participants created so far, by name. */
  get participants(): ReadonlyMap<string, TestParticipant> {
    return this.#participants
  }

  /**
   * The URI of a room: `sip:<name>@<domain>` (a URI is returned as is).
   *
   * @example
   * ```ts
   * await bot.join(chat.roomUri('lobby'))
   * ```
   */
  roomUri(name: string): string {
    return /^sips?:/i.test(name) ? name : `sip:${name}@${this.domain}`
  }

  #firstRoom(): string | undefined {
    const rooms = this.#options.rooms ?? ['lobby']
    return Array.isArray(rooms) ? rooms[0] : Object.keys(rooms)[0]
  }

  #clientOptions() {
    return {
      reconnect: this.#options.reconnect ?? FAST_RECONNECT,
      mediaGraceMs: 200,
      ...(this.#options.clientLogger === undefined ? {} : { logger: this.#options.clientLogger }),
    }
  }

  /**
   * Points a bot at this chat: its backend (the default `SipChatBackend` that `createBot`
   * makes) runs over the in-process network instead of sockets. Call before `bot.start()`.
   * Returns the bot, so it chains.
   *
   * @example
   * ```ts
   * const bot = chat.attach(createBot({ uri: 'sip:echo@example.test' }))
   * ```
   */
  attach<B extends { backend: ChatBackend }>(bot: B): B {
    const backend = bot.backend
    if (!(backend instanceof SipChatBackend)) {
      throw new MsrpBotError(
        'TEST_CHAT_ATTACH',
        'chat.attach(bot): the bot does not run on a SipChatBackend (was it created with { backend }?). ' +
          "Create it with createBot(config) from 'msrp-bot' (the default backend), or use chat.createBot(config).",
      )
    }
    if (backend.state !== 'idle') throw new MsrpBotError('TEST_CHAT_ATTACH', 'chat.attach(bot) must be called before bot.start()')
    if (uriHost(backend.uri) !== this.domain.toLowerCase()) {
      throw new MsrpBotError('TEST_CHAT_ATTACH', `chat.attach(bot): the bot's URI ${backend.uri} is not in this chat's domain ${this.domain}; use sip:<name>@${this.domain}`)
    }
    testingHooksOf(backend).useMemoryNetwork(this.network, this.#clientOptions())
    this.#backends.add(backend)
    if (bot instanceof Object && 'rooms' in bot) this.#bots.add(bot as unknown as Bot<Context>)
    return bot
  }

  /**
   * Creates a bot already attached to this chat (same as `chat.attach(createBot(config, options))`).
   *
   * @example
   * ```ts
   * const bot = chat.createBot({ uri: 'sip:echo@example.test' })
   * ```
   */
  createBot<C extends Context = Context>(config: BotConfigInput, options: BotOptions<C> = {}): Bot<C> {
    const validated = validateConfig(config, options.env)
    const backend = new SipChatBackend(validated)
    return this.attach(createBot<C>(config, { ...options, backend }))
  }

  /**
   * Creates and registers a participant `sip:<name>@<domain>` (not yet in a room).
   *
   * @example
   * ```ts
   * const alice = await chat.participant('alice', { nickname: 'Alice' })
   * await alice.join('lobby')
   * ```
   */
  async participant(name: string, options: ParticipantOptions = {}): Promise<TestParticipant> {
    if (this.#participants.has(name)) throw new MsrpBotError('TEST_CHAT_PARTICIPANT', `there is already a participant "${name}" in this test chat`)
    const uri = `sip:${name}@${this.domain}`
    const password = options.password ?? this.#options.users?.[name]
    const backend = new SipChatBackend(
      {
        uri,
        transport: 'tcp',
        ...(password === undefined ? {} : { password }),
        ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
      },
      { memory: this.network, ...this.#clientOptions(), automaton: false, onInvitation: (invitation) => participant.receiveInvitation(invitation) },
    )
    this.#backends.add(backend)
    const participant: TestParticipant = new TestParticipant({
      invitations: options.invitations,
      pushedFiles: options.pushedFiles,
      name,
      uri,
      backend,
      nickname: options.nickname ?? name,
      resolveRoom: (room) => this.roomUri(room),
      defaultRoom: () => this.#firstRoom(),
      delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    })
    await backend.start()
    this.#participants.set(name, participant)
    return participant
  }

  /**
   * Makes `by` invite `bot` into the room `by` is in (REFER method=INVITE, RFC 4579 §5.5) and
   * resolves with the bot's room once the bot has joined it: at once when it is there already.
   * Rejects INVITATION_DECLINED (`statusCode` 603, 486) when the bot declined, and
   * TEST_INVITE_NOT_JOINED when the bot answered but did not end up in the room.
   *
   * @example
   * ```ts
   * bot.on('invitation', (ctx) => ctx.invitation.accept())
   * const room = await chat.invite(bot, alice)
   * await alice.say('hi')
   * ```
   */
  async invite<C extends Context>(bot: Bot<C>, by: TestParticipant): Promise<Room> {
    const roomUri = by.room?.uri
    if (roomUri === undefined) throw new MsrpBotError('TEST_INVITE_NO_ROOM', `chat.invite(bot, ${by.name}): ${by.name} is in no room; await ${by.name}.join() first`)
    const there = bot.room(roomUri)
    if (there !== undefined) return there
    await by.invite(bot.uri)
    // The room's call is answered before the bot's session, nickname and roster are up.
    await this.settled()
    const room = bot.room(roomUri)
    if (room === undefined) throw new MsrpBotError('TEST_INVITE_NOT_JOINED', `chat.invite(bot, ${by.name}): the invitation to ${roomUri} succeeded but ${bot.uri} is not in that room (see the bot's log)`)
    return room
  }

  #quiet(): boolean {
    for (const backend of this.#backends) if (testingHooksOf(backend).busy > 0) return false
    for (const bot of this.#bots) for (const room of bot.rooms) if (room.queue.size > 0) return false
    return true
  }

  #snapshot(): string {
    let activity = 0
    for (const backend of this.#backends) activity += testingHooksOf(backend).activity
    return `${activity}/${this.network.sip.delivered}/${this.network.sip.dropped}`
  }

  /**
   * Resolves once everything in flight has finished: every message sent has been delivered and
   * handled (bots' handlers included, and their replies), roster updates arrived, reconnects
   * completed. No sleeping: it watches the work the server and backends have in progress and
   * the in-process network, until several turns of the event loop pass with nothing happening.
   * Rejects with TEST_NOT_SETTLED (naming what is still busy) after `timeoutMs` (default 10 s),
   * e.g. when a participant cannot reconnect.
   *
   * @example
   * ```ts
   * await alice.say('!ping')
   * await chat.settled()
   * assert.deepEqual(alice.lines.at(-1), 'echo: pong')
   * ```
   */
  async settled(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MsrpBotError('TEST_NOT_SETTLED', `chat.settled(): still busy after ${timeoutMs} ms: ${this.#busyReport()}`)), timeoutMs)
    })
    try {
      await Promise.race([this.#settle(), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  #busyReport(): string {
    const busy: string[] = []
    for (const b of this.#backends) if (testingHooksOf(b).busy > 0) busy.push(`${b.uri} (${b.state}, ${testingHooksOf(b).busy} in flight)`)
    for (const bot of this.#bots) for (const room of bot.rooms) if (room.queue.size > 0) busy.push(`${bot.uri} has ${room.queue.size} sends queued for ${room.uri}`)
    return busy.length === 0 ? 'the network kept moving (a loop of messages?)' : busy.join('; ')
  }

  async #settle(): Promise<void> {
    for (;;) {
      await Promise.all([...this.#backends].map((b) => testingHooksOf(b).idle()))
      // Handlers and scheduled jobs may await more than the network (files, a database).
      await Promise.all([...this.#bots].map((bot) => bot.idle()))
      const before = this.#snapshot()
      let quiet = true
      for (let turn = 0; turn < QUIET_TURNS && quiet; turn++) {
        await nextTurn()
        quiet = this.#quiet() && this.#snapshot() === before
      }
      if (quiet) return
      // Something moved: a bot's paced send may be waiting on a timer; let it run.
      if (!this.#quiet()) await Promise.all([...this.#bots].flatMap((bot) => bot.rooms.map((room) => room.queue.drain())))
    }
  }

  /**
   * Restarts the server with the same rooms and users but none of their live state. By default
   * as a crash would (connections cut, no goodbyes); with `{ graceful: true }` as an operator
   * would: `close()` sends every participant a BYE with `Reason: SIP;cause=503` (server
   * shutting down, RFC 3326), which clients read as "come back later", not as a kick. Either
   * way every bot and participant reconnects, re-registers and re-joins its rooms with its
   * nickname; resolves when they have.
   *
   * @example
   * ```ts
   * await chat.restartServer()
   * await chat.restartServer({ graceful: true })
   * await alice.say('still there?')
   * ```
   */
  async restartServer(options: { graceful?: boolean } = {}): Promise<void> {
    const old = this.#server
    if (options.graceful === true) {
      await old.close()
      this.#server = await startChatServer(serverOptions(this.domain, this.#options, this.network))
      await this.settled()
      return
    }
    const sip = this.network.sip
    const clients = [...this.#backends].filter((b) => b.userAgent?.state === 'started')
    // Cut the clients off (no new connections), drop their connections and let the closes
    // reach the server, so the old server's BYEs and NOTIFYs go nowhere (a crash sends none).
    for (const backend of clients) sip.partition(this.domain, backend.userAgent!.localAddress.address)
    for (const backend of clients) testingHooksOf(backend).dropConnections()
    await nextTurn()
    await old.close()
    sip.heal()
    this.#server = await startChatServer(serverOptions(this.domain, this.#options, this.network))
    await this.settled()
  }

  /**
   * Stops every participant (and any attached bot's backend still running) and the server.
   *
   * @example
   * ```ts
   * after(() => chat.close())
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled([...this.#bots].map((bot) => bot.stop({ timeoutMs: 2000 })))
    await Promise.allSettled([...this.#backends].map((b) => b.stop()))
    await this.#server.close()
  }
}

function serverOptions(domain: string, o: TestChatOptions, network: ChatNetwork): Parameters<typeof startChatServer>[0] {
  return {
    domain,
    rooms: o.rooms ?? ['lobby'],
    transport: { kind: 'memory', network },
    ...(o.users === undefined ? {} : { users: o.users }),
    ...(o.autoCreateRooms === undefined ? {} : { autoCreateRooms: o.autoCreateRooms }),
    ...(o.roomsOnDemand === undefined ? {} : { roomsOnDemand: o.roomsOnDemand }),
    ...(o.history === undefined ? {} : { history: o.history }),
    ...(o.serverLogger === undefined ? {} : { logger: o.serverLogger }),
    ...(o.files === undefined ? {} : { files: o.files }),
  }
}

/**
 * Starts an in-process chat server for a test. Close it with `chat.close()`.
 *
 * @example
 * ```ts
 * const chat = await createTestChat({ rooms: ['lobby', 'dev'], users: { alice: 'pw', echo: 'pw' } })
 * ```
 */
export async function createTestChat(options: TestChatOptions = {}): Promise<TestChat> {
  const network = createChatNetwork()
  const server = await startChatServer(serverOptions(options.domain ?? 'example.test', options, network))
  return new TestChat(server, network, options)
}
