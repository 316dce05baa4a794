// End to end: `create-msrp-bot` for each template, with a real `npm install` linking this
// checkout (MSRP_BOT_PACKAGE=file:<repo>), then the new project's own `npm test` and typecheck.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { lstatSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
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
  env['MSRP_BOT_PACKAGE'] = `file:${REPO_ROOT}`
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

describe('create-msrp-bot end to end', () => {
  for (const template of TEMPLATE_NAMES) {
    test(`template ${template}: scaffold, npm install, npm test and typecheck pass`, { timeout: 240_000 }, async () => {
      const name = `${template}-project`
      const created = await run(process.execPath, [join(REPO_ROOT, 'bin/create-msrp-bot.js'), name, '--template', template], tmp.dir)
      assert.equal(created.code, 0, created.output)
      assert.match(created.output, new RegExp(`Created ${name} \\(template: ${template}\\)`))
      const dir = join(tmp.dir, name)

      const tested = await run('npm', ['test'], dir)
      assert.equal(tested.code, 0, tested.output)
      const passed = Number(/^# pass (\d+)$/m.exec(tested.output)?.[1] ?? 0)
      assert.ok(passed >= 3, `expected at least 3 passing tests:\n${tested.output}`)
      assert.match(tested.output, /^# fail 0$/m)

      const typed = await run('npm', ['run', 'typecheck'], dir)
      assert.equal(typed.code, 0, typed.output)

      // The installed bin runs (the chat server is not wired yet, so `dev` stops with a clear error).
      const help = await run(join(dir, 'node_modules/.bin/msrp-bot'), ['dev', '--help'], dir)
      assert.equal(help.code, 0, help.output)
      assert.match(help.output, /Usage: msrp-bot dev/)
    })
  }

  // What a user gets from the registry: the package as `npm pack` makes it (the "files" list),
  // installed as a copy with its own dependencies rather than a link to this checkout.
  test('from the packed tarball: the echo project installs and its tests pass', { timeout: 240_000 }, async () => {
    const packed = await run('npm', ['pack', '--pack-destination', tmp.dir], REPO_ROOT)
    assert.equal(packed.code, 0, packed.output)
    const tarball = /^(msrp-bot-[^\s]+\.tgz)$/m.exec(packed.output)?.[1]
    assert.ok(tarball !== undefined, packed.output)
    const env = { MSRP_BOT_PACKAGE: `file:${join(tmp.dir, tarball)}` }
    const created = await run(process.execPath, [join(REPO_ROOT, 'bin/create-msrp-bot.js'), 'from-tarball', '--yes'], tmp.dir, env)
    assert.equal(created.code, 0, created.output)
    const dir = join(tmp.dir, 'from-tarball')
    assert.ok(!lstatSync(join(dir, 'node_modules/msrp-bot')).isSymbolicLink(), 'msrp-bot should be a copy, not a link')
    const tested = await run('npm', ['test'], dir)
    assert.equal(tested.code, 0, tested.output)
    assert.match(tested.output, /^# fail 0$/m)
    const help = await run(join(dir, 'node_modules/.bin/msrp-bot'), ['--help'], dir)
    assert.equal(help.code, 0, help.output)
  })
})
