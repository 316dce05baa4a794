// A UDP registrar that is down: progress while retransmitting, and the final error says what to
// check in command-line words (issue 17, item 5).
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { after, describe, test } from 'node:test'
import { messageForCommandLine } from '../../src/cli/flag-hints.ts'
import { MsrpBotError } from '../../src/errors.ts'
import { startMsrpBot } from './binary.ts'

describe('msrp-bot run against a silent UDP registrar', () => {
  // Bound and never answering: what a registrar that is down looks like over UDP on a host that is up.
  const silent = createSocket('udp4')
  after(() => new Promise<void>((resolve) => silent.close(() => resolve())))

  test('says at once that there is no answer, where, and what to check', async () => {
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    const port = silent.address().port
    const run = startMsrpBot(
      ['run', 'bots/echo.ts', '--uri', 'sip:echo@localhost', '--registrar', `sip:127.0.0.1:${port}`, '--transport', 'udp', '--room', 'sip:lobby@localhost'],
      { env: { MSRP_BOT_LOG_LEVEL: 'info' } },
    )
    try {
      await run.waitFor(/REGISTER to 127\.0\.0\.1:\d+ over UDP: no answer after/)
      assert.match(
        run.stderr(),
        new RegExp(`REGISTER to 127\\.0\\.0\\.1:${port} over UDP: no answer after 0\\.5 s; retransmitting until 32 s \\(RFC 3261 §17\\.1\\)\\. Check that a SIP server runs at that address and answers over UDP`),
      )
    } finally {
      // Registration does not give up before Timer F (32 s); the final line is checked below.
      run.child.kill('SIGKILL')
      await run.exited
    }
  })
})

describe('the final registration error on the command line', () => {
  test('names flags instead of API fields, and what silence over UDP means', () => {
    const error = new MsrpBotError(
      'REGISTRATION_FAILED',
      'cannot register sip:echo@localhost: no answer from the registrar (REGISTER got no final response within 32000 ms (RFC 3261 Timer F); the peer is unreachable or not answering — check its address and transport); check uri, password, registrar and outboundProxy',
    )
    const message = messageForCommandLine(error, { account: { transport: 'udp', outboundProxy: undefined } })
    assert.match(message, /check --uri, the password \(SIP_PASSWORD\), --registrar and --outbound-proxy\./)
    assert.match(message, /Over UDP a server that is down gives no error, only silence; --transport tcp fails at once when nothing listens\.$/)
    assert.doesNotMatch(message, /outboundProxy/)
  })

  test('over TCP the silence hint is left out', () => {
    const error = new MsrpBotError('REGISTRATION_FAILED', 'cannot register sip:a@b: REGISTER got no final response within 32000 ms; check uri, password, registrar and outboundProxy')
    assert.doesNotMatch(messageForCommandLine(error, { account: { transport: 'tcp' } }), /Over UDP/)
  })
})
