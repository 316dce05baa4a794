/**
 * SylkServer, the other RFC 7701 chat-room server, as an interop peer: started from
 * ../shared/peers/sylkserver (see its README) on a free port in a temporary run directory, and
 * its SIP SIMPLE chat client `sipsimple-chat.py`, run against any room server.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LineProcess } from './child-process.ts'
import { fileURLToPath } from 'node:url'
import { freePort } from './ports.ts'

/**
 * The SylkServer peer's folder (with a trailing slash): the prebuilt SylkServer and SIP SIMPLE
 * client in `../shared/peers/sylkserver` beside the clone (too large to keep in the repository).
 * `MSRP_BOT_SYLK_PEER` overrides it.
 */
export function sylkPeerDir(): string {
  const fromEnv = process.env['MSRP_BOT_SYLK_PEER']
  if (fromEnv) return fromEnv.endsWith('/') ? fromEnv : `${fromEnv}/`
  // test/interop/harness/ → the repository root is three levels up; shared/ sits beside the clone.
  return fileURLToPath(new URL('../../../../shared/peers/sylkserver/', import.meta.url))
}

/**
 * Whether the SylkServer peer can run here. Without it the tests skip with the reason; under CI
 * (`CI` set) a missing peer is an error, because a skipped interop test proves nothing.
 */
export function sylkServerAvailable(): { ok: true } | { ok: false; why: string } {
  const dir = sylkPeerDir()
  const found: { ok: true } | { ok: false; why: string } = !existsSync(`${dir}start.sh`)
    ? { ok: false, why: `no SylkServer peer at ${dir} (the prebuilt peer from ../shared/peers/sylkserver beside the clone, or set MSRP_BOT_SYLK_PEER)` }
    : !existsSync('/usr/bin/python3')
      ? { ok: false, why: 'the SylkServer peer needs /usr/bin/python3 (Debian 12)' }
      : { ok: true }
  if (!found.ok && process.env['CI']) {
    throw new Error(`the SylkServer peer is required under CI: ${found.why}; .ci/run installs it (bash ../shared/peers/sylkserver/install.sh)`)
  }
  return found
}

/** A running SylkServer instance. */
export interface SylkServerInstance {
  readonly host: '127.0.0.1'
  /** SIP over UDP and TCP. Rooms are `sip:<room>@<any host>`, keyed by user@host of the Request-URI. */
  readonly sipPort: number
  readonly runDir: string
  /** The Python that runs the peer's scripts (the install's venv). */
  readonly python: string
  /** SylkServer's log so far. */
  log(): string
  /** Stops the server (stop.sh) and removes the run directory. Safe to call twice. */
  stop(): Promise<void>
}

function run(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script], { env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, output: `${String(stdout)}${String(stderr)}` })
    })
  })
}

/**
 * Installs the peer once per machine (a no-op when done) and resolves with its directory; its
 * `venv/bin/python` runs `sipsimple-chat.py` without any SylkServer running.
 */
export async function installSylkPeer(): Promise<string> {
  const cache = join(tmpdir(), 'msrp-bot-sylkserver-peer')
  const installed = await run(`${sylkPeerDir()}install.sh`, { RUN_DIR: cache }, 600_000)
  if (installed.code !== 0) throw new Error(`the SylkServer peer did not install (install.sh ${cache}):\n${installed.output}`)
  return cache
}

/**
 * The peer installed once per machine (install.sh is idempotent and locks its directory), then
 * linked into each instance's own run directory, so an instance starts in about a second instead
 * of installing a virtualenv every time. If the links do not satisfy install.sh it installs there.
 */
async function prepareRunDir(): Promise<string> {
  const cache = await installSylkPeer()
  const runDir = mkdtempSync(join(tmpdir(), 'msrp-bot-sylk-'))
  for (const name of ['venv', 'sylkserver']) symlinkSync(join(cache, name), join(runDir, name))
  copyFileSync(join(cache, '.installed'), join(runDir, '.installed'))
  return runDir
}

/**
 * Starts SylkServer on a free port (start.sh waits until it answers SIP) and resolves with it.
 * Call `stop()` in `after()`.
 *
 * @example
 * let sylk: SylkServerInstance
 * before(async () => { sylk = await startSylkServer() })
 * after(() => sylk.stop())
 */
