import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { PromptCancelledError } from '../../src/cli/create/prompts.ts'
import type { Prompter } from '../../src/cli/create/prompts.ts'
import { fillPlaceholders, msrpBotDependencySpec, targetName, templateValues } from '../../src/cli/create/scaffold.ts'
import { TEMPLATE_NAMES, templateFiles } from '../../src/cli/create/templates.ts'
import { installFailureHint, main } from '../../src/cli/create-msrp-bot.ts'
import type { CreateMainOptions } from '../../src/cli/create-msrp-bot.ts'
import { memoryIo } from '../../src/cli/io.ts'
import { packageInfo } from '../../src/cli/version.ts'
import { REPO_ROOT, tempDir } from './helpers.ts'

const tmp = tempDir('create-msrp-bot-')
after(tmp.cleanup)

/** Runs create-msrp-bot in the temp folder with npm install replaced by a recorder. */
async function create(argv: string[], env: NodeJS.ProcessEnv = {}, options: CreateMainOptions = {}) {
  const io = memoryIo({ cwd: tmp.dir, env })
  const installs: string[] = []
  const code = await main(argv, io, {
    install: async (dir) => {
      installs.push(dir)
      return 0
    },
    ...options,
  })
  return { code, out: io.stdout.text, err: io.stderr.text, installs }
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
}

describe('create-msrp-bot: arguments', () => {
  test('--help lists the templates and flags', async () => {
    const { code, out } = await create(['--help'])
    assert.equal(code, 0)
    assert.match(out, /^Usage: create-msrp-bot <dir> \[options\]/)
    for (const t of TEMPLATE_NAMES) assert.match(out, new RegExp(`^  ${t} `, 'm'))
    for (const f of ['--template', '--no-install', '--yes', '--force']) assert.match(out, new RegExp(f))
  })

  test('usage errors exit 2 and say what exists', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['my-bot', '--template', 'moderater'], /unknown template 'moderater'\. Did you mean 'moderator'\? Templates: echo, moderator, blank/],
      [['my-bot', '--tempalte', 'echo'], /unknown flag '--tempalte'\. Did you mean '--template'\?/],
      [['my-bot', '-t'], /flag '--template' needs a value/],
      [['a', 'b'], /unexpected argument 'b'/],
      [[], /missing <dir>: where to create the project, e.g. npx create-msrp-bot my-bot/],
      [['My Bot'], /the folder name 'My Bot' .* not a valid npm package name: it has capital letters.* Try 'my-bot'/],
      [['http'], /Node.js core module\. Try 'http-bot'/],
    ]
    for (const [argv, pattern] of cases) {
      const { code, err, installs } = await create(argv)
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, pattern, argv.join(' '))
      assert.match(err, /See 'create-msrp-bot --help'/)
      assert.deepEqual(installs, [])
    }
  })

  test('--version', async () => {
    const { code, out } = await create(['--version'])
    assert.equal(code, 0)
    assert.equal(out.trim(), packageInfo().version)
  })
})

