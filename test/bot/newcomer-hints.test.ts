// Small rough edges a newcomer hits (issue 17, item 9): hints that point at the right fix.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createBot } from '../../src/index.ts'
import { Composer } from '../../src/bot/composer.ts'

describe('a bot uri with another scheme', () => {
  test("'http://echo.example' is told to use sip:, not to prefix it", () => {
    assert.throws(
      () => createBot({ uri: 'http://echo.example' }),
      (error: Error) => {
        assert.match(error.message, /http: is not a SIP scheme: write a sip: URI, such as 'sip:echo@echo\.example'/)
        assert.doesNotMatch(error.message, /sip:http:/)
        return true
      },
    )
  })

  test("'mailto:echo@example.com' keeps its user", () => {
    assert.throws(() => createBot({ uri: 'mailto:echo@example.com' }), /mailto: is not a SIP scheme: write a sip: URI, such as 'sip:echo@example\.com'/)
  })

  test('a bare user@host still gets the scheme added', () => {
    assert.throws(() => createBot({ uri: 'echo@example.com' }), /add the scheme: 'sip:echo@example\.com'/)
  })
})

describe('bot.on with a misspelt query', () => {
  test("'mesage' gets \"did you mean 'message'?\"", () => {
    const bot = new Composer()
    assert.throws(() => bot.on('mesage' as 'message', () => {}), /unknown filter query "mesage"; did you mean 'message'\?/)
  })

  test('a query far from every valid one gets only the list', () => {
    const bot = new Composer()
    assert.throws(
      () => bot.on('zzzzzzzz' as 'message', () => {}),
      (error: Error) => !/did you mean/.test(error.message) && /valid queries are: 'message'/.test(error.message),
    )
  })
})
