/**
 * {{name}}: a moderator bot for SIP/MSRP chat rooms.
 *
 * - welcomes everyone who joins, by nickname;
 * - watches for banned words: the first time it warns, the second time it removes the person;
 * - lets room owners /kick and /mute (/unmute) people by nickname;
 * - sends the room rules privately on /rules; /help lists the commands.
 *
 * Settings come from the environment (or .env): BOT_OWNERS (comma-separated SIP URIs of the
 * people allowed to /kick and /mute) and BANNED_WORDS (comma-separated).
 *
 * The one rule for this file: `export default bot`, a bot made with createBot and not started.
 */
import { createBot, errorCode } from 'msrp-bot'
import type { Context, Room } from 'msrp-bot'

const owners = list(process.env.BOT_OWNERS).map((uri) => uri.toLowerCase())
const bannedWords = list(process.env.BANNED_WORDS ?? 'spam,scam').map((w) => w.toLowerCase())

const RULES = [
  'Room rules:',
  '1. Be kind.',
  `2. No ${bannedWords.join(', ') || 'abuse'}: the first time you get a warning, the second time you are removed.`,
  '3. Owners can /kick and /mute.',
].join('\n')

const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:moderator@localhost' })

bot.command('help', (ctx) =>
  ctx.reply('I keep this room friendly. /rules: the rules (sent privately). Owners: /kick <nickname>, /mute <nickname>, /unmute <nickname>'),
)

// The rules always go privately, even when asked in the room.
bot.command('rules', (ctx) => ctx.replyPrivately(RULES))

bot.on('join', (ctx) =>
  ctx.reply(`Welcome, ${ctx.participant.nickname ?? 'newcomer'}! Send me /rules to read the room rules.`),
)

bot.command(['kick', 'mute', 'unmute'], async (ctx) => {
  const action = ctx.command.name as 'kick' | 'mute' | 'unmute'
  if (!isOwner(ctx)) return ctx.replyPrivately(`Only room owners can /${action}.`)
  const nickname = ctx.command.args[0]
  if (nickname === undefined) return ctx.replyPrivately(`Usage: /${action} <nickname>`)
  return moderate(ctx.room, action, nickname, (problem) => ctx.replyPrivately(problem))
})

// Banned words: warn first, remove the second time. Owners are trusted.
const strikes = new Map<string, number>()
bot.on('message:text', async (ctx, next) => {
  const words = ctx.text.toLowerCase().split(/[^\p{L}\p{N}]+/u)
  if (isOwner(ctx) || !bannedWords.some((w) => words.includes(w))) return next()
  const key = `${ctx.room.uri} ${ctx.sender.uri.toLowerCase()}`
  const count = (strikes.get(key) ?? 0) + 1
  strikes.set(key, count)
  const who = ctx.sender.nickname ?? ctx.sender.uri
  if (count === 1) return ctx.reply(`${who}, please mind the rules (/rules). Next time you will be removed.`)
  strikes.delete(key)
  return moderate(ctx.room, 'kick', ctx.sender.uri, (problem) => ctx.room.send(problem), who)
})

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

export default bot
