/**
 * `roomWith()`: a fresh room with the bot and the named people in it, every test starting from
 * empty transcripts. What each project's bot.test.ts used to define for itself.
 *
 * @module
 */
import type { TestParticipant } from './participant.ts'
import type { TestChat } from './test-chat.ts'

/** Options of {@link roomWith}. */
export interface RoomWithOptions {
  /** The bot's nickname in the room (default: the user part of its URI). */
  readonly nickname?: string
  /** A room name to use instead of a fresh one (e.g. one made with other settings). */
  readonly room?: string
}

/** What roomWith needs of a bot: any `Bot`, whatever its context type. */
export interface RoomWithBot {
  readonly uri: string
  join(room: string, options: { nickname: string }): Promise<unknown>
}

/** Per test chat: rooms made so far, and the people (made once, moved from room to room). */
const state = new WeakMap<TestChat, { rooms: number; people: Map<string, TestParticipant> }>()

/**
 * Makes a new room (`room1`, `room2`, …) on `chat`, joins `bot` to it, then the people named
 * (`sip:<name>@<domain>`, nickname `<name>`; one participant per name for the whole chat, which
 * leaves its previous room first), waits until everything settled and clears every
 * participant's transcript. The chat needs `autoCreateRooms: true`.
 *
 * @example
 * ```ts
 * const chat = await createTestChat({ domain: 'localhost', autoCreateRooms: true })
 * const bot = chat.attach(myBot)
 * await bot.start()
 * const { alice, bob } = await roomWith(chat, bot, ['alice', 'bob'])
 * await alice.say('hello')
 * await chat.settled()
 * assert.deepEqual(bob.lines, ['alice: hello', 'echo: you said: hello'])
 * ```
 */
export async function roomWith<Name extends string>(
  chat: TestChat,
  bot: RoomWithBot,
  names: readonly Name[],
  options: RoomWithOptions = {},
): Promise<Record<Name, TestParticipant>> {
  const list: readonly Name[] = names
  if (!Array.isArray(names) || list.some((n) => typeof n !== 'string' || n === '')) {
    throw new TypeError(`roomWith(chat, bot, names): names is a list of user names, e.g. ['alice', 'bob']; got ${JSON.stringify(names)}`)
  }
  let mine = state.get(chat)
  if (mine === undefined) {
    mine = { rooms: 0, people: new Map() }
    state.set(chat, mine)
  }
  const room = chat.roomUri(options.room ?? `room${++mine.rooms}`)
  const nickname = options.nickname ?? /^sips?:([^@;?]+)@/i.exec(bot.uri)?.[1] ?? 'bot'
  await bot.join(room, { nickname })
  const joined = {} as Record<Name, TestParticipant>
  for (const name of list) {
    const person = mine.people.get(name) ?? (await chat.participant(name))
    mine.people.set(name, person)
    await person.leave()
    await person.join(room)
    joined[name] = person
  }
  await chat.settled()
  for (const person of mine.people.values()) person.clear()
  return joined
}
