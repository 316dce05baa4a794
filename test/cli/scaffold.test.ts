// End to end without a registry: both packages packed as `npm publish` would (prepack builds
// them), the packed create-msrp-bot run from its tarball for each template with msrp-bot from
// its tarball (MSRP_BOT_PACKAGE=file:<tgz>, the "Working from a clone" path), then the new
// project's own `npm test` and typecheck, the installed `msrp-bot` bin, and a plain .mjs file run
// by bare node. test/registry/e2e.sh does the same through a real registry.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { TEMPLATE_NAMES } from '../../src/cli/create/templates.ts'
import { REPO_ROOT, tempDir } from './helpers.ts'

const tmp = tempDir('msrp-bot-scaffold-')
after(tmp.cleanup)

/** The environment for the child processes: ours, without what the test runner and npm set. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    // NODE_TEST_CONTEXT would make the project's own test runner report to ours; npm_* are the
    // outer `npm test`'s settings (prefix, lifecycle), not the new project's.
    if (key === 'NODE_TEST_CONTEXT' || key === 'NODE_OPTIONS' || key.toLowerCase().startsWith('npm_')) continue
    env[key] = value
  }
  env['npm_config_prefer_offline'] = 'true'
  env['npm_config_audit'] = 'false'
  env['npm_config_fund'] = 'false'
  env['npm_config_update_notifier'] = 'false'
  return env
}

function run(command: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...childEnv(), ...extraEnv }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, output: `${stdout}\n${stderr}` })
    })
  })
}

interface Packed {
  readonly filename: string
  readonly files: ReadonlyArray<{ path: string }>
}

/** `npm pack --json` in `cwd` (extra args e.g. `-w create-msrp-bot`) into the temp folder. */
async function pack(args: string[]): Promise<Packed> {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp.dir, ...args], REPO_ROOT)
  assert.equal(packed.code, 0, packed.output)
  // Lifecycle scripts (tsc) print before the JSON array.
  const json = packed.output.slice(packed.output.indexOf('\n[') + 1, packed.output.lastIndexOf(']') + 1)
  const [result] = JSON.parse(json) as Packed[]
  assert.ok(result !== undefined, packed.output)
  return result
}

describe('packages as published', { timeout: 600_000 }, () => {
  let msrpBot: Packed
  let create: Packed
  let createBin: string

  before(async () => {
    // One after the other: both builds run tsc.
    msrpBot = await pack([])
    create = await pack(['-w', 'create-msrp-bot'])
    const unpacked = join(tmp.dir, 'create-msrp-bot')
    mkdirSync(unpacked)
    const untar = await run('tar', ['-xzf', join(tmp.dir, create.filename), '-C', unpacked, '--strip-components=1'], tmp.dir)
    assert.equal(untar.code, 0, untar.output)
    createBin = join(unpacked, 'bin/create-msrp-bot.js')
  })

  test('msrp-bot ships dist/ (JS, .d.ts, source maps) for every entry point, the bin, and no sources or tests', () => {
    const paths = msrpBot.files.map((f) => f.path)
    for (const entry of ['index', 'msrp/index', 'sip/index', 'cpim/index', 'sdp/index', 'presence/index', 'conference/index', 'testing/index', 'mixer/server/index']) {
      for (const ext of ['.js', '.d.ts', '.js.map']) assert.ok(paths.includes(`dist/${entry}${ext}`), `dist/${entry}${ext}`)
    }
    assert.ok(paths.includes('bin/msrp-bot.js'))
    const unexpected = paths.filter((p) => !/^(dist\/|bin\/msrp-bot\.js$|package\.json$|README\.md$)/.test(p))
    assert.deepEqual(unexpected, [])
  })

  test('create-msrp-bot ships its compiled scaffolder, the templates and the example bots, nothing else', () => {
    const paths = create.files.map((f) => f.path)
    for (const file of ['bin/create-msrp-bot.js', 'dist/cli/create-msrp-bot.js', 'msrp-bot.package.json', 'bots/echo.ts', 'bots/moderator.ts']) {
      assert.ok(paths.includes(file), file)
    }
    for (const t of TEMPLATE_NAMES) assert.ok(paths.includes(`templates/${t}/package.json.tmpl`), t)
    const unexpected = paths.filter((p) => !/^(bin\/create-msrp-bot\.js|dist\/.*\.js(\.map)?|templates\/.*|bots\/(echo|moderator)\.ts|msrp-bot\.package\.json|package\.json|README\.md)$/.test(p))
    assert.deepEqual(unexpected, [])
  })

  for (const template of TEMPLATE_NAMES) {
    test(`template ${template}: scaffold, npm install, npm test, typecheck, the msrp-bot bin`, { timeout: 240_000 }, async () => {
      const name = `${template}-project`
      const created = await run(process.execPath, [createBin, name, '--template', template, '--yes'], tmp.dir, {
        MSRP_BOT_PACKAGE: `file:${join(tmp.dir, msrpBot.filename)}`,
      })
      assert.equal(created.code, 0, created.output)
      assert.match(created.output, new RegExp(`Created ${name} \\(template: ${template}\\)`))
      const dir = join(tmp.dir, name)
      assert.ok(!lstatSync(join(dir, 'node_modules/msrp-bot')).isSymbolicLink(), 'msrp-bot should be a copy, not a link')

      const tested = await run('npm', ['test'], dir)
      assert.equal(tested.code, 0, tested.output)
      const passed = Number(/^# pass (\d+)$/m.exec(tested.output)?.[1] ?? 0)
      assert.ok(passed >= 3, `expected at least 3 passing tests:\n${tested.output}`)
      assert.match(tested.output, /^# fail 0$/m)

      const typed = await run('npm', ['run', 'typecheck'], dir)
      assert.equal(typed.code, 0, typed.output)

      const help = await run(join(dir, 'node_modules/.bin/msrp-bot'), ['dev', '--help'], dir)
      assert.equal(help.code, 0, help.output)
      assert.match(help.output, /Usage: msrp-bot dev/)
    })
  }

  test('bare node imports the installed msrp-bot from a .mjs file and a bot answers in a test room', { timeout: 60_000 }, async () => {
    const dir = join(tmp.dir, 'echo-project') // installed by the echo template's test above
    writeFileSync(
      join(dir, 'plain.mjs'),
      [
        "import { createBot } from 'msrp-bot'",
        "import { createTestChat } from 'msrp-bot/testing'",
        "const chat = await createTestChat({ domain: 'localhost', autoCreateRooms: true })",
        "const bot = chat.attach(createBot({ uri: 'sip:plain@localhost' }))",
        "bot.on('message', (ctx) => ctx.reply(`plain says: ${ctx.text}`))",
        'await bot.start()',
        "await bot.join(chat.roomUri('lobby'), { nickname: 'plain' })",
        "const alice = await chat.participant('alice')",
        "await alice.join(chat.roomUri('lobby'))",
        'await chat.settled()',
        'alice.clear()',
        "await alice.say('hello')",
        'await chat.settled()',
        'console.log(JSON.stringify(alice.lines))',
        'await chat.close()',
      ].join('\n'),
    )
    const ran = await run(process.execPath, ['plain.mjs'], dir)
    assert.equal(ran.code, 0, ran.output)
    assert.match(ran.output, /\["alice: hello","plain: plain says: hello"\]/)
  })
})
