/**
 * A benchmark's child process (run under tsx, driven over IPC) and bounded waits for its
 * answers: every wait ends with a clear error after its time-out, and `close()` kills the child
 * if it does not exit on its own.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { compiledChildFile, type BenchRuntime } from './compiled-build.ts'

/** A child process running one of the benchmarks' child-process files (e.g. `./minimal-switch.ts`). */
export class BenchChild {
  /** The child process. */
  readonly process: ChildProcess
  readonly #name: string
  readonly #inbox: Array<Record<string, unknown>> = []
  #waiter: (() => void) | undefined
  #exit: string | undefined

  /**
   * Forks `file` (relative to this directory) with tsx; `env` is added to the parent's. With
   * `compiledPath` (see {@link BenchChild.start}) that compiled file runs on plain Node instead.
   */
  constructor(file: string, env: Record<string, string> = {}, compiledPath?: string) {
    this.#name = compiledPath === undefined ? file : `${file} (compiled)`
    this.process = fork(compiledPath ?? fileURLToPath(new URL(file, import.meta.url)), [], {
      execArgv: compiledPath === undefined ? ['--import', 'tsx', '--conditions=msrp-bot-source'] : [],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.process.on('message', (m: Record<string, unknown>) => {
      this.#inbox.push(m)
      this.#waiter?.()
    })
    this.process.on('exit', (code, signal) => {
      this.#exit = `exited (code ${code}, signal ${signal})`
      this.#waiter?.()
    })
  }

  /**
   * Forks `file` in `runtime`: `tsx` runs the sources as the constructor does; `compiled` runs
   * the file and the library compiled by tsc (compiled-build.ts) on plain Node, as an installed
   * package runs.
   */
  static async start(file: string, runtime: BenchRuntime, env: Record<string, string> = {}): Promise<BenchChild> {
    return runtime === 'tsx' ? new BenchChild(file, env) : new BenchChild(file, env, await compiledChildFile(file))
  }

  /** The child's process id. */
  get pid(): number {
    return this.process.pid!
  }

  /**
   * The next message that has `key`. Rejects with the child's `error` message, when the child
   * exits, or after `timeoutMs` (say what was waited for, so a hung run tells where it hung).
   */
  async next<T = Record<string, unknown>>(key: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.#inbox.findIndex((m) => key in m || 'error' in m)
      if (i >= 0) {
        const [m] = this.#inbox.splice(i, 1)
        if ('error' in m!) throw new Error(`benchmark child ${this.#name}: ${String(m.error)}`)
        return m as T
      }
      if (this.#exit !== undefined) throw new Error(`benchmark child ${this.#name} ${this.#exit} while the benchmark waited for "${key}"`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`benchmark child ${this.#name} did not answer "${key}" within ${timeoutMs} ms; raise the time-out or shrink the run (see the benchmark's env vars)`)
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.#waiter = resolve
        timer = setTimeout(resolve, left)
      })
      clearTimeout(timer)
      this.#waiter = undefined
    }
  }

  /** Sends a command to the child. */
  send(command: object): void {
    if (this.#exit === undefined) this.process.send(command)
  }

  /** Asks the child to close and exit; kills it if it has not exited within `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return
    const exited = once(this.process, 'exit')
    try {
      this.send({ cmd: 'close' })
    } catch {
      // The IPC channel is already gone: kill below.
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }
}
