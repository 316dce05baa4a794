import { spawn, type ChildProcess } from 'node:child_process'

/** How long a child may take to exit after SIGINT (a bound, not a wait: exits are awaited). */
const EXIT_BOUND_MS = 15_000

/**
 * A child process (an `msrp-bot` command, a peer's client script) whose output lines can be
 * awaited. stdout is split into lines; stderr is kept as text for failure messages.
 */
export class LineProcess {
  readonly child: ChildProcess
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly #label: string
  #waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = []

  constructor(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; label?: string; stdin?: boolean } = {}) {
    this.#label = options.label ?? `${command} ${args.slice(0, 2).join(' ')}`
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    let partial = ''
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        this.lines.push(line)
        this.#waiters = this.#waiters.filter((w) => (w.pattern.test(line) ? (w.resolve(line), false) : true))
      }
    })
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })))
  }

  /** The output so far, for assertion messages. */
  transcript(): string {
    return `--- ${this.#label} stdout:\n${this.lines.join('\n')}\n--- stderr (tail):\n${this.stderr.slice(-3000)}`
  }

  /** The first output line matching `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l))
    if (seen !== undefined) return Promise.resolve(seen)
    const line = new Promise<string>((resolve) => this.#waiters.push({ pattern, resolve }))
    const died = this.exited.then(({ code, signal }) => {
      // Lines printed just before the exit may still be in the pipe: look once more.
      const late = this.lines.find((l) => pattern.test(l))
      if (late !== undefined) return late
      throw new Error(`${this.#label} exited (${code ?? signal}) before printing ${pattern}:\n${this.transcript()}`)
    })
    return Promise.race([line, died])
  }

  /** Writes one line to the child's stdin (started with `stdin: true`). */
  type(line: string): void {
    this.child.stdin!.write(`${line}\n`)
  }

  /** Resolves with the exit code once the child ended by itself, failing past `boundMs`. */
  async exit(boundMs = 60_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill()
        reject(new Error(`${this.#label} did not exit within ${boundMs} ms:\n${this.transcript()}`))
      }, boundMs)
    })
    try {
      return (await Promise.race([this.exited, bound])).code
    } finally {
      clearTimeout(timer)
    }
  }

  /** Sends SIGINT (Ctrl-C) and resolves with the exit code, failing past the bound. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode
    this.child.kill('SIGINT')
    return this.exit(EXIT_BOUND_MS)
  }

  /** SIGKILL if still running (cleanup after a failure). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}
