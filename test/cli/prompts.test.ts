import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { createPrompter } from '../../src/cli/create/prompts.ts'

/** A prompter on in-memory streams; `answer` types a line once the question was printed. */
function harness() {
  const input = new PassThrough()
  const output = new PassThrough()
  let printed = ''
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = []
  output.on('data', (chunk: Buffer) => {
    // The prompter drives a terminal: drop its cursor-movement escapes (ESC [ ... letter).
    printed += chunk.toString().replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    for (const w of [...waiters]) {
      if (w.pattern.test(printed)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  const printedMatches = (pattern: RegExp) =>
    new Promise<void>((resolve) => (pattern.test(printed) ? resolve() : waiters.push({ pattern, resolve })))
  return {
    prompter: createPrompter(input, output),
    answer: async (after: RegExp, line: string) => {
      await printedMatches(after)
      input.write(`${line}\n`)
    },
    printed: () => printed,
  }
}

const choices = [
  { value: 'echo', hint: 'repeats' },
  { value: 'moderator', hint: 'moderates' },
  { value: 'blank', hint: 'nothing' },
] as const

test('text: the answer, or the default on an empty line', async () => {
  const h = harness()
  const first = h.prompter.text('Project folder', 'my-bot')
  await h.answer(/Project folder \(my-bot\): $/, '  cool-bot ')
  assert.equal(await first, 'cool-bot')
  const second = h.prompter.text('Again', 'my-bot')
  await h.answer(/Again \(my-bot\): $/, '')
  assert.equal(await second, 'my-bot')
  h.prompter.close()
})

test('choose: by number or name, re-asks on nonsense, default on empty', async () => {
  const h = harness()
  const byNumber = h.prompter.choose('Template:', choices, 'echo')
  await h.answer(/Choose 1-3 or a name \(echo\): $/, '2')
  assert.equal(await byNumber, 'moderator')
  assert.match(h.printed(), /1\. echo +repeats\n {2}2\. moderator +moderates/)

  const retried = h.prompter.choose('Template?', choices, 'echo')
  await h.answer(/Template\?[^]*\(echo\): $/, 'nine')
  await h.answer(/'nine' is not one of the choices\.\n[^]*\(echo\): $/, 'BLANK')
  assert.equal(await retried, 'blank')

  const fallback = h.prompter.choose('Pick', choices, 'echo')
  await h.answer(/Pick[^]*\(echo\): $/, '')
  assert.equal(await fallback, 'echo')
  h.prompter.close()
})

test('Ctrl-C or end of input at a question cancels instead of hanging', async () => {
  const h = harness()
  const pending = h.prompter.text('Project folder', 'my-bot')
  await h.answer(/Project folder/, '\x03')
  await assert.rejects(pending, { code: 'CREATE_CANCELLED' })

  const eof = harness()
  const waiting = eof.prompter.choose('Template:', choices, 'echo')
  eof.prompter.close()
  await assert.rejects(waiting, { code: 'CREATE_CANCELLED' })
})
