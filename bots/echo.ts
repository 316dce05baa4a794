/**
 * echo: the smallest useful msrp-bot.
 *
 * It repeats what people say in the room, answers private messages privately, echoes direct
 * messages sent to its own address (outside rooms), joins rooms it is invited to, and explains
 * itself on /help. Run it with
 * `npm start` (a local chat room with this bot and the moderator) or
 * `npx msrp-bot run bots/echo.ts --uri sip:echo@example.test --registrar sip:example.test` on a
 * real SIP network.
 *
 * The contract of a bot file: `export default bot`, a bot made with createBot and not started.
 * msrp-bot starts it, joins the rooms, and stops it on Ctrl-C.
 */
import { createBot } from 'msrp-bot'

// acceptInvitations: anyone in a room may invite echo there (it joins, and echoes there too).
const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:echo@localhost', displayName: 'Echo', acceptInvitations: true })

bot.command('help', 'what I do', (ctx) =>
  ctx.reply('I repeat what you say in the room. Send me a private message and I answer only you. Commands: /help'),
)

// A public message in the room: answer in the room. (The bot never hears its own messages.)
// Commands meant for other bots in the room (/rules, /kick ...) are not echoed.
bot.on('message:text', (ctx) => {
  if (ctx.text.startsWith('/')) return
  return ctx.reply(`you said: ${ctx.text}`)
})

// A private message: ctx.reply answers privately, so nobody else sees it.
bot.on('private:text', (ctx) => ctx.reply(`only you can see this: you said "${ctx.text}"`))

// A direct message to the bot's own address, outside any room (a SIP MESSAGE or a 1:1 chat):
// ctx.reply answers the same way it came.
bot.on('direct:text', (ctx) => ctx.reply(`you said: ${ctx.text}`))

export default bot
