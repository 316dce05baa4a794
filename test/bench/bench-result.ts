/** One figure a benchmark reports. */
export interface BenchResult {
  /** What was measured, e.g. "msrp parse 1 MiB SEND". */
  readonly name: string
  /** The figure. */
  readonly value: number
  /** Its unit, e.g. "MB/s", "msg/s", "ratio". */
  readonly unit: string
  /** Conditions or the peer it is compared with. */
  readonly note?: string
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations/second. */
export function opsPerSecond(fn: () => void, ms = 1000, warmupMs = 200): number {
  const warmEnd = performance.now() + warmupMs
  while (performance.now() < warmEnd) fn()
  let count = 0
  const start = performance.now()
  const end = start + ms
  let now = start
  while (now < end) {
    fn()
    count++
    if ((count & 15) === 0) now = performance.now()
  }
  now = performance.now()
  return (count / (now - start)) * 1000
}
