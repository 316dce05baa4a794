/**
 * Bounds on the steps of joining and reconnecting. Each SIP or MSRP step (REGISTER, INVITE,
 * MSRP connect and bind, NICKNAME, SUBSCRIBE, PUBLISH) runs under a deadline, and is abandoned
 * at once when a SIP connection of the user agent closes: a request written to a connection
 * that then closed waits for an answer that cannot come back on it (RFC 3261 §18.2.2: the
 * response travels on the request's connection; RFC 5626 §4.4: the flow failed), and its own
 * transaction timer (64*T1) is far longer than a reconnect should take. An INVITE that got a
 * provisional answer has no transaction timer at all (RFC 3261 §17.1.1.2), so only the
 * deadline ends it.
 *
 * @module
 */
import type { Clock, TimerHandle } from '../clock.ts'
import { MsrpBotError } from '../errors.ts'
import type { BasicLogger } from '../logger.ts'

/**
 * Default deadline of one step, ms: above the SIP transaction timeout (64*T1 = 32 s) and the
 * MSRP one (30 s, RFC 4975 §7.1), so those report first where they exist.
 */
export const DEFAULT_STEP_TIMEOUT_MS = 40_000

/** A step got no outcome within its deadline. */
export class StepTimeoutError extends MsrpBotError {
  /** The step, e.g. `REGISTER` or `INVITE sip:lobby@example.test`. */
  readonly step: string
  /** The deadline it missed, ms. */
  readonly timeoutMs: number

  constructor(step: string, timeoutMs: number) {
    super('CHAT_STEP_TIMEOUT', `${step} got no outcome within ${timeoutMs} ms; it was given up (a reconnecting bot tries again after its backoff)`)
    this.step = step
    this.timeoutMs = timeoutMs
  }
}

/** A step was abandoned because the connection it may ride closed, or the backend stopped. */
export class StepAbortedError extends MsrpBotError {
  /** The step that was abandoned. */
  readonly step: string

  constructor(step: string, reason: unknown) {
    const why = reason instanceof Error ? reason.message : String(reason)
    super('CHAT_STEP_ABORTED', `${step} was abandoned: ${why}`, { cause: reason })
    this.step = step
  }
}

/** What a step runner takes besides the work. */
export interface StepOptions<T> {
  /** Deadline, ms (default: the guard's). */
  timeoutMs?: number | undefined
  /**
   * Called once when the step is given up (timeout or abort) while `work` is still pending:
   * undo whatever the work may still produce (cancel the INVITE, close a late connection).
   */
  onAbandon?: ((work: Promise<T>) => void) | undefined
}

/** Runs one bounded step; see {@link StepGuard.run}. */
export type StepRunner = <T>(step: string, work: Promise<T>, options?: StepOptions<T>) => Promise<T>

/**
 * Runs steps under a deadline and abandons every step in flight on {@link abortAll}. A
 * counter ({@link epoch}) moves on each abort, so a caller can also tell whether a connection
 * closed at any time during a sequence of steps.
 *
 * @example
 * ```ts
 * const steps = new StepGuard(systemClock, 40_000)
 * ua.on('connection-closed', () => steps.abortAll(new Error('the SIP connection closed')))
 * await steps.run('REGISTER', registerer.register())
 * ```
 */
export class StepGuard {
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #log: Pick<BasicLogger, 'debug'> | undefined
  readonly #label: string
  #controller = new AbortController()
  #epoch = 0

  /**
   * @param log where each step's start and abandonment is logged at debug level, as
   *   `<label>: step <step> started` and `<label>: step <step> abandoned (<why>)`
   */
  constructor(clock: Clock, timeoutMs: number = DEFAULT_STEP_TIMEOUT_MS, log?: { logger: Pick<BasicLogger, 'debug'>; label: string }) {
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    this.#log = log?.logger
    this.#label = log?.label ?? 'steps'
  }

  /** How many times {@link abortAll} was called. */
  get epoch(): number {
    return this.#epoch
  }

  /** The default deadline of a step, ms. */
  get timeoutMs(): number {
    return this.#timeoutMs
  }

  /** Abandons every step in flight with a {@link StepAbortedError}; steps started later run normally. */
  abortAll(reason: Error): void {
    const controller = this.#controller
    this.#controller = new AbortController()
    this.#epoch++
    controller.abort(reason)
  }

  /**
   * Resolves or rejects as `work` does, unless the deadline passes first (then rejects with
   * {@link StepTimeoutError}) or {@link abortAll} is called first (then {@link StepAbortedError}).
   * A given-up `work` keeps running; its outcome is swallowed after `onAbandon` saw it.
   */
  run<T>(step: string, work: Promise<T>, options: StepOptions<T> = {}): Promise<T> {
    const signal = this.#controller.signal
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs
    return new Promise<T>((resolve, reject) => {
      let settled = false
      let timer: TimerHandle
      const finish = (): boolean => {
        if (settled) return false
        settled = true
        this.#clock.clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        return true
      }
      const abandon = (error: Error): void => {
        if (!finish()) return
        this.#log?.debug(`${this.#label}: step ${step} abandoned (${error.message})`)
        try {
          options.onAbandon?.(work)
        } finally {
          reject(error)
        }
      }
      const onAbort = (): void => abandon(new StepAbortedError(step, signal.reason))
      this.#log?.debug(`${this.#label}: step ${step} started`)
      timer = this.#clock.setTimeout(() => abandon(new StepTimeoutError(step, timeoutMs)), timeoutMs)
      signal.addEventListener('abort', onAbort, { once: true })
      work.then(
        (value) => {
          if (finish()) resolve(value)
        },
        (error: unknown) => {
          if (finish()) reject(error)
        },
      )
    })
  }
}