describe('create-msrp-bot: writing the project', () => {
  test('writes the template, fills {{name}}, writes package.json, installs, prints next steps', async () => {
    const { code, out, installs } = await create(['echo-bot'], { MSRP_BOT_PACKAGE: 'file:/somewhere/msrp-bot' })
    assert.equal(code, 0)
    const dir = join(tmp.dir, 'echo-bot')
    assert.deepEqual(installs, [dir])
    assert.deepEqual(readdirSync(dir).sort(), ['.env.example', '.gitignore', 'README.md', 'bot.test.ts', 'bot.ts', 'package.json', 'tsconfig.json'])
    const pkg = readJson(join(dir, 'package.json'))
    assert.equal(pkg['name'], 'echo-bot')
    assert.equal(pkg['type'], 'module')
    assert.deepEqual(pkg['dependencies'], { 'msrp-bot': 'file:/somewhere/msrp-bot' })
    assert.deepEqual(pkg['scripts'], { start: 'msrp-bot dev bot.ts', test: 'tsx --test bot.test.ts', typecheck: 'tsc --noEmit' })
    assert.equal((pkg['devDependencies'] as Record<string, string>)['tsx'], packageInfo().dependencies['tsx'])
    assert.deepEqual(pkg['engines'], { node: packageInfo().nodeEngines })
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /^# echo-bot\n/)
    for (const file of readdirSync(dir)) assert.doesNotMatch(readFileSync(join(dir, file), 'utf8'), /\{\{/, file)
    assert.match(out, /Next steps:\n {2}cd echo-bot\n {2}cp \.env\.example \.env.*\n {2}npm start.*\n {2}npm test/)
    assert.doesNotMatch(out, /Next steps:[^]*npm install/)
  })

  test('--no-install skips npm and lists npm install in the next steps; default spec is ^version', async () => {
    const { code, out, installs } = await create(['plain', '--no-install', '-t', 'blank'])
    assert.equal(code, 0)
    assert.deepEqual(installs, [])
    assert.match(out, /cd plain\n {2}npm install\n/)
    const pkg = readJson(join(tmp.dir, 'plain', 'package.json'))
    assert.deepEqual(pkg['dependencies'], { 'msrp-bot': `^${packageInfo().version}` })
    assert.match(readFileSync(join(tmp.dir, 'plain', 'bot.ts'), 'utf8'), /I am plain\./)
  })

  test('refuses a non-empty folder unless --force; a .git folder alone is fine', async () => {
    tmp.write('busy/notes.txt', 'mine')
    const refused = await create(['busy', '--no-install'])
    assert.equal(refused.code, 2)
    assert.match(refused.err, /busy is not empty\. Pick a new folder, empty it, or pass --force/)
    assert.equal(existsSync(join(tmp.dir, 'busy', 'bot.ts')), false)

    const forced = await create(['busy', '--no-install', '--force'])
    assert.equal(forced.code, 0)
    assert.equal(readFileSync(join(tmp.dir, 'busy', 'notes.txt'), 'utf8'), 'mine')
    assert.ok(existsSync(join(tmp.dir, 'busy', 'bot.ts')))

    tmp.write('fresh-repo/.git/HEAD', 'ref: refs/heads/main\n')
    assert.equal((await create(['fresh-repo', '--no-install'])).code, 0)

    tmp.write('a-file', 'x')
    const file = await create(['a-file', '--no-install'])
    assert.equal(file.code, 2)
    assert.match(file.err, /a-file is a file/)
  })

  test('"." uses the current folder name', async () => {
    const inner = join(tmp.dir, 'dot-bot')
    tmp.write('dot-bot/.git/HEAD', 'x')
    const io = memoryIo({ cwd: inner })
    assert.equal(await main(['.', '--no-install', '-t', 'moderator'], io), 0)
    assert.equal(readJson(join(inner, 'package.json'))['name'], 'dot-bot')
    assert.doesNotMatch(io.stdout.text, /\n {2}cd /)
  })

  test('a failed npm install exits 1 and says the files are written', async () => {
    const io = memoryIo({ cwd: tmp.dir })
    const code = await main(['fails-install'], io, { install: async () => 17 })
    assert.equal(code, 1)
    assert.match(io.stderr.text, /npm install failed \(exit code 17\); the project is written/)
    assert.ok(existsSync(join(tmp.dir, 'fails-install', 'package.json')))
  })

  test('no msrp-bot on the registry: one line saying so and how to use a local checkout', async () => {
    const npm404 = [
      'npm error code E404',
      "npm error 404 Not Found - GET http://127.0.0.1:4873/msrp-bot - no such package available",
      "npm error 404  'msrp-bot@^0.1.0' is not in this registry.",
    ].join('\n')
    const io = memoryIo({ cwd: tmp.dir, env: { npm_config_registry: 'http://127.0.0.1:4873/' } })
    const code = await main(['not-published'], io, { install: async () => ({ code: 1, output: npm404 }) })
    assert.equal(code, 1)
    const lines = io.stderr.text.trim().split('\n')
    assert.equal(lines.length, 1, io.stderr.text)
    assert.match(
      lines[0]!,
      new RegExp(`^create-msrp-bot: msrp-bot@\\^${packageInfo().version.replaceAll('.', '\\.')} is not on the npm registry \\(http://127\\.0\\.0\\.1:4873/\\) yet; .*MSRP_BOT_PACKAGE=file:.*"Working from a clone" in docs/getting-started\\.md.*; the project is written in `),
    )
  })

  test('an unreachable registry: one line saying so; other failures keep npm\'s own words', () => {
    const unreachable = installFailureHint('npm error code ECONNREFUSED\nnpm error syscall connect', '^0.1.0', {})
    assert.match(unreachable ?? '', /^the npm registry \(https:\/\/registry\.npmjs\.org\/\) cannot be reached, so msrp-bot@\^0\.1\.0 could not be installed; .*Working from a clone/)
    assert.match(installFailureHint('npm error code EAI_AGAIN', '^0.1.0', {}) ?? '', /cannot be reached/)
    assert.equal(installFailureHint('npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/left-padd', '^0.1.0', {}), undefined)
    assert.equal(installFailureHint('npm error code EACCES', '^0.1.0', {}), undefined)
  })

  test('with MSRP_BOT_PACKAGE set, a failed install gets no registry hint', async () => {
    const io = memoryIo({ cwd: tmp.dir, env: { MSRP_BOT_PACKAGE: 'file:/nowhere/msrp-bot.tgz' } })
    const code = await main(['override-fails'], io, { install: async () => ({ code: 1, output: 'npm error code E404 msrp-bot' }) })
    assert.equal(code, 1)
    assert.match(io.stderr.text, /^create-msrp-bot: npm install failed \(exit code 1\)/)
  })
})

describe('one Node.js version everywhere', () => {
  const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8')
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node
  const minimum = engines.replace(/^>=/, '')
  const short = minimum.replace(/\.0$/, '')

  test('engines of both packages and of every template say the same', () => {
    assert.match(engines, /^>=\d+\.\d+\.\d+$/)
    assert.equal((JSON.parse(read('packages/create-msrp-bot/package.json')) as { engines: { node: string } }).engines.node, engines)
    assert.equal(templateValues('x', {}).nodeEngines, engines)
    for (const t of TEMPLATE_NAMES) assert.match(read(`templates/${t}/package.json.tmpl`), /"node": "\{\{nodeEngines\}\}"/)
  })

  test('README, getting started and the create-msrp-bot README name that version', () => {
    for (const doc of ['README.md', 'docs/getting-started.md', 'packages/create-msrp-bot/README.md']) {
      assert.match(read(doc), new RegExp(`Node\\.js ${short.replaceAll('.', '\\.')} or later`), doc)
      assert.doesNotMatch(read(doc), /Node(\.js)? 20 or later/, doc)
    }
  })

  test('both bins refuse an older Node.js with a clear message', async () => {
    const { execFile } = await import('node:child_process')
    for (const bin of ['bin/msrp-bot.js', 'packages/create-msrp-bot/bin/create-msrp-bot.js']) {
      // Pretend to be Node.js 18 by overriding process.versions before the bin runs.
      const preload = 'data:text/javascript,' + encodeURIComponent("Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.19.0' } })")
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', preload, join(REPO_ROOT, bin), '--version'], (error, _stdout, stderr) =>
          resolve({ code: error === null ? 0 : (error.code as number), stderr }),
        )
      })
      assert.equal(result.code, 1, bin)
      assert.match(result.stderr, new RegExp(`this is Node\\.js 18\\.19\\.0; msrp-bot needs Node\\.js ${minimum.replaceAll('.', '\\.')} or later\\. Install a newer Node\\.js`), bin)
    }
  })
})

