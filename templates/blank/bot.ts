/**
 * {{name}}: a chat bot for SIP/MSRP chat rooms, ready for your handlers.
 *
 * The one rule for this file: `export default bot`, a bot made with createBot and not started.
 * msrp-bot starts it, joins the rooms, and stops it on Ctrl-C.
 */
import { createBot } from 'msrp-bot'

const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:bot@localhost' })

bot.command('help', (ctx) => ctx.reply('Hello! I am {{name}}. I do not do much yet.'))

// Add handlers here, for example:
//   bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))        a room message
//   bot.on('private', (ctx) => ctx.reply('only you see this'))            a private message
//   bot.on('join', (ctx) => ctx.reply(`welcome ${ctx.participant.nickname}`))
//   bot.command('ping', (ctx) => ctx.reply('pong'))                       /ping

export default bot
