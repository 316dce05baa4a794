import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { peersDir } from './peers.ts'
import { freePort } from './ports.ts'

/** Options of {@link runSipp}. */
export interface SippOptions {
  /** Scenario: a file name under test/interop/peers/sipp (e.g. `register.xml`) or an absolute path. */
  readonly scenario: string
  /** `host:port` to send to; omit for a UAS scenario. */
  readonly remote?: string
  /** `u1` (UDP, one socket), `t1` (TCP, one connection), `un`, `tn` (default u1). */
  readonly transport?: 'u1' | 'un' | 't1' | 'tn'
  /** Local port (default: a free one). */
  readonly localPort?: number
  /** Calls to run (`-m`, default 1). */
  readonly calls?: number
  /** Extra arguments, e.g. `['-s', 'alice', '-au', 'alice', '-ap', 'secret']`. */
  readonly args?: readonly string[]
  /** Kill sipp after this long (default 30 s); the result then has `timedOut: true`. */
  readonly timeoutMs?: number
  /** Called once sipp has started (for a UAS that a UAC must wait for). */
  readonly onSpawn?: (pid: number) => void
  /** Log every message to `messages` (default true; turn off under load, it costs sipp dearly). */
  readonly traceMessages?: boolean
  /** Aborting kills sipp (a UAS that is no longer needed); the result then has exitCode -1. */
  readonly signal?: AbortSignal
}

/** What a sipp run produced. */
export interface SippResult {
  /** sipp's exit code: 0 all calls succeeded, 1 some failed, 97/99 aborted, -1 killed. */
  readonly exitCode: number
  readonly timedOut: boolean
  readonly localPort: number
  readonly stdout: string
  readonly stderr: string
  /** Every message sent and received (`-trace_msg`). */
  readonly messages: string
  /** sipp's error log (`-trace_err`). */
  readonly errors: string
  /** The last line of `-trace_stat`, keyed by column name (e.g. `SuccessfulCall(C)`). */
  readonly stats: Record<string, string>
  /** The command line, for failure messages. */
  readonly command: string
}

/**
 * Runs sipp as a child process, awaits its exit, and returns its logs.
 *
 * @example
 * const r = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${kam.sipPort}`, args: ['-s', 'alice', '-au', 'alice', '-ap', 'secret'] })
 * assert.equal(r.exitCode, 0, r.errors)
 */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-bot-sipp-'))
  const scenario = isAbsolute(options.scenario) ? options.scenario : join(peersDir(), 'sipp', options.scenario)
  const localPort = options.localPort ?? (await freePort())
  const args = [
    ...(options.remote ? [options.remote] : []),
    '-sf', scenario,
    '-i', '127.0.0.1',
    '-p', String(localPort),
    '-t', options.transport ?? 'u1',
    '-m', String(options.calls ?? 1),
    '-nostdin',
    ...(options.traceMessages === false ? [] : ['-trace_msg', '-message_file', join(dir, 'messages.log')]),
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-trace_stat', '-stf', join(dir, 'stats.csv'),
    ...(options.args ?? []),
  ]
  const command = `sipp ${args.join(' ')}`
  try {
    const { exitCode, timedOut, stdout, stderr } = await new Promise<{ exitCode: number; timedOut: boolean; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      let timedOut = false
      child.stdout.on('data', (chunk: Buffer) => {
        // sipp redraws its screen; keep the tail only.
        stdout = (stdout + chunk.toString('latin1')).slice(-20_000)
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('latin1')).slice(-20_000)
      })
      if (child.pid !== undefined) options.onSpawn?.(child.pid)
      const abort = () => child.kill('SIGKILL')
      if (options.signal?.aborted) abort()
      else options.signal?.addEventListener('abort', abort, { once: true })
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGKILL')
      }, options.timeoutMs ?? 30_000)
      child.once('error', (error) => {
        clearTimeout(timer)
        resolve({ exitCode: -1, timedOut, stdout, stderr: `${stderr}\n${String(error)}` })
      })
      child.once('close', (code) => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', abort)
        resolve({ exitCode: code ?? -1, timedOut, stdout, stderr })
      })
    })
    return {
      exitCode, timedOut, localPort, stdout, stderr, command,
      messages: readOr(join(dir, 'messages.log')),
      errors: readOr(join(dir, 'errors.log')),
      stats: lastStats(readOr(join(dir, 'stats.csv'))),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'latin1')
  } catch {
    return ''
  }
}

function lastStats(csv: string): Record<string, string> {
  const lines = csv.split('\n').filter((l) => l.trim().length > 0)
  if (lines.length < 2) return {}
  const names = lines[0]!.split(';')
  const values = lines[lines.length - 1]!.split(';')
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']))
}

/** Calls completed and failed, and the rate, from a run's `-trace_stat` figures. */
export interface SippThroughput {
  readonly successful: number
  readonly failed: number
  /** From sipp's start to its last statistics dump (after the last call ended). */
  readonly seconds: number
  /** Successful calls per second over `seconds`. */
  readonly perSecond: number
}

/** Reads throughput from {@link SippResult.stats}; zeros when sipp wrote no statistics. */
export function sippThroughput(result: SippResult): SippThroughput {
  const epoch = (field: string | undefined) => Number((field ?? '').split('\t')[2] ?? NaN)
  const successful = Number(result.stats['SuccessfulCall(C)'] ?? 0)
  const failed = Number(result.stats['FailedCall(C)'] ?? 0)
  const seconds = epoch(result.stats['CurrentTime']) - epoch(result.stats['StartTime'])
  return Number.isFinite(seconds) && seconds > 0
    ? { successful, failed, seconds, perSecond: successful / seconds }
    : { successful, failed, seconds: 0, perSecond: 0 }
}
