/**
 * When to refresh something that expires (registration, subscription, publication): at 90% of
 * its lifetime, but never later than 5 s before the end, and never sooner than half of it
 * (servers may grant very short intervals, e.g. Kamailio's 10 s minimum).
 */
export function refreshDelayMs(expiresSeconds: number): number {
  const ms = expiresSeconds * 1000
  return Math.max(ms / 2, Math.min(ms * 0.9, ms - 5000))
}

/**
 * RFC 5626 §4.5 back-off before retrying a failed registration: `base * 2^failures`, capped at
 * `max`, then a random 50..100% of it. `failures` counts consecutive failures from 0.
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const wait = Math.min(maxMs, baseMs * 2 ** failures)
  return Math.round(wait * (0.5 + 0.5 * random()))
}
