import { type BasicLogger, silentLogger } from '../../logger.ts'

/** Where the user-agent classes log: every state transition at debug, dropped things at warn. */
export type UaLogger = Pick<BasicLogger, 'debug' | 'warn'>

/** Discards everything (the shared `silentLogger`). */
export const silentUaLogger: UaLogger = silentLogger

/**
 * A named-state holder that logs each transition at debug level and reports it to `onChange`
 * (the owning class emits its `state` event there).
 */
export class StateCell<S extends string> {
  #state: S
  readonly #name: string
  readonly #log: UaLogger
  readonly #onChange: (next: S, previous: S) => void

  constructor(initial: S, name: string, log: UaLogger, onChange: (next: S, previous: S) => void) {
    this.#state = initial
    this.#name = name
    this.#log = log
    this.#onChange = onChange
  }

  get value(): S {
    return this.#state
  }

  /** Moves to `next`; a move to the current state does nothing. */
  set(next: S): void {
    const previous = this.#state
    if (previous === next) return
    this.#state = next
    this.#log.debug(`${this.#name}: ${previous} -> ${next}`)
    this.#onChange(next, previous)
  }
}
