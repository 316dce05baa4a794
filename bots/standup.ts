/**
 * standup: a daily stand-up in a chat room.
 *
 * - At STANDUP_ASK (default 09:00, local time) it asks each person in the room, privately, three
 *   questions one after the other (a conversation); anyone can also start (or restart) with /standup.
 * - At STANDUP_POST (default 09:30) it posts everyone's answers to the room and starts over.
 * - Answering /skip skips a question; /status shows who has answered so far.
 *
 * Other bots in the room are never asked. The answers (a room-wide `session()`) and where each
 * person is in the questions (the conversation) are kept in storage: in memory by default, or
 * in files under STANDUP_STORAGE_DIR, so a bot restarted mid-dialogue asks the next question,
 * not the first one again, and the summary still has every answer.
 *
 * Settings come from the environment (or .env):
 *   STANDUP_ASK           when to ask, 'HH:MM' 24-hour local time (default 09:00)
 *   STANDUP_POST          when to post the summary, 'HH:MM' (default 09:30)
 *   STANDUP_STORAGE_DIR   a directory to keep answers and progress in (default: memory only)
 */
import { addressKey, conversations, createBot, fileStorage, memoryStorage, session } from 'msrp-bot'
import type { Bot, BotOptions, Clock, ConversationState, Room, SessionContext, StorageAdapter } from 'msrp-bot'

/** The three questions, and how the summary labels their answers. */
export const QUESTIONS = [
  { ask: 'What did you do yesterday?', label: 'yesterday' },
  { ask: 'What will you do today?', label: 'today' },
  { ask: 'Anything blocking you?', label: 'blockers' },
] as const

/** The first question as sent: it opens the stand-up, so it says how to skip. */
export const FIRST_QUESTION = `Stand-up time! ${QUESTIONS[0].ask} (/skip to skip a question)`
/** Said after the last answer. */
export const THANKS = 'Thanks! Your answers go to the room with the summary.'

/** Longest answer kept (longer ones are cut, so one person cannot fill the summary). */
const MAX_ANSWER = 500
/** Most people followed per room (a room of thousands does not grow the stored round without end). */
const MAX_PEOPLE = 200
/** How long a question waits for its answer (the day's round ends with the summary anyway). */
const ANSWER_TIMEOUT_MS = 12 * 60 * 60_000

/** One person's answers so far. */
export interface Progress {
  nickname: string
  answers: string[]
}

/** The room's stand-up of the day, kept in the room-wide session: person (address key) → answers. */
export interface Round {
  people: Record<string, Progress>
}

type StandupContext = SessionContext<Round>

/** Settings of {@link createStandupBot}. */
export interface StandupSettings {
  /** When to ask, 'HH:MM' (default STANDUP_ASK or 09:00). */
  askAt?: string | undefined
  /** When to post the summary, 'HH:MM' (default STANDUP_POST or 09:30). */
  postAt?: string | undefined
  /** The bot's URI (default SIP_URI or sip:standup@localhost). */
  uri?: string | undefined
  /** Where to keep answers and progress (default STANDUP_STORAGE_DIR; without either, memory). */
  storageDir?: string | undefined
}

/** The session prefix of the room-wide rounds (the schedule reads them from storage directly). */
const ROUND_PREFIX = 'standup:'

/**
 * Makes the stand-up bot. The module's default export is one made from the environment; tests
 * make their own with a fake clock (`options.clock`, `options.wallClock`) and a storage directory.
 */
