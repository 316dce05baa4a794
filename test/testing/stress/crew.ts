// The bots and people of the restart stress test: who is in which room under which nickname,
// what each received, what became of each message sent, and waits on their state that are
// driven by their events (no sleeps): "everyone is back", "everyone heard the roll call".
import { createBot } from '../../../src/bot/bot.ts'
import type { Bot } from '../../../src/bot/bot.ts'
import type { BackendEvent, RoomHandle } from '../../../src/chat/backend.ts'
import type { RoomClient } from '../../../src/chat/room-client.ts'
import type { SipChatBackend } from '../../../src/chat/sip-chat-backend.ts'
import { appendFileSync } from 'node:fs'
import { MsrpBotError } from '../../../src/errors.ts'
import { silentLogger } from '../../../src/logger.ts'
import type { ChatLogger } from '../../../src/chat/room-client.ts'
import { testingHooksOf } from '../../../src/chat/testing-hooks.ts'

export const STRESS_DOMAIN = 'example.test'
export const STRESS_ROOMS = ['lobby', 'dev'] as const
export type RoomName = (typeof STRESS_ROOMS)[number]

/** Who takes part: bots answer "ping" in every room they are in; people only talk. */
export const CAST: ReadonlyArray<{ name: string; kind: 'bot' | 'person'; rooms: Partial<Record<RoomName, string>> }> = [
  { name: 'echo', kind: 'bot', rooms: { lobby: 'echo', dev: 'echo-dev' } },
  { name: 'herald', kind: 'bot', rooms: { lobby: 'herald' } },
  { name: 'alice', kind: 'person', rooms: { lobby: 'Alice', dev: 'alice-dev' } },
  { name: 'bob', kind: 'person', rooms: { lobby: 'Bob' } },
  { name: 'carol', kind: 'person', rooms: { dev: 'Carol' } },
]

const LOG_FILE = process.env.STRESS_LOG

function journal(name: string, line: string): void {
  if (LOG_FILE !== undefined) appendFileSync(LOG_FILE, `${((performance.timeOrigin + performance.now()) % 1e6).toFixed(1)} ${name}: ${line}\n`)
}

/** Writes a line of the test's own (restarts, rounds) to the STRESS_LOG file, if set. */
export function note(line: string): void {
  journal('test', line)
}

export const roomUri = (room: RoomName): string => `sip:${room}@${STRESS_DOMAIN}`

/** A message as one member received it. */
export interface Heard {
  room: string
  from: string
  nickname: string | undefined
  text: string
}

/** What became of one message sent during a restart. */
export interface SendOutcome {
  member: string
  room: string
  text: string
  /** undefined while pending, then 'delivered' or the failure. */
  result: 'delivered' | { error: unknown } | undefined
}

/** A step of joining or reconnecting, as the chat layer logs it (`<uri>: step <name> started`). */
export type Moment = 'REGISTER' | 'INVITE' | 'MSRP connect' | 'MSRP bind' | 'NICKNAME' | 'SUBSCRIBE'
export const MOMENTS: readonly Moment[] = ['REGISTER', 'INVITE', 'MSRP connect', 'MSRP bind', 'NICKNAME', 'SUBSCRIBE']

/** One bot or person. */
export class Member {
  readonly name: string
  readonly uri: string
  readonly kind: 'bot' | 'person'
  /** Room URI → the nickname it must have there. */
  readonly nicknames: ReadonlyMap<string, string>
  readonly heard: Heard[] = []
  /** Errors the bot's handlers or sends reported (bots only). */
  readonly botErrors: unknown[] = []
  backend!: SipChatBackend
  bot: Bot | undefined
  readonly #handles = new Map<string, RoomHandle>()
  readonly #stepWatchers = new Set<(line: string) => void>()

  constructor(name: string, kind: 'bot' | 'person', rooms: Partial<Record<RoomName, string>>) {
    this.name = name
    this.kind = kind
    this.uri = `sip:${name}@${STRESS_DOMAIN}`
    this.nicknames = new Map(Object.entries(rooms).map(([room, nickname]) => [roomUri(room as RoomName), nickname]))
  }

