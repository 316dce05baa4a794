/**
 * Waiting for a message in a test: `expectMessage`'s matching (text, RegExp or predicate; from
 * whom; public, private or direct) against what a participant received, and the error that
 * lists what did arrive when nothing matched in time.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import { sameIdentity } from '../rooms/identity.ts'
import { describeMatcher, formatEntry, matches } from './transcript.ts'
import type { MessageMatcher, TranscriptEntry } from './transcript.ts'

/** Options of `TestParticipant.expectMessage`. */
export interface ExpectOptions {
  /** Only messages from this nickname or URI. */
  from?: string | undefined
  /** Only public, only private (in a room) or only direct (outside rooms) messages. */
  kind?: 'public' | 'private' | 'direct' | undefined
  /** Give up after this long (default 5 s). A guard only: never a way to wait. */
  timeoutMs?: number | undefined
}

/** Thrown by `expectMessage` when no matching message came. */
export class ExpectationError extends MsrpBotError {
  constructor(message: string) {
    super('TEST_EXPECTATION_FAILED', message)
  }
}

interface Waiter {
  matcher: MessageMatcher
  options: ExpectOptions
  resolve: (entry: TranscriptEntry) => void
}

/** Whether a transcript entry is a received message the matcher and options accept. */
export function acceptsEntry(entry: TranscriptEntry, matcher: MessageMatcher, options: ExpectOptions): boolean {
  if (entry.direction !== 'received') return false
  if (options.kind !== undefined && entry.kind !== options.kind) return false
  if (options.from !== undefined && !(entry.nickname === options.from || (/^sips?:/i.test(options.from) && sameIdentity(entry.from, options.from)))) return false
  return matches(entry, matcher)
}

/** The pending `expectMessage` calls of one participant. */
export class MessageExpectations {
  readonly #name: string
  readonly #transcript: readonly TranscriptEntry[]
  #waiters: Waiter[] = []

  /** `name` is the participant's (in error messages); `transcript` what it has received so far. */
  constructor(name: string, transcript: readonly TranscriptEntry[]) {
    this.#name = name
    this.#transcript = transcript
  }

  /** Resolves the waiters a newly recorded entry satisfies. */
  offer(entry: TranscriptEntry): void {
    for (const waiter of [...this.#waiters]) {
      if (acceptsEntry(entry, waiter.matcher, waiter.options)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        waiter.resolve(entry)
      }
    }
  }

  /**
   * Resolves with the first received message (already in the transcript, or still to come)
   * that matches; rejects after `timeoutMs` (5 s) listing what did arrive.
   */
  expect(matcher: MessageMatcher, options: ExpectOptions): Promise<TranscriptEntry> {
    const seen = this.#transcript.find((entry) => acceptsEntry(entry, matcher, options))
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 5000
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        const got = this.#transcript.map(formatEntry)
        reject(new ExpectationError(
          `${this.#name} got no ${options.kind === undefined ? '' : `${options.kind} `}message ${describeMatcher(matcher)}${options.from === undefined ? '' : ` from ${options.from}`} within ${timeoutMs} ms; ` +
            (got.length === 0 ? 'it received no messages at all' : `it received:\n  ${got.join('\n  ')}`),
        ))
      }, timeoutMs)
      const waiter: Waiter = {
        matcher,
        options,
        resolve: (entry) => {
          clearTimeout(timer)
          resolve(entry)
        },
      }
      this.#waiters.push(waiter)
    })
  }
}
