/**
 * files: a bot that looks at the files people send it.
 *
 * Send it a file (RFC 5547, to its own address, outside rooms): an image gets a note with its
 * type and size back, a text file a note with its line count, anything else comes back as it
 * was. Files over 5 MiB are declined. In a test: `await alice.sendFile('files', bytes, { name:
 * 'notes.txt' })`, then `await alice.expectFile()`.
 */
import { createBot } from 'msrp-bot'

const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:files@localhost', displayName: 'Files' })

/** Larger files are refused (the sender sees 413) rather than read into memory. */
const MAX_BYTES = 5 * 1024 * 1024

bot.on('file', async (ctx) => {
  const { name, type, size } = ctx.file
  if (size > MAX_BYTES) {
    ctx.file.decline()
    return
  }
  const bytes = await ctx.file.download({ maxBytes: MAX_BYTES })
  if (type.startsWith('image/')) {
    await ctx.replyWithFile(new TextEncoder().encode(`${name}: an image, ${type}, ${bytes.byteLength} bytes\n`), { name: `${name}.txt`, type: 'text/plain' })
  } else if (type.startsWith('text/')) {
    const text = new TextDecoder().decode(bytes)
    const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
    await ctx.replyWithFile(new TextEncoder().encode(`${name}: ${lines} line${lines === 1 ? '' : 's'}\n`), { name: `${name}.lines.txt`, type: 'text/plain' })
  } else {
    await ctx.replyWithFile(bytes, { name, type }) // anything else comes back as it was
  }
})

bot.on('direct:text', (ctx) => ctx.reply('Send me a file: I tell you about images and count the lines of text files.'))

export default bot
