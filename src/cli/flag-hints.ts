/**
 * The command-line side of an error's fix: library errors name API fields and ports; a person
 * at the terminal typed flags, so the CLI adds the flag (or environment variable) to change.
 *
 * @module
 */
import { failedPortFlag } from './listen-failure.ts'

/** A sentence naming the flag that fixes `error`, or '' when the message says it all. */
export function flagToFix(error: unknown): string {
  const portFlag = failedPortFlag(error)
  if (portFlag !== undefined) return ` Set the port with --${portFlag}.`
  return ''
}
