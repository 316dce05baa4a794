/**
 * What a command touches outside itself: output streams, input, environment and working
 * directory. Commands take a {@link CliIo} instead of reaching for `process`, so tests can run
 * them in process and read what they printed.
 *
 * @module
 */
import { PassThrough } from 'node:stream'

/** Something text can be written to (`process.stdout`, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown
  /** True when it is a terminal. */
  readonly isTTY?: boolean | undefined
}

/** The outside world of one command run. */
export interface CliIo {
  /** Where results and help go. */
  readonly stdout: TextSink
  /** Where errors, warnings and progress go. */
  readonly stderr: TextSink
  /** Where prompts read answers from. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined }
  /** The environment; `.env` files are loaded into it (never overriding what is set). */
  readonly env: NodeJS.ProcessEnv
  /** The directory relative paths are resolved against. */
  readonly cwd: string
}

/**
 * The real process's I/O.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo())
 * ```
 */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  }
}

/** A {@link TextSink} that keeps what was written (for tests). */
export interface BufferSink extends TextSink {
  /** Everything written so far. */
  readonly text: string
}

/**
 * An in-memory {@link CliIo} for tests: output is captured, stdin is empty and not a TTY.
 *
 * @example
 * ```ts
 * const io = memoryIo({ cwd: dir })
 * assert.equal(await main(['--help'], io), 0)
 * assert.match(io.stdout.text, /Usage/)
 * ```
 */
export function memoryIo(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliIo & {
  stdout: BufferSink
  stderr: BufferSink
} {
  const sink = (): BufferSink => {
    let text = ''
    return {
      write: (chunk: string) => {
        text += chunk
        return true
      },
      get text() {
        return text
      },
      isTTY: false,
    }
  }
  // An already-ended stream: prompts (which only run on a TTY) never read from it.
  const stdin = Object.assign(new PassThrough(), { isTTY: false })
  stdin.end()
  return {
    stdout: sink(),
    stderr: sink(),
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  }
}
