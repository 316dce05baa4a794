/**
 * standup: a daily stand-up in a chat room.
 *
 * - At STANDUP_ASK (default 09:00, local time) it asks each person in the room, privately, three
 *   questions one after the other; anyone can also start (or restart) with /standup.
 * - At STANDUP_POST (default 09:30) it posts everyone's answers to the room and starts over.
 * - /skip skips a question; /status shows who has answered so far.
 *
 * Other bots in the room are never asked. The answers are kept in memory, so a restart forgets
 * the answers of the day; with sessions on storage they would survive it.
 *
 * Settings come from the environment (or .env):
 *   STANDUP_ASK    when to ask, 'HH:MM' 24-hour local time (default 09:00)
 *   STANDUP_POST   when to post the summary, 'HH:MM' (default 09:30)
 */
import { createBot } from 'msrp-bot'
import type { Bot, BotOptions, Context, Room } from 'msrp-bot'

/** The three questions, and how the summary labels their answers. */
export const QUESTIONS = [
  { ask: 'What did you do yesterday?', label: 'yesterday' },
  { ask: 'What will you do today?', label: 'today' },
  { ask: 'Anything blocking you?', label: 'blockers' },
] as const

/** Longest answer kept (longer ones are cut, so one person cannot fill the summary). */
const MAX_ANSWER = 500
/** Most people followed per room (a room of thousands does not grow the bot's memory without end). */
const MAX_PEOPLE = 200

/** One person's progress: their answers so far (the next question is answers.length). */
interface Progress {
  nickname: string
  answers: string[]
}

/** Settings of {@link createStandupBot}. */
export interface StandupSettings {
  /** When to ask, 'HH:MM' (default STANDUP_ASK or 09:00). */
  askAt?: string | undefined
  /** When to post the summary, 'HH:MM' (default STANDUP_POST or 09:30). */
  postAt?: string | undefined
  /** The bot's URI (default SIP_URI or sip:standup@localhost). */
  uri?: string | undefined
}

/**
 * Makes the stand-up bot. The module's default export is one made from the environment; tests
 * make their own with a fake clock (`options.clock`, `options.wallClock`).
 */
export function createStandupBot(settings: StandupSettings = {}, options: BotOptions = {}): Bot {
  const bot = createBot({ uri: settings.uri ?? process.env.SIP_URI ?? 'sip:standup@localhost', displayName: 'Stand-up' }, options)
  /** Room URI (lower-cased) → person URI (lower-cased) → progress. */
  const rounds = new Map<string, Map<string, Progress>>()

  const roundOf = (room: Room): Map<string, Progress> => {
    const key = room.uri.toLowerCase()
    let round = rounds.get(key)
    if (round === undefined) rounds.set(key, (round = new Map()))
    return round
  }

  /** Starts (or restarts) one person's questions, privately. */
  const ask = async (room: Room, uri: string, nickname: string): Promise<void> => {
    const round = roundOf(room)
    if (!round.has(uri.toLowerCase()) && round.size >= MAX_PEOPLE) return
    round.set(uri.toLowerCase(), { nickname, answers: [] })
    await room.sendPrivate(uri, `Stand-up time! ${QUESTIONS[0].ask} (/skip to skip a question)`)
  }

  /** Records an answer and asks the next question, or says thanks after the last one. */
  const answer = async (ctx: Context, text: string): Promise<boolean> => {
    if (ctx.room === undefined || ctx.sender === undefined) return false
    const progress = roundOf(ctx.room).get(ctx.sender.uri.toLowerCase())
    if (progress === undefined || progress.answers.length >= QUESTIONS.length) return false
    progress.answers.push(text.trim().slice(0, MAX_ANSWER))
    const next = QUESTIONS[progress.answers.length]
    await ctx.reply(next === undefined ? 'Thanks! Your answers go to the room with the summary.' : next.ask)
    return true
  }

  bot.command('standup', 'answer the stand-up questions (privately)', (ctx) =>
    ask(ctx.room, ctx.sender.uri, ctx.sender.nickname ?? ctx.sender.uri),
  )
  bot.command('skip', 'skip the current stand-up question', async (ctx) => {
    if (!(await answer(ctx, '-'))) await ctx.replyPrivately('You have no stand-up question open; /standup starts one.')
  })
  bot.command('status', 'who has answered the stand-up so far', (ctx) => {
    const done = [...roundOf(ctx.room).values()].filter((p) => p.answers.length === QUESTIONS.length).map((p) => p.nickname)
    return ctx.reply(done.length === 0 ? 'Nobody has answered yet.' : `Answered so far: ${done.join(', ')}`)
  })

  // Answers arrive as private messages; anything else private gets a hint.
  bot.on('private:text', async (ctx) => {
    if (!(await answer(ctx, ctx.text))) await ctx.reply('Send /standup to answer the stand-up questions.')
  })

  bot.at(settings.askAt ?? process.env.STANDUP_ASK ?? '09:00', async ({ room }) => {
    for (const p of room.participants) {
      if (p.isBot === true || p.nickname === room.nickname || p.uri.toLowerCase() === bot.uri.toLowerCase()) continue
      await ask(room, p.uri, p.nickname ?? p.uri)
    }
  }, { name: 'stand-up questions' })

  bot.at(settings.postAt ?? process.env.STANDUP_POST ?? '09:30', async ({ room }) => {
    const round = roundOf(room)
    rounds.delete(room.uri.toLowerCase())
    await room.send(summary([...round.values()]))
  }, { name: 'stand-up summary' })

  return bot
}

/** The text posted to the room: each person's answers, then who did not answer. */
export function summary(people: readonly Progress[]): string {
  const answered = people.filter((p) => p.answers.length > 0)
  if (answered.length === 0) return 'Stand-up: nobody answered today.'
  const lines = ['Stand-up summary:']
  for (const p of answered) {
    lines.push(`${p.nickname}:`)
    QUESTIONS.forEach((q, i) => lines.push(`  ${q.label}: ${p.answers[i] ?? '(no answer)'}`))
  }
  const silent = people.filter((p) => p.answers.length === 0).map((p) => p.nickname)
  if (silent.length > 0) lines.push(`No answer from: ${silent.join(', ')}`)
  return lines.join('\n')
}

export default createStandupBot()
