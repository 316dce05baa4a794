/**
 * Scheduled work: `bot.every(interval, handler)` and `bot.at(when, handler)`.
 *
 * Timers run on the bot's {@link Clock} (a `FakeClock` in tests), start when the bot starts and
 * are cleared when it stops, so a bot reloaded by `msrp-bot dev` (the old one is stopped before
 * the new one starts) never fires a job twice. A one-shot `at` whose time has passed is skipped,
 * not fired late: the reloaded bot does not repeat what the old one already did.
 *
 * @module
 */
import type { Clock, TimerHandle } from '../clock.ts'
import type { Room } from './room.ts'

/** What a scheduled handler gets: the room to speak in and when it fired. */
export interface ScheduleContext {
  /** The room to speak in (one call per joined room, or only the room named in the options). */
  readonly room: Room
  /** The wall-clock time the job was due. */
  readonly firedAt: Date
  /** The job's name (`options.name`, or `every 60000ms` / `at 09:00`). */
  readonly job: string
}

/** A scheduled handler; returned promises are awaited (and `bot.stop()` waits for them). */
export type ScheduleHandler = (ctx: ScheduleContext) => unknown

/** Options for `bot.every` and `bot.at`. */
export interface ScheduleOptions {
  /** Only this room (a URI the bot joins); default: every room the bot is in when it fires. */
  room?: string | undefined
  /** A name for logs and errors. */
  name?: string | undefined
}

/**
 * When an `at` job runs: a `Date` (once), or `'HH:MM'` (every day at that local time).
 */
export type ScheduleTime = Date | string

/** A scheduled job; `cancel()` stops it for good. */
export interface ScheduledJob {
  /** The job's name. */
  readonly name: string
  /** Stops the job; idempotent. */
  cancel(): void
}

/** How the bot runs a job's handler (per room, with error reporting and stop() tracking). */
export type JobRunner = (job: string, handler: ScheduleHandler, options: ScheduleOptions, firedAt: Date) => Promise<void>

/** Node's timers overflow above 2^31-1 ms (~24.8 days); longer waits are taken in steps. */
const MAX_STEP_MS = 2 ** 31 - 1
const TIME_OF_DAY = /^([01]?\d|2[0-3]):([0-5]\d)$/

/** A job's plan: the wall-clock time of its next run after `now`, or undefined when done. */
type NextRun = (now: number, last: number | undefined) => number | undefined

/**
 * Validates `every`'s interval.
 *
 * @throws RangeError naming the fix for a non-positive or non-finite interval.
 */
export function everyPlan(intervalMs: number): NextRun {
  if (!(Number.isFinite(intervalMs) && intervalMs >= 1)) {
    throw new RangeError(`bot.every(interval, ...) needs a positive number of milliseconds, got ${intervalMs}; e.g. bot.every(60_000, ...) for each minute`)
  }
  return (now, last) => (last === undefined ? now + intervalMs : last + intervalMs)
}

/**
 * Validates `at`'s time: a valid `Date`, or `'HH:MM'` (24-hour, local time) for daily jobs.
 *
 * @throws RangeError naming the fix for an invalid date or time of day.
 */
export function atPlan(when: ScheduleTime): NextRun {
  if (when instanceof Date) {
    const due = when.getTime()
    if (Number.isNaN(due)) throw new RangeError('bot.at(date, ...) was given an invalid Date')
    return (now, last) => (last === undefined && due > now ? due : undefined)
  }
  const m = typeof when === 'string' ? TIME_OF_DAY.exec(when.trim()) : null
  if (m === null) {
    throw new RangeError(`bot.at(when, ...) needs a Date or a daily time 'HH:MM' (24-hour, local), got ${JSON.stringify(when)}`)
  }
  const hours = Number(m[1])
  const minutes = Number(m[2])
  return (now, last) => {
    // Strictly after now (and after the last run): a bot reloaded at the very minute does not run it again.
    const from = last === undefined ? now + 1 : last + 1
    const next = new Date(from)
    next.setHours(hours, minutes, 0, 0)
    if (next.getTime() < from) {
      // Tomorrow by the calendar, not +24 h, so the local time holds across DST changes.
      next.setDate(next.getDate() + 1)
      next.setHours(hours, minutes, 0, 0)
    }
    return next.getTime()
  }
}