  /**
   * The logger to give this member's backend: it reports step starts to {@link onStep}, and
   * with STRESS_LOG=<file> appends every line there (to see what a stuck client was doing).
   */
  readonly logger: ChatLogger = {
    debug: (line) => {
      journal(this.name, line)
      for (const watcher of this.#stepWatchers) watcher(line)
    },
    info: (line) => journal(this.name, line),
    warn: (line) => journal(this.name, `WARN ${line}`),
  }

  /**
   * `reached` resolves the first time this member starts `moment` (a step of a join or
   * reconnect); `cancel()` stops watching (a round that failed must not restart the next one).
   */
  onStep(moment: Moment): { reached: Promise<void>; cancel: () => void } {
    const marker = `${this.uri}: step ${moment}`
    let watcher: (line: string) => void = () => undefined
    const reached = new Promise<void>((resolve) => {
      watcher = (line) => {
        if (!line.startsWith(marker) || !line.endsWith(' started')) return
        this.#stepWatchers.delete(watcher)
        resolve()
      }
      this.#stepWatchers.add(watcher)
    })
    return { reached, cancel: () => void this.#stepWatchers.delete(watcher) }
  }

  /** Starts the member on `backend` and joins its rooms. */
  async start(backend: SipChatBackend): Promise<void> {
    this.backend = backend
    backend.subscribe((event) => this.#record(event))
    if (this.kind === 'bot') {
      const bot = createBot({ uri: this.uri, rateLimit: false }, { backend, logger: silentLogger })
      bot.hears(/^ping (.+)$/, (ctx) => ctx.reply(`${this.name} pong ${ctx.match?.[1] ?? ''}`))
      bot.catch((error) => void this.botErrors.push(error.error))
      this.bot = bot
      await bot.start()
      for (const [room, nickname] of this.nicknames) await bot.join(room, { nickname })
      return
    }
    await backend.start()
    for (const [room, nickname] of this.nicknames) this.#handles.set(room, await backend.join(room, { nickname }))
  }

  #record(event: BackendEvent): void {
    if (event.type !== 'message' || event.private) return
    this.heard.push({ room: event.room, from: event.sender.uri, nickname: event.sender.nickname, text: String(event.body) })
  }

  /** Sends a public message (a bot through its outbound queue, a person straight to the backend). */
  send(room: string, text: string): Promise<unknown> {
    if (this.bot !== undefined) {
      const handle = this.bot.room(room)
      if (handle === undefined) return Promise.reject(new MsrpBotError('TEST_NOT_IN_ROOM', `${this.name} is not in ${room}`))
      return handle.send(text)
    }
    const handle = this.#handles.get(room)
    if (handle === undefined) return Promise.reject(new MsrpBotError('TEST_NOT_IN_ROOM', `${this.name} is not in ${room}`))
    return handle.send(text)
  }

  /** What is still missing for this member to count as back: state, rooms, nicknames, roster. */
  problems(crew: Crew): string[] {
    const found: string[] = []
    if (this.backend.state !== 'online') found.push(`${this.name} is ${this.backend.state}`)
    for (const [room, nickname] of this.nicknames) {
      const client = this.backend.rooms.find((r) => r.uri === room) as RoomClient | undefined
      if (client === undefined) {
        found.push(`${this.name} no longer holds ${room}`)
        continue
      }
      if (client.state !== 'joined') found.push(`${this.name} is ${client.state} in ${room}`)
      if (client.nickname !== nickname) found.push(`${this.name} is "${client.nickname ?? ''}" in ${room}, not "${nickname}"`)
      for (const other of crew.membersOf(room)) {
        const seen = client.participants.find((p) => p.uri === other.uri)
        const wanted = other.nicknames.get(room)
        if (seen?.nickname !== wanted) found.push(`${this.name}'s roster of ${room} shows ${other.name} as ${seen === undefined ? 'absent' : `"${seen.nickname ?? ''}"`}`)
      }
    }
    return found
  }
}

/** Every member, their traffic, and waits on their state. */
export class Crew {
  readonly members: readonly Member[]
  readonly outcomes: SendOutcome[] = []
  readonly #changed = new Set<() => void>()

  constructor() {
    this.members = CAST.map((c) => new Member(c.name, c.kind, c.rooms))
  }

  /** Starts everyone, each on the backend `makeBackend` gives it. */
  async start(makeBackend: (member: Member) => SipChatBackend): Promise<void> {
    for (const member of this.members) {
      const backend = makeBackend(member)
      backend.subscribe(() => this.#notify())
      await member.start(backend)
    }
  }

  membersOf(room: string): Member[] {
    return this.members.filter((m) => m.nicknames.has(room))
  }

  member(name: string): Member {
    const found = this.members.find((m) => m.name === name)
    if (found === undefined) throw new Error(`no member ${name}`)
    return found
  }

  get backends(): SipChatBackend[] {
    return this.members.map((m) => m.backend)
  }

  /** Everyone says something in each of their rooms, and each person pings the bots; nothing is awaited. */
  chatter(tag: string): void {
    for (const member of this.members) {
      for (const room of member.nicknames.keys()) {
        this.#track(member, room, `${tag} from ${member.name}`)
        if (member.kind === 'person') this.#track(member, room, `ping ${tag}-${member.name}`)
      }
    }
  }

  #track(member: Member, room: string, text: string): SendOutcome {
    const outcome: SendOutcome = { member: member.name, room, text, result: undefined }
    this.outcomes.push(outcome)
    journal(member.name, `send "${text}" to ${room}`)
    member.send(room, text).then(
      () => {
        journal(member.name, `send "${text}" to ${room}: delivered`)
        outcome.result = 'delivered'
        this.#notify()
      },
      (error: unknown) => {
        journal(member.name, `send "${text}" to ${room}: ${(error as { code?: string }).code ?? String(error)}`)
        outcome.result = { error }
        this.#notify()
      },
    )
    return outcome
  }

  /** What is missing for everyone to be back in their rooms with their nicknames. */
  problems(): string[] {
    return this.members.flatMap((m) => m.problems(this))
  }

  /** Sends still waiting for their outcome. */
  pending(): SendOutcome[] {
    return this.outcomes.filter((o) => o.result === undefined)
  }

  /**
   * Resolves once `done()` returns no problems. It re-checks whenever a member's backend emits
   * an event or a send settles, and whenever every backend has gone idle; it rejects with the
   * remaining problems after `timeoutMs`, which only a stuck client reaches. `signal` ends the
   * wait early (resolving).
   */
  async until(what: string, done: () => string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs)
    })
    const onAbort = (): void => this.#notify()
    signal?.addEventListener('abort', onAbort)
    try {
      for (;;) {
        if (signal?.aborted === true || done().length === 0) return
        const activity = this.#activity()
        const moved = new Promise<'moved'>((resolve) => this.#changed.add(() => resolve('moved')))
        // Idle backends with nothing moving: only an event can change anything now.
        const quiet = Promise.all(this.backends.map((b) => testingHooksOf(b).idle())).then(async () => {
          for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
          return this.#activity() === activity ? new Promise<never>(() => undefined) : ('moved' as const)
        })
        if ((await Promise.race([moved, quiet, expired])) === 'expired') {
          const still = done()
          if (still.length === 0) return
          throw new MsrpBotError('TEST_STRESS_STUCK', `${what}: not done after ${timeoutMs} ms: ${still.join('; ')}`)
        }
        this.#changed.clear()
      }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  #activity(): number {
    return this.backends.reduce((n, b) => n + testingHooksOf(b).activity, 0)
  }

  #notify(): void {
    for (const wake of [...this.#changed]) wake()
  }
}
