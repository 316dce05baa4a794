// What the README and --help tell a newcomer works as written (issue 17, item 9).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { runCommand } from '../../src/cli/commands/run.ts'
import { REPO_ROOT } from './helpers.ts'
import { runMsrpBot } from './binary.ts'

describe("the README's commands", () => {
  test('the `msrp-bot run` example parses as given (no missing --room)', () => {
    const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8')
    const line = /^npx msrp-bot run (.+?)\s+#/m.exec(readme)?.[1]
    assert.ok(line !== undefined, 'the README has a `npx msrp-bot run` example')
    const args = line.split(/\s+/).map((a) => (a === 'bot.ts' ? 'bots/echo.ts' : a))
    const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: { SIP_PASSWORD: 'x' }, cwd: REPO_ROOT }
    const options = runCommand.parse(parseCommandLine(runCommand.spec, args), io)
    assert.ok(options.rooms.length > 0)
  })
})

describe('msrp-bot server --help', () => {
  test('says one thing about 0.0.0.0: it needs --advertise', async () => {
    const result = await runMsrpBot(['server', '--help'])
    assert.equal(result.code, 0)
    assert.doesNotMatch(result.stdout, /0\.0\.0\.0 is refused/)
    assert.match(result.stdout, /bind 0\.0\.0\.0 or :: with --advertise/)
  })
})
