/**
 * Resolves once `signal` aborts (at once if it already has).
 *
 * @example
 * ```ts
 * await untilAborted(context.signal) // the user pressed Ctrl-C
 * ```
 */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
