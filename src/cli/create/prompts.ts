/**
 * Questions on the terminal (node:readline/promises), used by create-msrp-bot only when both
 * stdin and stdout are terminals and `--yes` was not given.
 *
 * @module
 */
import { createInterface } from 'node:readline/promises'
import type { Interface } from 'node:readline/promises'
import { MsrpBotError } from '../../errors.ts'

/** The user pressed Ctrl-C (or closed input) at a question. */
export class PromptCancelledError extends MsrpBotError {
  constructor() {
    super('CREATE_CANCELLED', 'cancelled; nothing was written')
  }
}

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
  // Ctrl-C at a question: readline's default would only pause input and leave the question
  // pending forever; cancel it instead, so the caller can say so and exit.
  const cancel = new AbortController()
  rl.on('SIGINT', () => cancel.abort())
  rl.on('close', () => cancel.abort())
  const ask = async (query: string): Promise<string> => {
    try {
      return await rl.question(query, { signal: cancel.signal })
    } catch (error) {
      if (cancel.signal.aborted) throw new PromptCancelledError()
      throw error
    }
  }
  return {
    async text(question, fallback) {
      const answer = (await ask(`${question} (${fallback}): `)).trim()
      return answer === '' ? fallback : answer
    },
    async choose(question, choices, fallback) {
      const menu = choices.map((c, i) => `  ${i + 1}. ${c.value.padEnd(10)} ${c.hint}`).join('\n')
      for (;;) {
        const answer = (await ask(`${question}\n${menu}\nChoose 1-${choices.length} or a name (${fallback}): `)).trim()
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
