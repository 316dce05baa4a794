/**
 * Counters an operator can read or subscribe to.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3'

/** The counters a bot keeps. */
export interface MetricsSnapshot {
  /** Updates of kind message/private dispatched to handlers (after ignoreSelf). */
  messagesIn: number
  /** Messages the backend confirmed as sent. */
  messagesOut: number
  /** Sends that ended in a typed failure (after any retries). */
  sendFailures: number
  /** Times the backend reported 'reconnected'. */
  reconnects: number
  /** Errors thrown by handlers (caught by bot.catch or logged). */
  handlerErrors: number
}

/** Event names, one per counter; each event carries the new count. */
export type MetricName = keyof MetricsSnapshot

/**
 * Bot counters. Read `snapshot()`, or listen: `metrics.on('sendFailures', (n) => ...)`.
 *
 * @example
 * ```ts
 * bot.metrics.on('handlerErrors', (count) => alerting.gauge('bot.handler_errors', count))
 * console.log(bot.metrics.snapshot().messagesIn)
 * ```
 */
export class BotMetrics extends EventEmitter<{ [K in MetricName]: (count: number) => void }> {
  private readonly counts: MetricsSnapshot = {
    messagesIn: 0,
    messagesOut: 0,
    sendFailures: 0,
    reconnects: 0,
    handlerErrors: 0,
  }

  /** Adds one to a counter and emits its event. */
  increment(name: MetricName): void {
    const value = ++this.counts[name]
    this.emit(name, value)
  }

  /** A copy of all counters. */
  snapshot(): MetricsSnapshot {
    return { ...this.counts }
  }
}
