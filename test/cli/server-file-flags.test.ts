/** `msrp-bot server|dev --files --max-file-size --room-file-quota --push-files --keep-files`. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { devCommand } from '../../src/cli/commands/dev.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
import { serverCliOptions } from '../../src/cli/server-settings.ts'
import { chatServerOptionsFromCli } from '../../src/server/index.ts'
import { memoryIo } from '../../src/cli/io.ts'
import type { ServerOptions } from '../../src/cli/runtime.ts'

function parse(argv: string[]): ServerOptions {
  return serverCommand.parse(parseCommandLine(serverCommand.spec, argv), memoryIo({ cwd: '/', env: {} }))
}

describe('msrp-bot server: files in rooms', () => {
  test('off by default; --files turns them on, with k/m sizes', () => {
    assert.equal(parse([]).files, undefined)
    assert.deepEqual(parse(['--files', 'shared']).files, { dir: 'shared' })
    assert.deepEqual(parse(['--files', 'shared', '--max-file-size', '5m', '--room-file-quota', '20m']).files, { dir: 'shared', maxFileBytes: 5 * 1024 * 1024, maxRoomBytes: 20 * 1024 * 1024 })
  })

  test('the limits need --files, and must be sizes', () => {
    assert.throws(() => parse(['--max-file-size', '5m']), /--max-file-size needs --files <dir>/)
    assert.throws(() => parse(['--room-file-quota', '5m']), /--room-file-quota needs --files <dir>/)
    assert.throws(() => parse(['--files', 'x', '--max-file-size', '0']), /--max-file-size must be a whole number from 1/)
  })

  test('--push-files and --keep-files set the rooms\' default file policy, and need --files', () => {
    assert.deepEqual(parse(['--files', 'shared', '--push-files', '--keep-files']).files, { dir: 'shared', push: true, retention: 'keep' })
    assert.throws(() => parse(['--push-files']), /--push-files needs --files <dir>/)
    assert.throws(() => parse(['--keep-files']), /--keep-files needs --files <dir>/)
  })

  test('dev takes the same file flags, and they reach the server options through the one mapping', () => {
    const dev = devCommand.parse(parseCommandLine(devCommand.spec, ['--no-chat', '--files', 'shared', '--push-files', 'bots/echo.ts']), memoryIo({ cwd: process.cwd(), env: {} }))
    assert.deepEqual(dev.server.files, { dir: 'shared', push: true })
    const options = chatServerOptionsFromCli(serverCliOptions(dev.server, { debug: () => undefined, info: () => undefined, warn: () => undefined }))
    assert.deepEqual(options.files, { dir: 'shared', push: true })
  })
})
