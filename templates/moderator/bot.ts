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
import { createBot } from 'msrp-bot'
import type { Context, Participant, Room } from 'msrp-bot'

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
  if (!isOwner(ctx)) return ctx.replyPrivately(`Only room owners can /${ctx.command.name}.`)
  const nickname = ctx.command.args[0]
  if (nickname === undefined) return ctx.replyPrivately(`Usage: /${ctx.command.name} <nickname>`)
  const target = ctx.room.find(nickname)
  if (target === undefined) return ctx.replyPrivately(`Nobody called ${nickname} is here.`)
  const action = ctx.command.name === 'kick' ? 'remove' : ctx.command.name
  return moderate(ctx.room, action as 'remove' | 'mute' | 'unmute', target)
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
  return moderate(ctx.room, 'remove', { uri: ctx.sender.uri, nickname: ctx.sender.nickname })
})

function isOwner(ctx: Context): boolean {
  const uri = ctx.sender?.uri.toLowerCase()
  return uri !== undefined && owners.includes(uri)
}

/**
 * Removes, mutes or unmutes a participant through the room's focus (RFC 4579 REFER), and says
 * so in the room. Rooms whose focus does not support moderation lack these methods; then the
 * bot says it cannot.
 */
async function moderate(room: Room, action: 'remove' | 'mute' | 'unmute', who: Participant): Promise<void> {
  const name = who.nickname ?? who.uri
  const tools = room as Room & Partial<ModerationTools>
  if (action === 'remove' ? tools.kick === undefined : tools.mute === undefined) {
    await room.send(`I cannot ${action} ${name}: this room does not let me moderate.`)
    return
  }
  if (action === 'remove') await tools.kick?.(who.uri)
  else await tools.mute?.(who.uri, action === 'mute')
  await room.send(action === 'remove' ? `${name} was removed.` : `${name} was ${action}d.`)
}

/** Moderation methods a room offers when its focus supports them. */
interface ModerationTools {
  kick(participantUri: string): Promise<void>
  mute(participantUri: string, muted?: boolean): Promise<void>
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
}

export default bot
