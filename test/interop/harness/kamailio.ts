import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peersDir } from './peers.ts'
import { freePort } from './ports.ts'

/** Switches of the peer's kamailio.cfg (see its header). */
export type KamailioDefine = 'WITH_QOP' | 'WITH_TLS' | 'WITH_DEBUG' | 'AUTH_REGISTER_ONLY' | 'KNOWN_USERS_ONLY'

/** Options of {@link startKamailio}. */
export interface KamailioOptions {
  /** `-A` switches for kamailio.cfg. */
  readonly defines?: readonly KamailioDefine[]
  /** How long start.sh may take (default 30 s; it waits for the ports itself). */
  readonly startTimeoutMs?: number
}

/** A private Kamailio instance: its ports, run directory and how to stop it. */
export interface KamailioInstance {
  readonly host: '127.0.0.1'
  /** SIP over UDP and TCP. */
  readonly sipPort: number
  /** MSRP relay, plain TCP. */
  readonly msrpPort: number
  /** SIP over TLS (only with WITH_TLS). */
  readonly sipsPort: number | undefined
  /** MSRP over TLS (only with WITH_TLS). */
  readonly msrpsPort: number | undefined
  /** The digest realm and SIP domain of the peer's config. */
  readonly domain: 'example.test'
  /** Password of every account (alice, bob, bot, carol and, unless KNOWN_USERS_ONLY, anyone). */
  readonly password: 'secret'
  readonly runDir: string
  /** PEM of the self-signed certificate (WITH_TLS), for a TLS client's `ca`. */
  readonly tlsCert: string | undefined
  /** The instance's log so far (kamailio's stderr). */
  log(): string
  /** Stops kamailio (stop.sh) and removes the run directory. Safe to call twice. */
  stop(): Promise<void>
}

function run(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script], { env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

function tcpReachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Starts a private Kamailio (test/interop/peers/kamailio/start.sh) with its own run directory and free
 * ports, and resolves once it listens. Call `stop()` in `after()`.
 *
 * @example
 * let kam: KamailioInstance
 * before(async () => { kam = await startKamailio({ defines: ['WITH_QOP'] }) })
 * after(() => kam.stop())
 */
export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioInstance> {
  const defines = options.defines ?? []
  const tls = defines.includes('WITH_TLS')
  const runDir = mkdtempSync(join(tmpdir(), 'msrp-bot-kam-'))
  const sipPort = await freePort()
  const msrpPort = await freePort()
  const sipsPort = tls ? await freePort() : undefined
  const msrpsPort = tls ? await freePort() : undefined
  const env: NodeJS.ProcessEnv = {
    RUN_DIR: runDir,
    SIP_PORT: String(sipPort),
    MSRP_PORT: String(msrpPort),
    LISTEN_IP: '127.0.0.1',
    KAM_DEFINES: defines.join(' '),
    ...(sipsPort ? { SIPS_PORT: String(sipsPort) } : {}),
    ...(msrpsPort ? { MSRPS_PORT: String(msrpsPort) } : {}),
  }
  const dir = peersDir()
  const started = await run(join(dir, 'kamailio/start.sh'), env, options.startTimeoutMs ?? 30_000)
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await run(join(dir, 'kamailio/stop.sh'), env, 15_000)
    rmSync(runDir, { recursive: true, force: true })
  }
  const log = (): string => {
    try {
      return readFileSync(join(runDir, 'kamailio.log'), 'utf8')
    } catch {
      return ''
    }
  }
  if (started.code !== 0 || !(await tcpReachable(sipPort))) {
    const detail = `${started.stdout}${started.stderr}${log().slice(-2000)}`
    await stop()
    throw new Error(`Kamailio did not start (start.sh exit ${started.code}):\n${detail}`)
  }
  let tlsCert: string | undefined
  if (tls) tlsCert = readFileSync(join(runDir, 'tls/cert.pem'), 'utf8')
  return {
    host: '127.0.0.1', sipPort, msrpPort, sipsPort, msrpsPort, domain: 'example.test', password: 'secret',
    runDir, tlsCert, log, stop,
  }
}
