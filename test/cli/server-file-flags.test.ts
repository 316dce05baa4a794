/** `msrp-bot server --files --max-file-size --room-file-quota`. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
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
})
