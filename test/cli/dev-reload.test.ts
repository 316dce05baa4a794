// `msrp-bot dev` reloads, run as the real binary in a project of its own: an edit of a module the
// bot imports reloads the bot with the new module; a save with a mistake leaves the old bot in
// the room and prints the file and line; a bot that fails to load at start-up is waited for.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, it } from 'node:test'
import { startMsrpBot } from './binary.ts'
import type { RunningBinary } from './binary.ts'
import { REPO_ROOT, tempDir } from './helpers.ts'

/** A project outside the package: it imports msrp-bot by path (as an installed one would by name). */
function project(answer: string) {
  const tmp = tempDir('msrp-bot-dev-graph-')
  const sdk = pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href
  tmp.write('package.json', '{ "type": "module" }\n')
  tmp.write(
    'bot.ts',
    [
      `import { createBot } from '${sdk}'`,
      "import { answer } from './lib/answer.ts'",
      "const bot = createBot({ uri: 'sip:helper@localhost' })",
      "bot.on('message', (ctx) => ctx.reply(answer(ctx.text ?? '')))",
      "console.log(`bot loaded, answer says ${answer('hi')}`)",
      'export default bot',
      '',
    ].join('\n'),
  )
  tmp.write('lib/answer.ts', answer)
  return tmp
}

const DEV = ['dev', 'bot.ts', '--no-chat', '--port', '0', '--msrp-port', '0']
const ENV = { MSRP_BOT_LOG_LEVEL: 'warn' }

/** Resolves once `pattern` is printed after the first `from` characters of stdout. */
async function printedAfter(dev: RunningBinary, from: number, pattern: RegExp): Promise<string> {
  const rest = (): string => dev.stdout().slice(from)
  await dev.waitFor(new RegExp(`[\\s\\S]{${from}}[\\s\\S]*${pattern.source}`))
  return rest()
}

async function stop(dev: RunningBinary): Promise<void> {
  dev.child.kill('SIGINT')
  const result = await dev.exited
  assert.equal(result.code, 0, result.stderr)
}

describe('msrp-bot dev: reloading the bot', () => {
  it('an edit of a module bot.ts imports reloads the bot with the new module', { timeout: 60_000 }, async () => {
    const tmp = project("export const answer = (t: string) => `v1 ${t}`\n")
    const dev = startMsrpBot(DEV, { cwd: tmp.dir, env: ENV })
    try {
      await dev.waitFor(/Ctrl-C stops the server/)
      assert.match(dev.stdout(), /bot loaded, answer says v1 hi/)
      const mark = dev.stdout().length
      tmp.write('lib/answer.ts', "export const answer = (t: string) => `v2 ${t}`\n")
      const after = await printedAfter(dev, mark, /bot\.ts \(sip:helper@localhost\) joined sip:lobby@localhost/)
      assert.match(after, /lib\/answer\.ts \(imported by bot\.ts\) changed, reloading/)
      assert.match(after, /bot loaded, answer says v2 hi/)
      await stop(dev)
    } finally {
      dev.child.kill()
      tmp.cleanup()
    }
  })

  it('a save with a syntax error keeps the old bot running and prints the file and line; the fix loads', { timeout: 60_000 }, async () => {
    const tmp = project("export const answer = (t: string) => `v1 ${t}`\n")
    const dev = startMsrpBot(DEV, { cwd: tmp.dir, env: ENV })
    try {
      await dev.waitFor(/Ctrl-C stops the server/)
      let mark = dev.stdout().length
      tmp.write('lib/answer.ts', 'export const answer = (t: string) => `v2 ${t}` +\n')
      const failed = await printedAfter(dev, mark, /failed to load/)
      assert.match(failed, /bot\.ts failed to load \(the previous version keeps running\); fix it and save again/)
      assert.match(failed, /lib\/answer\.ts:2:0/, 'names the file and line')
      assert.doesNotMatch(failed, /stopped|left/)

      mark = dev.stdout().length
      tmp.write('lib/answer.ts', "export const answer = (t: string) => `v3 ${t}`\n")
      const fixed = await printedAfter(dev, mark, /bot\.ts \(sip:helper@localhost\) joined sip:lobby@localhost/)
      assert.match(fixed, /bot loaded, answer says v3 hi/)

      mark = dev.stdout().length
      tmp.write('lib/answer.ts', "throw new Error('not today')\nexport const answer = (t: string) => t\n")
      const threw = await printedAfter(dev, mark, /failed to load/)
      assert.match(threw, /not today \(at .*lib\/answer\.ts:1:\d+\)/, 'a throw while loading names its place too')
      await stop(dev)
    } finally {
      dev.child.kill()
      tmp.cleanup()
    }
  })

  it('a bot that fails to load at start-up is waited for, not a reason to exit', { timeout: 60_000 }, async () => {
    const tmp = project("export const answer = (t: string) => `v1 ${t}\n")
    const dev = startMsrpBot(DEV, { cwd: tmp.dir, env: ENV })
    try {
      await dev.waitFor(/Ctrl-C stops the server/)
      assert.match(dev.stdout(), /bot\.ts failed to load; fix it and save, dev waits for the change: .*/)
      assert.match(dev.stdout(), /lib\/answer\.ts:\d+:\d+/)
      const mark = dev.stdout().length
      tmp.write('lib/answer.ts', "export const answer = (t: string) => `v2 ${t}`\n")
      const fixed = await printedAfter(dev, mark, /bot\.ts \(sip:helper@localhost\) joined sip:lobby@localhost/)
      assert.match(fixed, /bot loaded, answer says v2 hi/)
      await stop(dev)
    } finally {
      dev.child.kill()
      tmp.cleanup()
    }
  })
})
