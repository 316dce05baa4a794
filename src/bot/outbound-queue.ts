/**
 * Per-room outbound flow control: sends leave in the order they were made, one at a time,
 * paced by a token bucket, retried when the peer says "slow down", and never dropped: every
 * send settles with the backend's confirmation or a typed error.
 *
 * @module
 */
import { errorCode } from '../chat/backend-errors.ts'
import { BackendErrorCode } from '../chat/backend.ts'
import type { Clock } from '../clock.ts'
import { OutboundQueueError } from './errors.ts'

/** Client-side pacing: at most `burst` sends at once, refilled at `messagesPerSecond`. */
export interface RateLimit {
  messagesPerSecond: number
  burst: number
}

/** Tuning for an {@link OutboundQueue}. */
export interface OutboundQueueOptions {
  /** Timers for pacing and retry delays. */
  clock: Clock
  /** Sends waiting (or in flight) beyond which new sends are refused with SEND_QUEUE_FULL. */
  maxPending: number
  /** Attempts per send before giving up on SEND_RATE_LIMITED with SEND_GAVE_UP. */
  maxAttempts: number
  /** First retry delay when the peer gives no `retryAfterMs`; doubles on each attempt. */
  retryDelayMs: number
  /** Upper bound on any retry delay. */
  maxRetryDelayMs: number
  /** Client-side pacing, or false for none. */
  rate: RateLimit | false
  /**
   * How long a send refused with SEND_DISCONNECTED waits for the connection to come back
   * ({@link OutboundQueue.resume}, called on the backend's 'reconnected', or a retry of its own
   * that goes through) before failing with that error; 0 fails at once. Default 30 s.
   */
  reconnectWaitMs?: number | undefined
  /** Called once per send the backend confirmed. */
  onSent?: (() => void) | undefined
  /** Called once per send that ended in failure (after retries). */
  onFailed?: ((error: unknown) => void) | undefined
}

/**
 * While a send is held after SEND_DISCONNECTED it is also tried again on its own, first after
 * this many ms, doubling up to {@link PROBE_MAX_MS}: the room may be back without a
 * 'reconnected' event (one room re-joined while the connection stayed up), or that event may be
 * queued behind a handler that is itself awaiting this send (the backend delivers events one at
 * a time). A try while the room is still down fails locally and costs nothing on the wire.
 */
const PROBE_FIRST_MS = 200
const PROBE_MAX_MS = 2000

interface Job {
  run: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  attempts: number
}

/**
 * A FIFO of sends for one room.
 *
 * @example
 * ```ts
 * const queue = new OutboundQueue({ clock: systemClock, maxPending: 1000, maxAttempts: 5,
 *   retryDelayMs: 1000, maxRetryDelayMs: 30_000, rate: { messagesPerSecond: 5, burst: 10 } })
 * const receipt = await queue.push(() => handle.send('hi'))
 * await queue.drain()
 * ```
 */
export class OutboundQueue {
  private readonly options: OutboundQueueOptions
  private readonly jobs: Job[] = []
  private running = false
  private idleWaiters: Array<() => void> = []
  private tokens: number
  private lastRefill: number
  private closedReason: string | undefined
  /** Set by close() when the room is gone for good: what held, waiting and later sends fail with. */
  private refusal: ((attempts: number, cause?: unknown) => Error) | undefined
  /** Bumped by resume(); a send that failed before the latest resume retries at once. */
  private resumes = 0
  private resumeWaiters: Array<() => void> = []

  constructor(options: OutboundQueueOptions) {
    this.options = options
    this.tokens = options.rate === false ? 0 : options.rate.burst
    this.lastRefill = options.clock.now()
  }

  /** Sends waiting plus the one in flight. */
  get size(): number {
    return this.jobs.length + (this.running ? 1 : 0)
  }

