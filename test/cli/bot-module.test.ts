import assert from 'node:assert/strict'
import { pathToFileURL } from 'node:url'
import { after, describe, test } from 'node:test'
import { FakeChatBackend, getDefaultBackendFactory } from '../../src/bot/index.ts'
import { BotModuleError, botFromModule, commonJsReason, isBot, loadBotModule } from '../../src/cli/bot-module.ts'
import { REPO_ROOT, tempDir } from './helpers.ts'

const tmp = tempDir()
after(tmp.cleanup)
tmp.write('package.json', '{ "type": "module" }\n')
const MSRP_BOT = pathToFileURL(`${REPO_ROOT}src/index.ts`).href
const header = `import { createBot } from '${MSRP_BOT}'\nprocess.env.MSRP_BOT_LOG_LEVEL = 'silent'\n`
const factory = (config: { uri: string }) => new FakeChatBackend({ uri: config.uri })

function fails(code: string, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof BotModuleError, `expected BotModuleError, got ${String(e)}`)
    assert.equal(e.code, code)
    assert.match(e.message, pattern)
    return true
  }
}

describe('loadBotModule', () => {
  test('loads `export default bot` with the given backend factory, then restores the previous one', async () => {
    const file = tmp.write('good.ts', `${header}const bot = createBot({ uri: 'sip:echo@localhost' })\nbot.command('help', (ctx) => ctx.reply('hi'))\nexport default bot\n`)
    const before = getDefaultBackendFactory()
    const bot = await loadBotModule(file, { backendFactory: factory })
    assert.ok(isBot(bot))
    assert.equal(bot.state, 'idle')
    assert.ok(bot.backend instanceof FakeChatBackend)
    assert.equal(bot.uri, 'sip:echo@localhost')
    assert.equal(getDefaultBackendFactory(), before)
  })

  test('a named bot without a default export: says to add `export default <name>`', async () => {
    const file = tmp.write('named.ts', `${header}export const myBot = createBot({ uri: 'sip:echo@localhost' })\n`)
    await assert.rejects(loadBotModule(file, { backendFactory: factory }), fails('BOT_MODULE_NO_DEFAULT_EXPORT', /exports a bot named 'myBot'.*add `export default myBot`/))
  })

  test('no default export at all', async () => {
    const file = tmp.write('none.ts', 'export const x = 1\n')
    await assert.rejects(loadBotModule(file), fails('BOT_MODULE_NO_DEFAULT_EXPORT', /none\.ts: it has no default export\. A bot module must end with `export default bot`/))
  })

  test('a default export that is not a bot', async () => {
    const fn = tmp.write('fn.ts', 'export default function makeBot() { return 1 }\n')
    await assert.rejects(loadBotModule(fn), fails('BOT_MODULE_NOT_A_BOT', /default export is a function, not a bot/))
    const obj = tmp.write('obj.ts', 'export default { start() {}, name: "x" }\n')
    await assert.rejects(loadBotModule(obj), fails('BOT_MODULE_NOT_A_BOT', /default export is an object with keys start, name, not a bot made with createBot/))
  })

  test('a module that throws while loading (bad config) carries the original message', async () => {
    const file = tmp.write('badconfig.ts', `${header}export default createBot({ uri: 'echo@localhost' })\n`)
    await assert.rejects(loadBotModule(file, { backendFactory: factory }), fails('BOT_MODULE_LOAD_FAILED', /badconfig\.ts: loading it failed: invalid bot config:\n.*uri: must be a sip: or sips: URI/s))
  })

  test('a module that starts its own bot is refused', async () => {
    const file = tmp.write('started.ts', `${header}const bot = createBot({ uri: 'sip:echo@localhost' })\nawait bot.start()\nexport default bot\n`)
    await assert.rejects(loadBotModule(file, { backendFactory: factory }), fails('BOT_MODULE_ALREADY_STARTED', /started the bot itself \(state: running\)\. Remove bot\.start\(\)/))
  })

  test('a CommonJS module (a second copy of msrp-bot) is told to become an ES module', async () => {
    const cjs = tempDir()
    try {
      cjs.write('package.json', '{ "name": "cjs-bot" }\n')
      const file = cjs.write('bot.ts', `${header}export default createBot({ uri: 'sip:echo@localhost' })\n`)
      await assert.rejects(
        loadBotModule(file, { backendFactory: factory }),
        fails('BOT_MODULE_LOAD_FAILED', /different copy of msrp-bot.*CommonJS module: .*package\.json has no "type": "module".*add "type": "module" to .*package\.json, or rename the file to bot\.mts/),
      )
    } finally {
      cjs.cleanup()
    }
  })

  for (const ext of ['.mts', '.js', '.mjs']) {
    // One base name per extension: tsx maps an import of x.mjs to x.mts when both exist.
    test(`loads a ${ext} bot module`, async () => {
      const file = tmp.write(`plain-${ext.slice(1)}${ext}`, `${header}const bot = createBot({ uri: 'sip:plain@localhost' })\nbot.command('help', (ctx) => ctx.reply('hi'))\nexport default bot\n`)
      const bot = await loadBotModule(file, { backendFactory: factory })
      assert.equal(bot.uri, 'sip:plain@localhost')
      assert.ok(bot.backend instanceof FakeChatBackend)
    })
  }

  test('an .mts bot in a CommonJS folder loads (the extension makes it an ES module)', async () => {
    const cjs = tempDir()
    try {
      cjs.write('package.json', '{ "name": "cjs-bot" }\n')
      const file = cjs.write('bot.mts', `${header}export default createBot({ uri: 'sip:mts@localhost' })\n`)
      assert.equal((await loadBotModule(file, { backendFactory: factory })).uri, 'sip:mts@localhost')
    } finally {
      cjs.cleanup()
    }
  })
})

describe('commonJsReason', () => {
  test('ES modules: .mts and .mjs anywhere, .ts and .js under "type": "module"', () => {
    assert.equal(commonJsReason(`${tmp.dir}/bot.ts`), undefined)
    assert.equal(commonJsReason(`${tmp.dir}/bot.js`), undefined)
    assert.equal(commonJsReason('/nowhere/bot.mts'), undefined)
    assert.equal(commonJsReason('/nowhere/bot.mjs'), undefined)
  })

  test('CommonJS: says which package.json and what to change', () => {
    const cjs = tempDir()
    try {
      const pkg = cjs.write('package.json', '{ "type": "commonjs" }\n')
      assert.equal(
        commonJsReason(`${cjs.dir}/src/bot.js`),
        `it is a CommonJS module: ${pkg} has no "type": "module". msrp-bot is an ES module; add "type": "module" to ${pkg}, or rename the file to bot.mjs`,
      )
    } finally {
      cjs.cleanup()
    }
  })

  test('missing files and other extensions', async () => {
    await assert.rejects(loadBotModule(`${tmp.dir}/missing.ts`), fails('BOT_MODULE_NOT_FOUND', /no such file/))
    const txt = tmp.write('bot.txt', 'hello')
    await assert.rejects(loadBotModule(txt), fails('BOT_MODULE_LOAD_FAILED', /a bot module is a \.ts \/ \.mts \/ \.js \/ \.mjs file, not '\.txt'/))
  })
})

describe('botFromModule', () => {
  test('rejects a promise as default export with a hint about top-level await', () => {
    assert.throws(() => botFromModule({ default: Promise.resolve(1) }, 'p.ts'), fails('BOT_MODULE_NOT_A_BOT', /is a promise\. Use top-level await/))
    assert.throws(() => botFromModule({ default: null }, 'n.ts'), fails('BOT_MODULE_NOT_A_BOT', /is null/))
  })
})
