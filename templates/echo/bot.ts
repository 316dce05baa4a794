/**
 * {{name}}: an echo bot for SIP/MSRP chat rooms.
 *
 * It repeats what people say in the room, answers private messages privately, and explains
 * itself on /help. `npm start` runs it in a local chat room; `msrp-bot run bot.ts` on a real
 * SIP network (see README.md).
 *
 * The one rule for this file: `export default bot`, a bot made with createBot and not started.
 * msrp-bot starts it, joins the rooms, and stops it on Ctrl-C.
 */
import { createBot } from 'msrp-bot'

const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:echo@localhost' })

bot.command('help', (ctx) =>
  ctx.reply('I repeat what you say in the room. Send me a private message and I answer only you. Commands: /help'),
)

// A public message in the room: answer in the room. (The bot never hears its own messages.)
bot.on('message:text', (ctx) => ctx.reply(`you said: ${ctx.text}`))

// A private message: ctx.reply answers privately, so nobody else sees it.
bot.on('private:text', (ctx) => ctx.reply(`only you can see this: you said "${ctx.text}"`))

export default bot