  /**
   * Queues `send` behind earlier ones. Resolves with its result once the backend confirmed;
   * rejects with the backend's typed error, or an {@link OutboundQueueError} (SEND_GAVE_UP,
   * SEND_QUEUE_FULL, SEND_CANCELLED).
   */
  push<T>(send: () => Promise<T>): Promise<T> {
    if (this.closedReason !== undefined) {
      const error = this.refusal?.(0) ?? new OutboundQueueError('SEND_CANCELLED', `send refused: ${this.closedReason}`, 0)
      this.options.onFailed?.(error)
      return Promise.reject(error)
    }
    if (this.size >= this.options.maxPending) {
      const error = new OutboundQueueError(
        'SEND_QUEUE_FULL',
        `send refused: ${this.size} sends already pending for this room (limit maxPending=` +
          `${this.options.maxPending}); await earlier sends, or raise queue.maxPending in the bot config`,
        0,
      )
      this.options.onFailed?.(error)
      return Promise.reject(error)
    }
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ run: send, resolve: resolve as (v: unknown) => void, reject, attempts: 0 })
      if (!this.running) void this.pump()
    })
  }

  /** Resolves once every queued send has settled (including retries). */
  drain(): Promise<void> {
    if (this.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Refuses new sends and rejects those still waiting (not the one in flight) with
   * SEND_CANCELLED, or with `refusal(attempts, cause)` when given: a room the bot was removed
   * from (or that closed) gets no reconnect, so a send held after SEND_DISCONNECTED fails at
   * once with that error too, and so does every later push. Only the first call counts.
   * Used when the room is gone; `stop()` drains instead.
   */
  close(reason: string, refusal?: (attempts: number, cause?: unknown) => Error): void {
    if (this.closedReason !== undefined) return
    this.closedReason = reason
    this.refusal = refusal
    for (const wake of this.resumeWaiters.splice(0)) wake()
    for (const job of this.jobs.splice(0)) {
      const error =
        refusal?.(job.attempts) ?? new OutboundQueueError('SEND_CANCELLED', `send cancelled: ${reason}`, job.attempts)
      this.options.onFailed?.(error)
      job.reject(error)
    }
  }

  /**
   * The connection is back: sends held after SEND_DISCONNECTED are tried again, in order.
   *
   * @example
   * ```ts
   * backend.subscribe((e) => { if (e.type === 'connection' && e.state === 'reconnected') queue.resume() })
   * ```
   */
  resume(): void {
    this.resumes++
    for (const wake of this.resumeWaiters.splice(0)) wake()
  }

  /**
   * After a SEND_DISCONNECTED: waits for resume(), or for the next probe (see
   * {@link PROBE_FIRST_MS}), then says to try again (true); says to give up (false) once
   * `reconnectWaitMs` has passed since the send was first refused, or on close().
   */
  private waitForResume(since: number, held: { since: number; probes: number }): Promise<boolean> {
    const waitMs = this.options.reconnectWaitMs ?? 30_000
    const left = held.since + waitMs - this.options.clock.now()
    if (waitMs <= 0 || left <= 0 || this.closedReason !== undefined) return Promise.resolve(false)
    if (this.resumes !== since) return Promise.resolve(true)
    const delay = Math.min(left, PROBE_FIRST_MS * 2 ** held.probes, PROBE_MAX_MS)
    held.probes++
    return new Promise((resolve) => {
      let timer: unknown
      const wake = (): void => {
        this.options.clock.clearTimeout(timer)
        resolve(this.closedReason === undefined)
      }
      timer = this.options.clock.setTimeout(() => {
        const i = this.resumeWaiters.indexOf(wake)
        if (i >= 0) this.resumeWaiters.splice(i, 1)
        resolve(true)
      }, delay)
      this.resumeWaiters.push(wake)
    })
  }

  private async pump(): Promise<void> {
    this.running = true
    try {
      for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
        await this.runJob(job)
      }
    } finally {
      this.running = false
      for (const wake of this.idleWaiters.splice(0)) wake()
    }
  }

  private async runJob(job: Job): Promise<void> {
    const { maxAttempts } = this.options
    let held: { since: number; probes: number } | undefined
    for (;;) {
      await this.takeToken()
      job.attempts++
      const resumesBefore = this.resumes
      try {
        const value = await job.run()
        this.options.onSent?.()
        job.resolve(value)
        return
      } catch (error) {
        // Nothing silently lost: a send refused because the connection is down is held until
        // the backend reconnected (then retried) or the wait ran out (then rejected).
        held ??= errorCode(error) === BackendErrorCode.disconnected ? { since: this.options.clock.now(), probes: 0 } : undefined
        if (held !== undefined && errorCode(error) === BackendErrorCode.disconnected && (await this.waitForResume(resumesBefore, held))) {
          job.attempts--
          continue
        }
        if (errorCode(error) !== BackendErrorCode.rateLimited) {
          const final =
            errorCode(error) === BackendErrorCode.disconnected && this.refusal !== undefined
              ? this.refusal(job.attempts, error)
              : error
          this.options.onFailed?.(final)
          job.reject(final)
          return
        }
        if (job.attempts >= maxAttempts) {
          const gaveUp = new OutboundQueueError(
            'SEND_GAVE_UP',
            `send gave up after ${job.attempts} attempts: the peer kept answering "rate limited"; ` +
              `send less often (config rateLimit) or raise queue.maxAttempts`,
            job.attempts,
            error,
          )
          this.options.onFailed?.(gaveUp)
          job.reject(gaveUp)
          return
        }
        await this.sleep(this.retryDelay(job.attempts, error))
      }
    }
  }

  private retryDelay(attempts: number, error: unknown): number {
    const { retryDelayMs, maxRetryDelayMs } = this.options
    const asked = (error as { retryAfterMs?: unknown }).retryAfterMs
    const delay =
      typeof asked === 'number' && Number.isFinite(asked) && asked >= 0
        ? asked
        : retryDelayMs * 2 ** (attempts - 1)
    return Math.min(delay, maxRetryDelayMs)
  }

  private async takeToken(): Promise<void> {
    const { rate, clock } = this.options
    if (rate === false) return
    const perMs = rate.messagesPerSecond / 1000
    for (;;) {
      const now = clock.now()
      this.tokens = Math.min(rate.burst, this.tokens + (now - this.lastRefill) * perMs)
      this.lastRefill = now
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await this.sleep(Math.ceil((1 - this.tokens) / perMs))
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimeout(resolve, ms))
  }
}
