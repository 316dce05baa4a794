// Under `node --test` the default log level is 'warn', so passing tests print no INFO lines
// (issue 17, item 7); MSRP_BOT_LOG_LEVEL still wins.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { logLevelFromEnv } from '../src/logger.ts'

test('the default level is warn inside a node --test run, info outside it', () => {
  const saved = { level: process.env['MSRP_BOT_LOG_LEVEL'], context: process.env['NODE_TEST_CONTEXT'] }
  try {
    delete process.env['MSRP_BOT_LOG_LEVEL']
    process.env['NODE_TEST_CONTEXT'] = 'child-v8'
    assert.equal(logLevelFromEnv(), 'warn')
    delete process.env['NODE_TEST_CONTEXT']
    assert.equal(logLevelFromEnv(), 'info')
    process.env['NODE_TEST_CONTEXT'] = 'child-v8'
    process.env['MSRP_BOT_LOG_LEVEL'] = 'debug'
    assert.equal(logLevelFromEnv(), 'debug')
  } finally {
    for (const [key, value] of [['MSRP_BOT_LOG_LEVEL', saved.level], ['NODE_TEST_CONTEXT', saved.context]] as const) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
})
