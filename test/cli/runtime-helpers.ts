// Shared setup for the runtime tests (dev, run, chat): an in-memory CliIo whose output can be
// awaited line by line, and a chat participant over TCP whose events can be awaited. No sleeps:
// everything waits for the line or event it needs (each test has a timeout as the bound).
import { PassThrough } from 'node:stream'
import { SipChatBackend } from '../../src/chat/index.ts'
import type { BackendEvent } from '../../src/chat/index.ts'
import type { CliIo, TextSink } from '../../src/cli/io.ts'
import type { ServerOptions } from '../../src/cli/runtime.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'

/** A text sink that keeps complete lines and wakes whoever waits for one. */
export class LineSink implements TextSink {
  readonly isTTY = false
  readonly lines: string[] = []
  #partial = ''
  #waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = []

  write(text: string): boolean {
    this.#partial += text
    const parts = this.#partial.split('\n')
    this.#partial = parts.pop() ?? ''
    for (const line of parts) {
      this.lines.push(line)
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(line)) return true
        w.resolve(line)
        return false
      })
    }
    return true
  }

  /** Everything written, as text. */
  get text(): string {
    return this.lines.map((l) => `${l}\n`).join('') + this.#partial
  }

  /** The first line (already written or still to come) matching `pattern`, counting from line `from`. */
  waitFor(pattern: RegExp, from = 0): Promise<string> {
    const found = this.lines.slice(from).find((l) => pattern.test(l))
    if (found !== undefined) return Promise.resolve(found)
    return new Promise((resolve) => this.#waiters.push({ test: (l) => pattern.test(l), resolve }))
  }
}

/** A CliIo for in-process runtime runs: awaitable stdout/stderr, a stdin the test writes to. */
export function lineIo(options: { env?: NodeJS.ProcessEnv } = {}): CliIo & { stdout: LineSink; stderr: LineSink; stdin: PassThrough & { isTTY: boolean } } {
  return {
    stdout: new LineSink(),
    stderr: new LineSink(),
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    env: options.env ?? {},
    cwd: process.cwd(),
  }
}

/** Server options for `dev` on loopback with free ports and no logs. */
export function localServerOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  return { host: '127.0.0.1', advertise: undefined, port: 0, domain: 'localhost', rooms: ['lobby'], moderators: [], users: undefined, wsPort: undefined, msrpPort: 0, logLevel: 'silent', ...overrides }
}

/** Reads the SIP port from `msrp-bot dev`'s ready line. */
export function devSipPort(readyLine: string): number {
  const match = /\(SIP (\d+) udp\+tcp, MSRP (\d+)\)/.exec(readyLine)
  if (match === null) throw new Error(`not a dev ready line: ${readyLine}`)
  return Number(match[1])
}

/** A chat participant (SipChatBackend over TCP) with an awaitable event log. */
export class Participant {
  readonly backend: SipChatBackend
  readonly events: BackendEvent[] = []
  #waiters: Array<{ test: (e: BackendEvent) => boolean; resolve: (e: BackendEvent) => void }> = []

  constructor(uri: string, proxy: string, extra: { password?: string; registrar?: string } = {}) {
    this.backend = createNodeChatBackend(
      { uri, transport: 'tcp', outboundProxy: proxy, ...extra },
      { reconnect: false, publishPresence: false, automaton: false, logger: { debug() {}, info() {}, warn() {} } },
    )
    this.backend.subscribe((event) => {
      this.events.push(event)
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(event)) return true
        w.resolve(event)
        return false
      })
    })
  }

  /** The first event (already seen or still to come) for which `test` holds. */
  waitFor<E extends BackendEvent>(test: (e: BackendEvent) => e is E): Promise<E>
  waitFor(test: (e: BackendEvent) => boolean): Promise<BackendEvent>
  waitFor(test: (e: BackendEvent) => boolean): Promise<BackendEvent> {
    const found = this.events.find(test)
    if (found !== undefined) return Promise.resolve(found)
    return new Promise((resolve) => this.#waiters.push({ test, resolve }))
  }

  /** The first message whose body matches `pattern`. */
  message(pattern: RegExp, options: { private?: boolean; from?: string } = {}): Promise<Extract<BackendEvent, { type: 'message' }>> {
    return this.waitFor(
      (e): e is Extract<BackendEvent, { type: 'message' }> =>
        e.type === 'message' &&
        typeof e.body === 'string' &&
        pattern.test(e.body) &&
        (options.private === undefined || e.private === options.private) &&
        (options.from === undefined || e.sender.nickname === options.from),
    )
  }

  /** Message lines as `(private) nick: text`, for assertion messages. */
  texts(): string[] {
    return this.events.flatMap((e) => (e.type === 'message' ? [`${e.private ? '(private) ' : ''}${e.sender.nickname ?? e.sender.uri}: ${String(e.body)}`] : []))
  }
}
