/** `msrp-bot server --history --history-bytes --auto-create --max-auto-rooms --auto-room-history`. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
import { memoryIo } from '../../src/cli/io.ts'
import type { ServerOptions } from '../../src/cli/runtime.ts'
import { startMsrpBot } from './binary.ts'

function parse(argv: string[]): ServerOptions {
  return serverCommand.parse(parseCommandLine(serverCommand.spec, argv), memoryIo({ cwd: '/', env: {} }))
}

describe('msrp-bot server: history and rooms on demand', () => {
  test('defaults: the server decides (20 messages, 256 KiB, no rooms on demand)', () => {
    const options = parse([])
    assert.equal(options.history, undefined)
    assert.equal(options.historyBytes, undefined)
    assert.equal(options.autoCreate, undefined)
  })

  test('values are parsed, with k/m suffixes for bytes', () => {
    const options = parse(['--history', '0', '--history-bytes', '64k', '--auto-create', '--max-auto-rooms', '7', '--auto-room-history', 'keep'])
    assert.equal(options.history, 0, '0 turns history off')
    assert.equal(options.historyBytes, 65536)
    assert.equal(options.autoCreate, true)
    assert.equal(options.maxAutoRooms, 7)
    assert.equal(options.autoRoomHistory, 'keep')
    assert.equal(parse(['--history-bytes', '1m']).historyBytes, 1024 * 1024)
    assert.equal(parse(['--history-bytes', '1000']).historyBytes, 1000)
  })

  test('bad values say what to do', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--history=-1'], /--history must be a whole number from 0 to 10000/],
      [['--history', 'lots'], /--history must be a whole number/],
      [['--history-bytes', '0'], /--history-bytes must be a whole number from 1 .* \(bytes; a k or m suffix means KiB or MiB\)/],
      [['--max-auto-rooms', '5'], /--max-auto-rooms needs --auto-create/],
      [['--auto-room-history', 'keep'], /--auto-room-history needs --auto-create/],
      [['--auto-create', '--max-auto-rooms', '0'], /--max-auto-rooms must be a whole number from 1/],
      [['--auto-create', '--auto-room-history', 'forever'], /--auto-room-history must be one of drop, keep/],
    ]
    for (const [argv, message] of cases) assert.throws(() => parse(argv), message)
  })

  test('the binary takes the flags and says that rooms are created on demand', async () => {
    const server = startMsrpBot(['server', '--port', '0', '--msrp-port', '0', '--history', '5', '--history-bytes', '32k', '--auto-create', '--max-auto-rooms', '3'], { env: { MSRP_BOT_LOG_LEVEL: 'warn' } })
    try {
      await server.waitFor(/ready: .*rooms sip:lobby@localhost \(more created on demand\)/)
    } finally {
      server.child.kill('SIGINT')
    }
    const result = await server.exited
    assert.equal(result.code, 0, result.stderr)
  })
})
