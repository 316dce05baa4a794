/**
 * Questions on the terminal (node:readline/promises), used by create-msrp-bot only when both
 * stdin and stdout are terminals and `--yes` was not given.
 *
 * @module
 */
import { createInterface } from 'node:readline/promises'
import type { Interface } from 'node:readline/promises'

/** A question-asking session; close it when done. */
export interface Prompter {
  /** Asks for free text; an empty answer gives `fallback`. */
  text(question: string, fallback: string): Promise<string>
  /** Asks to pick one of `choices` by number or name; an empty answer gives `fallback`. */
  choose<T extends string>(question: string, choices: ReadonlyArray<{ value: T; hint: string }>, fallback: T): Promise<T>
  /** Ends the session. */
  close(): void
}

/**
 * A prompter on the given streams.
 *
 * @example
 * ```ts
 * const ask = createPrompter(process.stdin, process.stdout)
 * const dir = await ask.text('Project folder', 'my-bot')
 * ask.close()
 * ```
 */
export function createPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const rl: Interface = createInterface({ input, output, terminal: true })
  return {
    async text(question, fallback) {
      const answer = (await rl.question(`${question} (${fallback}): `)).trim()
      return answer === '' ? fallback : answer
    },
    async choose(question, choices, fallback) {
      const menu = choices.map((c, i) => `  ${i + 1}. ${c.value.padEnd(10)} ${c.hint}`).join('\n')
      for (;;) {
        const answer = (await rl.question(`${question}\n${menu}\nChoose 1-${choices.length} or a name (${fallback}): `)).trim()
        if (answer === '') return fallback
        const byNumber = /^\d+$/.test(answer) ? choices[Number(answer) - 1] : undefined
        const picked = byNumber ?? choices.find((c) => c.value === answer.toLowerCase())
        if (picked !== undefined) return picked.value
        output.write(`'${answer}' is not one of the choices.\n`)
      }
    },
    close: () => rl.close(),
  }
}
