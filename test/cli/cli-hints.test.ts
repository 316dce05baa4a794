// Hints name the flags the user typed, not the API fields behind them (issue 17, item 4).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { runMsrpBot, startMsrpBot, type RunningBinary } from './binary.ts'

describe('hints on the command line', () => {
  let server: RunningBinary
  let port = 0
  before(async () => {
    server = startMsrpBot(['server', '--port', '0', '--msrp-port', '0', '--domain', 'example.test', '--users', 'alice:secret'])
    await server.waitFor(/ready: sip udp:\/\/127\.0\.0\.1:\d+/)
    port = Number(/ready: sip udp:\/\/127\.0\.0\.1:(\d+)/.exec(server.stdout())![1])
  })
  after(async () => {
    server.child.kill('SIGINT')
    await server.exited
  })

  test('chat without a password names SIP_PASSWORD and --password-env', async () => {
    const env = { SIP_PASSWORD: '', MSRP_BOT_LOG_LEVEL: 'warn' }
    const result = await runMsrpBot(['chat', 'sip:lobby@example.test', '--uri', 'sip:alice@example.test', '--outbound-proxy', `sip:127.0.0.1:${port};transport=tcp;lr`], { env })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /no password was given; export SIP_PASSWORD=\.\.\. \(or name another variable with --password-env\)/)
    assert.doesNotMatch(result.stderr, /\{ password \}|authorizationUser/)
  })

  test('run without an outbound proxy, the room host unresolvable: says to add --outbound-proxy', async () => {
    const result = await runMsrpBot(
      ['run', 'bots/echo.ts', '--uri', 'sip:alice@example.test', '--registrar', `sip:127.0.0.1:${port}`, '--room', 'sip:lobby@example.test'],
      { env: { SIP_PASSWORD: 'secret', MSRP_BOT_LOG_LEVEL: 'error' } },
    )
    assert.equal(result.code, 1)
    assert.match(result.stderr, /ENOTFOUND example\.test.* example\.test does not resolve here: add --outbound-proxy with your server's address/)
  })
})

describe('dev --users without the bot', () => {
  test('says to add the bot to --users instead of a 401', async () => {
    const result = await runMsrpBot(['dev', 'bots/echo.ts', '--no-chat', '--port', '0', '--msrp-port', '0', '--users', 'alice:secret'], {
      env: { MSRP_BOT_LOG_LEVEL: 'warn' },
    })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /sip:echo@localhost is not in --users \(which lists alice\), so the local server would refuse it; add echo:<password> to --users/)
  })
})