export async function startSylkServer(options: { historySize?: number; pushFiles?: boolean } = {}): Promise<SylkServerInstance> {
  const runDir = await prepareRunDir()
  const sipPort = await freePort()
  const env: NodeJS.ProcessEnv = { RUN_DIR: runDir, SIP_PORT: String(sipPort), TRACE: 'True', LOG_LEVEL: 'info' }
  if (options.historySize !== undefined) env['HISTORY_SIZE'] = String(options.historySize)
  const peer = options.pushFiles === true ? peerWithPushFiles(runDir) : sylkPeerDir()
  const started = await run(`${peer}start.sh`, env, 120_000)
  if (started.code !== 0) {
    await run(`${peer}stop.sh`, { RUN_DIR: runDir }, 30_000)
    rmSync(runDir, { recursive: true, force: true })
    throw new Error(`SylkServer did not start (start.sh, port ${sipPort}):\n${started.output}`)
  }
  let stopped: Promise<void> | undefined
  return {
    host: '127.0.0.1',
    sipPort,
    runDir,
    python: join(runDir, 'venv', 'bin', 'python'),
    log: () => {
      try {
        return readFileSync(join(runDir, 'sylk.log'), 'utf8')
      } catch {
        return ''
      }
    },
    stop: () =>
      (stopped ??= (async () => {
        await run(`${peer}stop.sh`, { RUN_DIR: runDir }, 30_000)
        rmSync(runDir, { recursive: true, force: true })
      })()),
  }
}

/**
 * The peer folder as it is, but with the repository's `push-files.ini` (test/interop/peers/
 * sylkserver) added to its room settings: links to the peer's files in `<runDir>/peer/`, and a
 * `templates/conference.ini.in` of its own. Returns that folder (with a trailing slash).
 */
function peerWithPushFiles(runDir: string): string {
  const source = sylkPeerDir()
  const overlay = join(runDir, 'peer')
  mkdirSync(join(overlay, 'templates'), { recursive: true })
  for (const name of readdirSync(source)) if (name !== 'templates') symlinkSync(join(source, name), join(overlay, name))
  for (const name of readdirSync(join(source, 'templates'))) if (name !== 'conference.ini.in') symlinkSync(join(source, 'templates', name), join(overlay, 'templates', name))
  const extra = readFileSync(fileURLToPath(new URL('../peers/sylkserver/push-files.ini', import.meta.url)), 'utf8')
  writeFileSync(join(overlay, 'templates', 'conference.ini.in'), `${readFileSync(join(source, 'templates', 'conference.ini.in'), 'utf8').trimEnd()}\n${extra}`)
  return `${overlay}/`
}

/** Options of {@link sipsimpleChat}: the script's own flags (see sipsimple-chat.py --help). */
export interface SipsimpleChatOptions {
  /** The room URI, e.g. `sip:lobby@127.0.0.1`. */
  readonly room: string
  /** Outbound proxy `127.0.0.1:PORT` (the room server itself, or Kamailio). */
  readonly proxy: string
  readonly user: string
  readonly transport?: 'tcp' | 'udp'
  readonly displayName?: string
  readonly password?: string
  readonly nickname?: string
  readonly messages?: readonly string[]
  readonly privates?: ReadonlyArray<readonly [uri: string, text: string]>
  /** Seconds to stay after the last send (the script's --listen). */
  readonly listen?: number
}

/**
 * Runs `sipsimple-chat.py` (the SIP SIMPLE SDK's chat client) with the venv Python of a
 * SylkServer instance. Its output lines (`JOINED`, `NICKNAME ok`, `MESSAGE ...`, `ENDED by`,
 * `RESULT OK|FAIL`) can be awaited.
 */
export function sipsimpleChat(sylk: Pick<SylkServerInstance, 'python'>, options: SipsimpleChatOptions): LineProcess {
  const args = [`${sylkPeerDir()}sipsimple-chat.py`, '--room', options.room, '--proxy', options.proxy, '--transport', options.transport ?? 'tcp', '--user', options.user]
  if (options.displayName !== undefined) args.push('--display-name', options.displayName)
  if (options.password !== undefined) args.push('--password', options.password)
  if (options.nickname !== undefined) args.push('--nickname', options.nickname)
  for (const text of options.messages ?? []) args.push('--message', text)
  for (const [uri, text] of options.privates ?? []) args.push('--private', uri, text)
  args.push('--listen', String(options.listen ?? 2), '--timeout', '60')
  const user = options.user.replace(/^sip:/, '').split('@')[0]
  return new LineProcess(sylk.python, args, { cwd: tmpdir(), label: `sipsimple-chat ${user}` })
}
