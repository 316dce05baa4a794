// Logs a person reads (issue 17, item 8): one line per event, stack traces only for bugs,
// handler errors trimmed to the handler's own frames, and `--log-format json` for production.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { describeError } from '../../src/logger.ts'
import { MsrpBotError } from '../../src/errors.ts'
import { startMsrpBot } from './binary.ts'

/** A server and the echo bot in its lobby, over loopback TCP; stops the server first. */
async function botThenServerStops(extra: readonly string[]): Promise<{ stderr: string; code: number | null }> {
  const server = startMsrpBot(['server', '--port', '0', '--msrp-port', '0'], { env: { MSRP_BOT_LOG_LEVEL: 'warn' } })
  let bot: ReturnType<typeof startMsrpBot> | undefined
  try {
    await server.waitFor(/ready: sip udp:\/\/127\.0\.0\.1:\d+/)
    const port = /ready: sip udp:\/\/127\.0\.0\.1:(\d+)/.exec(server.stdout())![1]
    const proxy = `sip:127.0.0.1:${port};transport=tcp;lr`
    bot = startMsrpBot(['run', 'bots/echo.ts', '--uri', 'sip:echo@localhost', '--registrar', proxy, '--outbound-proxy', proxy, '--room', 'sip:lobby@localhost', ...extra], {
      env: { MSRP_BOT_LOG_LEVEL: 'info', MSRP_BOT_LOG_FORMAT: '' },
    })
    await bot.waitFor(/joined|"msg":"joined/)
    // The server shutting down is an expected event for the bot: its room closes.
    server.child.kill('SIGINT')
    await server.exited
    await bot.waitFor(/closed|restart|left|removed/i)
  } finally {
    server.child.kill('SIGINT')
    bot?.child.kill('SIGINT')
  }
  const result = await bot!.exited
  return { stderr: result.stderr, code: result.code }
}

describe('log lines of msrp-bot run', () => {
  test('one line per event, and no stack trace when the server shuts down', async () => {
    const { stderr } = await botThenServerStops([])
    assert.equal(stderr.match(/started/g)?.length, 1, `"started" once:\n${stderr}`)
    assert.equal(stderr.split('\n').filter((l) => /shutting down/.test(l)).length, 1, `the shutdown once:\n${stderr}`)
    assert.doesNotMatch(stderr, /^\s+at /m, `no stack trace:\n${stderr}`)
  })

  test('--log-format json: every log line is a pino object', async () => {
    const { stderr } = await botThenServerStops(['--log-format', 'json'])
    const lines = stderr.split('\n').filter((l) => l.startsWith('{'))
    assert.ok(lines.length >= 2, stderr)
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>
      assert.equal(typeof entry['level'], 'number')
      assert.ok([10, 20, 30, 40, 50, 60].includes(entry['level'] as number))
      assert.equal(typeof entry['time'], 'number')
      assert.equal(typeof entry['pid'], 'number')
      assert.equal(typeof entry['msg'], 'string')
    }
    assert.ok(lines.some((l) => (JSON.parse(l) as { msg: string }).msg === 'bot started'))
    // Only log lines and the command's own `msrp-bot:` lines: nothing else on stderr.
    for (const line of stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'))) assert.match(line, /^msrp-bot( run)?: /)
  })
})

describe('describeError', () => {
  test('an expected failure (a typed error with a code) is one line', () => {
    assert.equal(describeError(new MsrpBotError('ROOM_CLOSED', 'the room was closed by the server')), 'the room was closed by the server [ROOM_CLOSED]')
  })

  test("a handler's bug keeps only the handler's frames", () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'nickname')")
    const library = new URL('../../src/bot/bot.ts', import.meta.url).pathname
    error.stack = [
      `TypeError: ${error.message}`,
      '    at handler (/home/me/my-bot/bot.ts:12:30)',
      `    at Composer.run (${library}:480:12)`,
      `    at Bot.dispatch (${library}:490:7)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at Module.something (/home/me/my-bot/node_modules/msrp-bot/dist/bot/bot.js:1:1)',
    ].join('\n')
    assert.equal(describeError(error), `TypeError: ${error.message}\n    at handler (/home/me/my-bot/bot.ts:12:30)`)
  })

  test('a bug inside the library keeps its whole stack', () => {
    const error = new RangeError('bad index')
    const library = new URL('../../src/msrp/chunker.ts', import.meta.url).pathname
    error.stack = `RangeError: bad index\n    at chunk (${library}:10:1)`
    assert.equal(describeError(error), error.stack)
  })
})
