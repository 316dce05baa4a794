/**
 * {{name}}: a chat bot for SIP/MSRP chat rooms, ready for your handlers.
 *
 * The one rule for this file: `export default bot`, a bot made with createBot and not started.
 * msrp-bot starts it, joins the rooms, and stops it on Ctrl-C.
 */
import { createBot, session } from 'msrp-bot'
import type { SessionContext } from 'msrp-bot'

// ctx.session: what the bot remembers about each person in each room. It is kept in memory; to
// keep it across restarts, give it a storage: session({ initial, storage: fileStorage({ dir: 'data' }) }).
type BotContext = SessionContext<{ asked: number }>

const bot = createBot<BotContext>({ uri: process.env.SIP_URI ?? 'sip:bot@localhost' })
bot.use(session({ initial: () => ({ asked: 0 }) }))

bot.command('help', (ctx) => ctx.reply('Hello! I am {{name}}. I do not do much yet.'))
bot.command('count', (ctx) => ctx.reply(`you have asked ${++ctx.session.asked} time(s)`))

// Add handlers here, for example:
//   bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))        a room message
//   bot.on('private', (ctx) => ctx.reply('only you see this'))            a private message
//   bot.on('join', (ctx) => ctx.reply(`welcome ${ctx.participant.nickname}`))
//   bot.command('ping', (ctx) => ctx.reply('pong'))                       /ping

export default bot