export function createStandupBot(settings: StandupSettings = {}, options: BotOptions<StandupContext> = {}): Bot<StandupContext> {
  const bot = createBot<StandupContext>({ uri: settings.uri ?? process.env.SIP_URI ?? 'sip:standup@localhost', displayName: 'Stand-up' }, options)
  const dir = settings.storageDir ?? process.env.STANDUP_STORAGE_DIR
  const rounds: StorageAdapter<Round> = dir ? fileStorage<Round>({ dir }) : memoryStorage<Round>()
  const progress: StorageAdapter<ConversationState> = dir ? fileStorage<ConversationState>({ dir }) : memoryStorage<ConversationState>()

  // Answer deadlines are wall-clock times (they must mean the same after a restart); the waits
  // run on the bot's clock, so a test's FakeClock drives them.
  const timers = options.clock
  const wall = options.wallClock ?? { now: () => Date.now() }
  const clock: Clock | undefined =
    timers === undefined
      ? undefined
      : { setTimeout: (callback, ms) => timers.setTimeout(callback, ms), clearTimeout: (handle) => timers.clearTimeout(handle), now: () => wall.now() }
  const dialogs = conversations<StandupContext>({ storage: progress, clock, timeoutMs: ANSWER_TIMEOUT_MS })

  /** Keeps answer `index` of the update's sender in the room's round (within a conversation step). */
  const record = (ctx: StandupContext, index: number, text: string): void => {
    const person = addressKey(ctx.sender?.uri ?? '')
    const people = ctx.session.people
    if (people[person] === undefined && Object.keys(people).length >= MAX_PEOPLE) return
    const entry = (people[person] ??= { nickname: ctx.sender?.nickname ?? ctx.sender?.uri ?? person, answers: [] })
    entry.answers[index] = text.trim() === '/skip' ? '-' : text.trim().slice(0, MAX_ANSWER)
  }

  // The three questions. Replayed from the top at each answer: only conv operations happen once.
  dialogs.define('standup', async (conv) => {
    for (const [index, question] of QUESTIONS.entries()) {
      const answer = await conv.ask(index === 0 ? FIRST_QUESTION : question.ask)
      await conv.step(() => record(conv.ctx, index, answer))
    }
    await conv.reply(THANKS)
  })

  bot.use(session<Round, StandupContext>({ initial: () => ({ people: {} }), storage: rounds, getSessionKey: 'room', prefix: ROUND_PREFIX }))
  bot.use(dialogs)

  bot.command('standup', 'answer the stand-up questions (privately)', (ctx) => dialogs.enter(ctx, 'standup', { privately: true }))
  bot.command('status', 'who has answered the stand-up so far', (ctx) => {
    const done = Object.values(ctx.session.people).filter((p) => p.answers.length === QUESTIONS.length).map((p) => p.nickname)
    return ctx.reply(done.length === 0 ? 'Nobody has answered yet.' : `Answered so far: ${done.join(', ')}`)
  })

  // Answers reach the conversation first; any other private message gets a hint.
  bot.on('private:text', (ctx) => ctx.reply('Send /standup to answer the stand-up questions.'))

  /** The people in a room to ask: not bots, not this bot. */
  const people = (room: Room) =>
    room.participants.filter((p) => p.isBot !== true && p.nickname !== room.nickname && addressKey(p.uri) !== addressKey(bot.uri)).slice(0, MAX_PEOPLE)

  bot.at(settings.askAt ?? process.env.STANDUP_ASK ?? '09:00', async ({ room }) => {
    for (const p of people(room)) await dialogs.invite(room, p.uri, 'standup', FIRST_QUESTION)
  }, { name: 'stand-up questions' })

  bot.at(settings.postAt ?? process.env.STANDUP_POST ?? '09:30', async ({ room }) => {
    const key = ROUND_PREFIX + addressKey(room.uri)
    const round = (await rounds.read(key)) ?? { people: {} }
    await rounds.delete(key)
    const answered = new Set(Object.keys(round.people))
    const silent = people(room).filter((p) => !answered.has(addressKey(p.uri))).map((p) => p.nickname ?? p.uri)
    await room.send(summary(Object.values(round.people), silent))
  }, { name: 'stand-up summary' })

  return bot
}

/** The text posted to the room: each person's answers, then who is in the room and did not answer. */
export function summary(people: readonly Progress[], silent: readonly string[] = []): string {
  const answered = people.filter((p) => p.answers.length > 0)
  if (answered.length === 0) return 'Stand-up: nobody answered today.'
  const lines = ['Stand-up summary:']
  for (const p of answered) {
    lines.push(`${p.nickname}:`)
    QUESTIONS.forEach((q, i) => lines.push(`  ${q.label}: ${p.answers[i] ?? '(no answer)'}`))
  }
  if (silent.length > 0) lines.push(`No answer from: ${silent.join(', ')}`)
  return lines.join('\n')
}

export default createStandupBot()