describe('create-msrp-bot: prompts', () => {
  function scripted(answers: { dir?: string; template?: string }): Prompter & { asked: string[] } {
    const asked: string[] = []
    return {
      asked,
      async text(question, fallback) {
        asked.push(question)
        return answers.dir ?? fallback
      },
      async choose(question, choices, fallback) {
        asked.push(question)
        const picked = choices.find((c) => c.value === answers.template)
        return picked?.value ?? fallback
      },
      close() {},
    }
  }

  test('on a terminal, asks for the folder and template when not given', async () => {
    const prompter = scripted({ dir: 'asked-bot', template: 'moderator' })
    const { code } = await create(['--no-install'], {}, { interactive: true, prompter })
    assert.equal(code, 0)
    assert.deepEqual(prompter.asked, ['Project folder', 'Template:'])
    assert.match(readFileSync(join(tmp.dir, 'asked-bot', 'bot.ts'), 'utf8'), /moderator: keeps a chat room friendly/)
  })

  test('Ctrl-C at a prompt exits 130 and writes nothing', async () => {
    const cancelling: Prompter = {
      text: async () => {
        throw new PromptCancelledError()
      },
      choose: async () => {
        throw new PromptCancelledError()
      },
      close() {},
    }
    const { code, err } = await create(['--no-install'], {}, { interactive: true, prompter: cancelling })
    assert.equal(code, 130)
    assert.match(err, /cancelled; nothing was written/)
  })

  test('asks only for what is missing; --yes and non-terminals never ask', async () => {
    const onlyTemplate = scripted({ template: 'blank' })
    assert.equal((await create(['given-dir', '--no-install'], {}, { interactive: true, prompter: onlyTemplate })).code, 0)
    assert.deepEqual(onlyTemplate.asked, ['Template:'])

    const never = scripted({})
    assert.equal((await create(['yes-bot', '--no-install', '--yes'], {}, { interactive: true, prompter: never })).code, 0)
    assert.equal((await create(['tty-less-bot', '--no-install'], {}, { prompter: never })).code, 0)
    assert.deepEqual(never.asked, [])
    assert.match(readFileSync(join(tmp.dir, 'yes-bot', 'bot.ts'), 'utf8'), /echo: the smallest useful msrp-bot/)
  })
})

