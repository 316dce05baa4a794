/**
 * moderator: keeps a chat room friendly.
 *
 * - welcomes everyone who joins, by nickname;
 * - warns, then removes, people who flood the room (more than FLOOD_MAX messages within
 *   FLOOD_SECONDS) or use a banned word: one warning, removal at the next offence;
 * - lets room owners /kick, /mute and /unmute people by nickname;
 * - sends the room rules privately on /rules; /help lists the commands;
 * - answers direct messages to its own address (outside rooms) with what it does, or the rules.
 *
 * Other bots are never warned or removed: like every msrp-bot bot, the moderator does not see
 * public messages from participants the room marks as bots (`ignoreBots`), so echo repeating a
 * person's "spam" is not an offence; the person's own message is.
 *
 * Removal is RFC 4579's REFER with `method=BYE` to the room, so the bot must be a moderator of
 * the room at its focus. Muting is an msrp-bot server extension; on other servers the bot says
 * it is not supported.
 *
 * Settings come from the environment (or .env):
 *   BOT_OWNERS     comma-separated SIP URIs allowed to /kick and /mute
 *   BANNED_WORDS   comma-separated words (default: spam,scam)
 *   FLOOD_MAX      messages allowed within the window (default 5)
 *   FLOOD_SECONDS  the window, in seconds (default 10)
 */
import { RateWindow, createBot, errorCode } from 'msrp-bot'
import type { Context, Room } from 'msrp-bot'

const owners = list(process.env.BOT_OWNERS).map((uri) => uri.toLowerCase())
const bannedWords = list(process.env.BANNED_WORDS ?? 'spam,scam').map((w) => w.toLowerCase())
const floodMax = positiveInteger(process.env.FLOOD_MAX, 5)
const floodWindowMs = positiveInteger(process.env.FLOOD_SECONDS, 10) * 1000

const RULES = [
  'Room rules:',
  '1. Be kind.',
  `2. No ${bannedWords.join(', ') || 'abuse'}, and no flooding (at most ${floodMax} messages in ${floodWindowMs / 1000} s):`,
  '   the first time you get a warning, the second time you are removed.',
  '3. Owners can /kick, /mute and /unmute.',
].join('\n')

const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:moderator@localhost', displayName: 'Moderator' })

bot.command('help', 'what I do and my commands', (ctx) =>
  ctx.reply('I keep this room friendly. /rules: the rules (sent privately). Owners: /kick <nickname>, /mute <nickname>, /unmute <nickname>'),
)

// The rules always go privately, even when asked in the room.
bot.command('rules', 'the room rules, sent privately', (ctx) => ctx.replyPrivately(RULES))

// A direct message to the moderator's own address (outside rooms): the rules on "rules" or
// /rules, else what it does. Moderation itself happens only in rooms.
bot.on('direct:text', (ctx) =>
  /^\/?rules\b/i.test(ctx.text.trim())
    ? ctx.reply(RULES)
    : ctx.reply('I moderate chat rooms: I keep them friendly and remove repeat offenders. Send "rules" for the room rules; in a room, /help lists my commands.'),
)

bot.on('join', (ctx) =>
  ctx.reply(`Welcome, ${ctx.participant.nickname ?? 'newcomer'}! Send me /rules to read the room rules.`),
)

bot.command(['kick', 'mute', 'unmute'], 'owners only: /kick, /mute or /unmute <nickname>', async (ctx) => {
  const action = ctx.command.name as 'kick' | 'mute' | 'unmute'
  if (!isOwner(ctx)) return ctx.replyPrivately(`Only room owners can /${action}.`)
  const nickname = ctx.command.args[0]
  if (nickname === undefined) return ctx.replyPrivately(`Usage: /${action} <nickname>`)
  return moderate(ctx.room, action, nickname, (problem) => ctx.replyPrivately(problem))
})

/** Offences per person per room; the second one removes. */
const strikes = new Map<string, number>()
/**
 * Each person's recent messages per room, for flood detection: at most FLOOD_MAX per window,
 * on the bot's clock (not the message's timestamp, which the sender sets), for at most 10,000
 * people at once.
 */
const recent = new RateWindow(floodMax, floodWindowMs)

bot.on('message', async (ctx, next) => {
  if (isOwner(ctx)) return next()
  const key = `${ctx.room.uri} ${ctx.sender.uri.toLowerCase()}`
  const offence = bannedWordIn(ctx.text) ? 'mind the words you use' : flooding(key, ctx.clock.now()) ? 'slow down' : undefined
  if (offence === undefined) return next()
  const count = (strikes.get(key) ?? 0) + 1
  strikes.set(key, count)
  const who = ctx.sender.nickname ?? ctx.sender.uri
  if (count === 1) return ctx.reply(`${who}, please ${offence} (/rules). Next time you will be removed.`)
  strikes.delete(key)
  recent.reset(key)
  return moderate(ctx.room, 'kick', ctx.sender.uri, (problem) => ctx.room.send(problem), who)
})

function bannedWordIn(text: string): boolean {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u)
  return bannedWords.some((w) => words.includes(w))
}

/** Records a message at `now` and says whether the sender went over FLOOD_MAX in the window. */
function flooding(key: string, now: number): boolean {
  if (recent.hit(key, now) === 0) return false
  recent.reset(key) // the warning starts a new count
  return true
}

function isOwner(ctx: Context): boolean {
  const uri = ctx.sender?.uri.toLowerCase()
  return uri !== undefined && owners.includes(uri)
}

/**
 * Kicks, mutes or unmutes someone (by nickname or SIP URI) through the room's focus and says so
 * in the room. The focus may refuse: the bot is not a moderator there, or it does not support
 * muting; `tell` reports that (and "nobody by that name") to whoever should know.
 */
async function moderate(
  room: Room,
  action: 'kick' | 'mute' | 'unmute',
  who: string,
  tell: (problem: string) => Promise<unknown>,
  name = who,
): Promise<void> {
  try {
    if (action === 'kick') await room.kick(who)
    else await room.mute(who, action === 'mute')
  } catch (error) {
    const code = errorCode(error)
    if (code === 'PARTICIPANT_NOT_FOUND') await tell(`Nobody called ${name} is here.`)
    else if (code === 'NOT_AUTHORIZED') await tell(`I cannot ${action} ${name}: I am not a moderator of this room.`)
    else if (code === 'NOT_SUPPORTED') await tell(`I cannot ${action} ${name}: this room does not support it.`)
    else throw error
    return
  }
  await room.send(action === 'kick' ? `${name} was removed.` : `${name} was ${action}d.`)
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
}

function positiveInteger(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive whole number, got "${value}": fix FLOOD_MAX / FLOOD_SECONDS`)
  return n
}

export default bot
