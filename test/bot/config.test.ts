import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validateConfig } from '../../src/bot/config.ts'
import { BotConfigError } from '../../src/bot/errors.ts'
import { createBot } from '../../src/bot/bot.ts'

function problems(input: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    validateConfig(input, env)
  } catch (err) {
    assert.ok(err instanceof BotConfigError)
    assert.equal(err.code, 'BOT_CONFIG_INVALID')
    return [...err.problems]
  }
  assert.fail('expected the config to be rejected')
}

describe('validateConfig', () => {
  it('applies defaults', () => {
    const c = validateConfig({ uri: 'sip:echo@example.test' }, {})
    assert.equal(c.transport, 'tcp')
    assert.equal(c.ignoreSelf, true)
    assert.equal(c.password, undefined)
    assert.deepEqual(c.rateLimit, { messagesPerSecond: 5, burst: 10 })
    assert.equal(c.queue.maxAttempts, 5)
    assert.equal(validateConfig({ uri: 'sips:echo@example.test' }, {}).transport, 'tls')
  })

  it('requires a sip:/sips: uri and suggests the fix', () => {
    const [p] = problems({ uri: 'echo@example.test' })
    assert.match(p ?? '', /^uri: must be a sip: or sips: URI/)
    assert.match(p ?? '', /add the scheme: 'sip:echo@example\.test'/)
    assert.deepEqual(problems({}), ['uri: is required'])
    assert.match(problems({ uri: 'http://x' })[0] ?? '', /^uri:/)
  })

  it('a password that is present but undefined (unset env var) is a clear error', () => {
    const [p] = problems({ uri: 'sip:echo@example.test', password: process.env['SURELY_NOT_SET_MSRP_BOT_TEST'] })
    assert.match(p ?? '', /^password: is undefined/)
    assert.match(p ?? '', /process\.env\.SIP_PASSWORD/)
    assert.match(p ?? '', /remove the field/)
  })

  it('reads { env: NAME } passwords, naming the variable when it is missing', () => {
    const c = validateConfig({ uri: 'sip:echo@example.test', password: { env: 'SIP_PASSWORD' } }, { SIP_PASSWORD: 's3cret' })
    assert.equal(c.password, 's3cret')
    assert.match(
      problems({ uri: 'sip:echo@example.test', password: { env: 'SIP_PASSWORD' } })[0] ?? '',
      /password: environment variable SIP_PASSWORD is not set; export SIP_PASSWORD=/,
    )
    assert.match(problems({ uri: 'sip:e@x', password: '' })[0] ?? '', /^password: is an empty string/)
  })

  it('names every bad field at once: transport, registrar, logLevel, limits', () => {
    const list = problems({
      uri: 'sip:echo@example.test',
      transport: 'sctp',
      registrar: 'registrar.example.test',
      outboundProxy: 'sip:proxy.example.test;lr',
      logLevel: 'verbose',
      rateLimit: { messagesPerSecond: 0, burst: 1.5 },
      queue: { maxAttempts: 0 },
    })
    assert.deepEqual(list.sort(), [
      "transport: must be one of 'udp', 'tcp', 'tls', 'ws'",
      "registrar: must be a sip: or sips: URI such as 'sip:example.test' (got \"registrar.example.test\"); add the scheme: 'sip:registrar.example.test'",
      "logLevel: must be one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'",
      'rateLimit.messagesPerSecond: must be greater than 0 (sustained sends per second per room)',
      'rateLimit.burst: must be a whole number (sends allowed at once before pacing starts)',
      'queue.maxAttempts: must be at least 1 (attempts per send when the peer rate-limits)',
    ].sort())
  })

  it('suggests the right spelling for unknown fields', () => {
    assert.deepEqual(problems({ uri: 'sip:e@x', passwrd: 'x', queue: { maxPendng: 1 } }).sort(), [
      "passwrd: unknown field; did you mean 'password'?",
      "queue.maxPendng: unknown field; did you mean 'maxPending'?",
    ])
  })

  it('rejects a non-object config', () => {
    assert.match(problems('sip:echo@example.test')[0] ?? '', /must be an object/)
  })

  it('createBot throws the same BotConfigError', () => {
    assert.throws(() => createBot({ uri: 'nope' }), BotConfigError)
  })
})
