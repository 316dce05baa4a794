// Runs the real `msrp-bot` command (bin/msrp-bot.js) as a child process, as a user would.
import { spawn, type ChildProcess } from 'node:child_process'
import { REPO_ROOT } from './helpers.ts'

/** What a finished run printed and how it exited. */
export interface BinaryResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A running `msrp-bot`, with what it printed so far. */
export interface RunningBinary {
  readonly child: ChildProcess
  /** Everything printed to stdout so far. */
  stdout(): string
  /** Everything printed to stderr so far. */
  stderr(): string
  /** Resolves once stdout or stderr matches `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<void>
  /** Resolves with the result once the process exits. */
  exited: Promise<BinaryResult>
}

/** Starts `msrp-bot <args>`; `env` is added to the test's environment. */
export function startMsrpBot(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningBinary {
  const child = spawn(process.execPath, [`${REPO_ROOT}bin/msrp-bot.js`, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    // As a user runs it: not as a worker of this test run (NODE_TEST_CONTEXT quiets logs).
    env: { ...withoutTestContext(process.env), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const waiters: Array<() => void> = []
  const changed = (): void => {
    for (const w of waiters.splice(0)) w()
  }
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
    changed()
  })
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString()
    changed()
  })
  const exited = new Promise<BinaryResult>((resolve) => child.on('close', (code) => resolve({ code, stdout: out, stderr: err })))
  let done = false
  void exited.then(() => {
    done = true
    changed()
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out) || pattern.test(err)) resolve()
          else if (done) reject(new Error(`msrp-bot exited before printing ${pattern}:\nstdout: ${out}\nstderr: ${err}`))
          else waiters.push(check)
        }
        check()
      }),
  }
}

/** Runs `msrp-bot <args>` to the end. */
export function runMsrpBot(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BinaryResult> {
  const running = startMsrpBot(args, options)
  running.child.stdin!.end()
  return running.exited
}

function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env }
  delete copy['NODE_TEST_CONTEXT']
  return copy
}