/**
 * The jobs of one bot. Jobs added before `start()` wait for it; `stop()` clears every timer.
 * Wall-clock times come from `wallNow` (a fake clock's origin in tests), waits from the clock.
 */
export class Scheduler {
  readonly #clock: Clock
  readonly #wallNow: () => number
  readonly #run: JobRunner
  readonly #jobs = new Set<Job>()
  #running = false

  constructor(clock: Clock, wallNow: () => number, run: JobRunner) {
    this.#clock = clock
    this.#wallNow = wallNow
    this.#run = run
  }

  /** Adds a job; it starts now if the scheduler runs, else at {@link Scheduler.start}. */
  add(name: string, plan: NextRun, handler: ScheduleHandler, options: ScheduleOptions): ScheduledJob {
    const job = new Job(name, plan, handler, options, this)
    this.#jobs.add(job)
    if (this.#running) job.arm()
    return job
  }

  /** Starts every job's timer (the bot calls this once it runs). */
  start(): void {
    this.#running = true
    for (const job of this.#jobs) job.arm()
  }

  /** Clears every timer; jobs do not fire again (a stopped bot is never restarted). */
  stop(): void {
    this.#running = false
    for (const job of this.#jobs) job.disarm()
  }

  /** Jobs not cancelled and not finished. */
  get size(): number {
    return this.#jobs.size
  }

  /** @internal */
  get clock(): Clock {
    return this.#clock
  }

  /** @internal */
  get running(): boolean {
    return this.#running
  }

  /** @internal */
  wallNow(): number {
    return this.#wallNow()
  }

  /** @internal */
  runJob(job: Job, firedAt: Date): Promise<void> {
    return this.#run(job.name, job.handler, job.options, firedAt)
  }

  /** @internal */
  forget(job: Job): void {
    this.#jobs.delete(job)
  }
}

class Job implements ScheduledJob {
  readonly name: string
  readonly handler: ScheduleHandler
  readonly options: ScheduleOptions
  readonly #plan: NextRun
  readonly #scheduler: Scheduler
  #timer: TimerHandle | undefined
  #last: number | undefined
  #cancelled = false

  constructor(name: string, plan: NextRun, handler: ScheduleHandler, options: ScheduleOptions, scheduler: Scheduler) {
    this.name = name
    this.#plan = plan
    this.handler = handler
    this.options = options
    this.#scheduler = scheduler
  }

  /** Sets the timer for the next run (no-op when done, cancelled or already armed). */
  arm(): void {
    if (this.#cancelled || this.#timer !== undefined) return
    const due = this.#plan(this.#scheduler.wallNow(), this.#last)
    if (due === undefined) {
      this.#scheduler.forget(this)
      return
    }
    this.#wait(due)
  }

  #wait(due: number): void {
    const delay = Math.max(0, due - this.#scheduler.wallNow())
    const step = Math.min(delay, MAX_STEP_MS)
    this.#timer = this.#scheduler.clock.setTimeout(() => {
      this.#timer = undefined
      if (!this.#scheduler.running || this.#cancelled) return
      if (step < delay) return this.#wait(due)
      this.#last = due
      // The next run is armed before this one's handler, so a slow handler does not shift it.
      this.arm()
      void this.#scheduler.runJob(this, new Date(due))
    }, step)
  }

  disarm(): void {
    if (this.#timer !== undefined) this.#scheduler.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  cancel(): void {
    this.#cancelled = true
    this.disarm()
    this.#scheduler.forget(this)
  }
}
