/** `msrp-bot server --redis --node-id --lease-ms`. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
import { memoryIo } from '../../src/cli/io.ts'
import type { ServerOptions } from '../../src/cli/runtime.ts'

function parse(argv: string[]): ServerOptions {
  return serverCommand.parse(parseCommandLine(serverCommand.spec, argv), memoryIo({ cwd: '/', env: {} }))
}

describe('msrp-bot server: cluster flags', () => {
  test('without --redis the server is alone', () => {
    assert.equal(parse([]).cluster, undefined)
  })

  test('--redis with --node-id makes a cluster node; --lease-ms is optional', () => {
    assert.deepEqual(parse(['--redis', 'redis://127.0.0.1:6379', '--node-id', 'a']).cluster, { redis: 'redis://127.0.0.1:6379', nodeId: 'a' })
    assert.deepEqual(parse(['--redis', 'redis://10.0.0.5:6379/2', '--node-id', 'node-2', '--lease-ms', '2000']).cluster, { redis: 'redis://10.0.0.5:6379/2', nodeId: 'node-2', leaseMs: 2000 })
  })

  test('bad combinations say what to do', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--node-id', 'a'], /--node-id and --lease-ms need --redis/],
      [['--redis', 'redis://127.0.0.1:6379'], /--redis needs --node-id <id>/],
      [['--redis', '127.0.0.1:6379', '--node-id', 'a'], /give a URL like redis:\/\/127\.0\.0\.1:6379/],
      [['--redis', 'redis://127.0.0.1:6379', '--node-id', 'has space'], /--redis needs --node-id/],
      [['--redis', 'redis://127.0.0.1:6379', '--node-id', 'a', '--lease-ms', '60000'], /--lease-ms must be a whole number from 500 to 10000/],
    ]
    for (const [argv, message] of cases) assert.throws(() => parse(argv), message, argv.join(' '))
  })
})
