import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { closest, editDistance, formatHelp, listFlag, parseCommandLine, stringFlag } from '../../src/cli/args.ts'
import type { CommandSpec } from '../../src/cli/args.ts'
import { CliUsageError } from '../../src/cli/errors.ts'

const spec: CommandSpec = {
  name: 'tool cmd',
  summary: 'Does a thing.',
  positionals: '<file>',
  arity: { min: 1, max: 1 },
  flags: {
    port: { type: 'string', short: 'p', value: '<port>', description: 'The port', default: '5060' },
    room: { type: 'string', multiple: true, value: '<uri>', description: 'A room', env: 'ROOMS' },
    force: { type: 'boolean', description: 'Overwrite' },
  },
  examples: ['tool cmd a.ts -p 1'],
}

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CliUsageError, `expected CliUsageError, got ${String(e)}`)
    assert.equal(e.code, 'CLI_USAGE')
    assert.equal(e.command, 'tool cmd')
    assert.match(e.message, pattern)
    return true
  })
}

describe('parseCommandLine', () => {
  test('long, short, = forms, repeated flags and positionals', () => {
    const line = parseCommandLine(spec, ['a.ts', '-p', '1', '--room=x', '--room', 'y', '--force'])
    assert.equal(line.help, false)
    assert.deepEqual(line.positionals, ['a.ts'])
    assert.equal(stringFlag(line.values, 'port'), '1')
    assert.deepEqual(listFlag(line.values, 'room'), ['x', 'y'])
    assert.equal(line.values['force'], true)
  })

  test('--help wins over everything else, including missing positionals and bad flags', () => {
    assert.equal(parseCommandLine(spec, ['--help']).help, true)
    assert.equal(parseCommandLine(spec, ['--bogus', '-h']).help, true)
    assert.deepEqual(parseCommandLine(spec, ['--', '--help']).positionals, ['--help'])
  })

  test('unknown flag: names it, suggests the closest, lists the valid ones', () => {
    usageError(() => parseCommandLine(spec, ['a.ts', '--prot', '1']), /unknown flag '--prot'\. Did you mean '--port'\? Valid flags: --port, --room, --force, --help/)
    usageError(() => parseCommandLine(spec, ['a.ts', '-x']), /unknown flag '-x'\. Valid flags/)
    usageError(() => parseCommandLine(spec, ['a.ts', '-port', '1']), /'-port' has one dash; write '--port'/)
  })

  test('a value flag without a value, a boolean flag with one', () => {
    usageError(() => parseCommandLine(spec, ['a.ts', '--port']), /flag '--port' needs a value: '--port <port>'/)
    usageError(() => parseCommandLine(spec, ['a.ts', '-p']), /flag '--port' needs a value/)
    usageError(() => parseCommandLine(spec, ['a.ts', '--force=yes']), /flag '--force' takes no value/)
  })

  test('missing and extra positionals', () => {
    usageError(() => parseCommandLine(spec, []), /missing <file>/)
    usageError(() => parseCommandLine(spec, ['a.ts', 'b.ts']), /unexpected argument 'b.ts'/)
  })
})

describe('formatHelp', () => {
  test('lists usage, every flag with its default/env, help, and examples', () => {
    const help = formatHelp(spec)
    assert.match(help, /^Usage: tool cmd <file> \[options\]\n/)
    assert.match(help, /-p, --port <port> +The port \(default: 5060\)/)
    assert.match(help, /--room <uri> +A room \(env: ROOMS; repeatable\)/)
    assert.match(help, /-h, --help +Show this help/)
    assert.match(help, /Examples:\n {2}tool cmd a.ts -p 1/)
  })
})

describe('closest', () => {
  test('finds near misses and prefixes, not unrelated words', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3)
    assert.equal(closest('serve', ['dev', 'run', 'server', 'chat']), 'server')
    assert.equal(closest('rn', ['dev', 'run', 'server', 'chat']), 'run')
    assert.equal(closest('xyzzy', ['dev', 'run', 'server', 'chat']), undefined)
  })
})
