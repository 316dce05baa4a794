// Runs the timing-sensitive test files again and again while busy processes keep every core
// busy, to show that no test depends on the machine's speed (`npm run test:stress`).
//
//   npm run test:stress                      5 runs, 2 busy processes per core
//   npm run test:stress -- --runs 3          the bounded form CI runs
//   npm run test:stress -- --busy 4 --runs 12 --files test/testing/test-chat.test.ts
//
// The busy processes are always killed, also on failure or Ctrl-C. Exits 1 when any run failed,
// after printing the failing tests of each failed run.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

/** The files whose outcome could depend on timing: reconnects, restarts, sockets, waits. */
const TIMING_SENSITIVE = [
  'test/testing/test-chat.test.ts',
  'test/testing/moderation.test.ts',
  'test/testing/restart-stress.test.ts',
  'test/chat/reconnect.test.ts',
  'test/chat/reconnect-steps.test.ts',
  'test/chat/roster-events.test.ts',
  'test/chat/tcp.test.ts',
  'test/bot/outbound-queue-reconnect.test.ts',
]

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    busy: { type: 'string', default: String(2 * availableParallelism()) },
    files: { type: 'string' },
  },
})

function positive(name: string, value: string | undefined): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number of at least 1 (got ${value}); e.g. --${name} 3`)
    process.exit(2)
  }
  return n
}

const runs = positive('runs', values.runs)
const busyCount = positive('busy', values.busy)
const files = values.files === undefined ? TIMING_SENSITIVE : values.files.split(',').map((f) => f.trim()).filter((f) => f !== '')

const busy: ChildProcess[] = []
function stopBusy(): void {
  for (const child of busy.splice(0)) child.kill('SIGKILL')
}
process.on('exit', stopBusy)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopBusy()
    process.exit(130)
  })
}

/** One run; the restart stress test's client and server log goes to `log` (kept when the run fails). */
function runOnce(log: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=msrp-bot-source', '--import', 'tsx', '--test', ...files], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRESS_LOG: log } })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('close', (code) => resolve({ ok: code === 0, output }))
  })
}

/** The failing tests of a TAP output, with their error lines. */
function failures(output: string): string {
  const lines = output.split('\n')
  const picked: string[] = []
  lines.forEach((line, i) => {
    if (!/^\s*not ok /.test(line)) return
    picked.push(line.trim())
    for (const detail of lines.slice(i + 1, i + 30)) {
      if (/^\s*(ok|not ok) /.test(detail)) break
      if (/^\s*(error|code|failureType|expected|actual):/.test(detail)) picked.push(`    ${detail.trim()}`)
    }
  })
  return picked.join('\n')
}

const load = (): string => loadavg().map((n) => n.toFixed(1)).join(' ')
console.log(`test:stress: ${runs} runs of ${files.length} files with ${busyCount} busy processes on ${availableParallelism()} cores (load average ${load()})`)
for (let i = 0; i < busyCount; i++) busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))

let failed = 0
const started = Date.now()
try {
  for (let run = 1; run <= runs; run++) {
    const t0 = Date.now()
    const log = join(tmpdir(), `msrp-bot-stress-${process.pid}-run-${run}.log`)
    const result = await runOnce(log)
    const seconds = ((Date.now() - t0) / 1000).toFixed(1)
    console.log(`run ${run}/${runs}: ${result.ok ? 'pass' : 'FAIL'} in ${seconds} s (load average ${load()})`)
    if (!result.ok) {
      failed++
      console.log(failures(result.output) || result.output.slice(-4000))
      console.log(`the restart stress test's log of this run: ${log}`)
    } else {
      rmSync(log, { force: true })
    }
  }
} finally {
  stopBusy()
}
console.log(`test:stress: ${failed} of ${runs} runs failed, ${((Date.now() - started) / 1000).toFixed(0)} s, ${busyCount} busy processes on ${availableParallelism()} cores`)
process.exit(failed === 0 ? 0 : 1)
