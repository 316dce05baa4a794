import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { createConsoleLogger, createMemoryLogger, logLevelFromEnv, silentLogger } from '../src/logger.ts'

describe('logger', () => {
  const saved = process.env['MSRP_BOT_LOG_LEVEL']
  afterEach(() => {
    if (saved === undefined) delete process.env['MSRP_BOT_LOG_LEVEL']
    else process.env['MSRP_BOT_LOG_LEVEL'] = saved
  })

  it('accepts pino-style calls and merges child bindings', () => {
    const logger = createMemoryLogger()
    logger.info('plain')
    logger.child({ room: 'sip:lobby@x' }).warn({ nick: 'echo' }, 'with fields')
    assert.deepEqual(logger.entries, [
      { level: 'info', msg: 'plain', fields: {} },
      { level: 'warn', msg: 'with fields', fields: { room: 'sip:lobby@x', nick: 'echo' } },
    ])
  })

  it('drops entries below the threshold', () => {
    const logger = createMemoryLogger('warn')
    logger.debug('no')
    logger.info('no')
    logger.error('yes')
    logger.fatal({ a: 1 })
    assert.deepEqual(logger.entries.map((e) => e.level), ['error', 'fatal'])
  })

  it('reads MSRP_BOT_LOG_LEVEL, falling back on unknown values', () => {
    process.env['MSRP_BOT_LOG_LEVEL'] = 'DEBUG'
    assert.equal(logLevelFromEnv(), 'debug')
    process.env['MSRP_BOT_LOG_LEVEL'] = 'loud'
    assert.equal(logLevelFromEnv('warn'), 'warn')
    delete process.env['MSRP_BOT_LOG_LEVEL']
    assert.equal(logLevelFromEnv('info'), 'info') // the default fallback is 'warn' under node --test (test/logger-under-test.test.ts)
  })

  it('the console logger writes one line to stderr with level, message and fields', () => {
    const written: string[] = []
    const original = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string) => {
      written.push(chunk)
      return true
    }) as typeof process.stderr.write
    try {
      const logger = createConsoleLogger('info')
      logger.debug('hidden')
      logger.warn({ room: 'sip:lobby@x' }, 'send failed')
    } finally {
      process.stderr.write = original
    }
    assert.equal(written.length, 1)
    assert.match(written[0] ?? '', /^\d{4}-\d\d-\d\dT\S+ WARN  send failed room="sip:lobby@x"\n$/)
  })

  it('the silent logger accepts every call', () => {
    silentLogger.error(new Error('x'), 'ignored')
    silentLogger.child({}).trace('ignored')
  })
})
