import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { checkProjectName } from '../../src/cli/create/project-name.ts'

test('valid npm names', () => {
  for (const name of ['my-bot', 'echo', 'bot.2', 'a_b', 'x'.repeat(214)]) {
    assert.deepEqual(checkProjectName(name), { valid: true, problems: [], suggestion: undefined }, name)
  }
})

test('invalid names say why and suggest a fix', () => {
  const cases: Array<[string, RegExp, string | undefined]> = [
    ['My Bot', /capital letters.*not URL-safe/, 'my-bot'],
    ['.hidden', /starts with '\.'/, 'hidden'],
    ['_private', /starts with '_'/, 'private'],
    ["bob's(bot)", /~'!\(\)\*/, 'bob-s-bot'],
    ['http', /Node.js core module/, 'http-bot'],
    ['node_modules', /reserved name/, 'node_modules-bot'],
    ['x'.repeat(215), /longer than 214/, 'x'.repeat(214)],
    ['café', /not URL-safe/, 'cafe'],
    ['', /empty/, undefined],
  ]
  for (const [name, pattern, suggestion] of cases) {
    const check = checkProjectName(name)
    assert.equal(check.valid, false, name)
    assert.match(check.problems.join('; '), pattern, name)
    assert.equal(check.suggestion, suggestion, name)
  }
})

test('every suggestion is itself valid', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (name) => {
      const { valid, suggestion } = checkProjectName(name)
      if (!valid && suggestion !== undefined) assert.equal(checkProjectName(suggestion).valid, true, suggestion)
    }),
    { numRuns: 300 },
  )
})