describe('templates', () => {
  test('each template has the files a project needs', () => {
    for (const t of TEMPLATE_NAMES) {
      assert.deepEqual(templateFiles(t), ['.env.example', 'README.md', 'bot.test.ts', 'bot.ts', 'gitignore', 'package.json.tmpl', 'tsconfig.json'], t)
    }
  })

  test('placeholders: JSON-escaped in JSON files; unknown ones are an error', () => {
    const values = { ...templateValues('x', {}), msrpBotSpec: 'file:C:\\a "b"' }
    assert.equal(fillPlaceholders('{"v": "{{msrpBotSpec}}"}', values, { json: true, file: 'p.json' }), '{"v": "file:C:\\\\a \\"b\\""}')
    assert.equal(fillPlaceholders('# {{ name }}', values, { json: false, file: 'R.md' }), '# x')
    assert.throws(() => fillPlaceholders('{{nmae}}', values, { json: false, file: 'R.md' }), { code: 'CREATE_TEMPLATE_INVALID', message: /R.md uses an unknown placeholder \{\{nmae\}\}/ })
  })

  test('file renames and the MSRP_BOT_PACKAGE override', () => {
    assert.equal(targetName('gitignore'), '.gitignore')
    assert.equal(targetName('package.json.tmpl'), 'package.json')
    assert.equal(targetName('src/gitignore'), 'src/.gitignore')
    assert.equal(msrpBotDependencySpec({ MSRP_BOT_PACKAGE: ' file:/x ' }), 'file:/x')
    assert.equal(msrpBotDependencySpec({ MSRP_BOT_PACKAGE: '' }), `^${packageInfo().version}`)
  })
})
