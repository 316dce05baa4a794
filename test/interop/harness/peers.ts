import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Debian packages the interop tests need, as one `apt-get install` argument list. */
export const INTEROP_PACKAGES = 'kamailio kamailio-presence-modules kamailio-extra-modules kamailio-tls-modules sip-tester openssl'

/**
 * The interop peers directory: `test/interop/peers/` of this repository (Kamailio's
 * configuration and start/stop scripts, the sipp scenarios; see its README.md).
 * `MSRP_BOT_PEERS` overrides it.
 */
export function peersDir(): string {
  const fromEnv = process.env['MSRP_BOT_PEERS']
  if (fromEnv) return fromEnv
  return fileURLToPath(new URL('../peers/', import.meta.url))
}

/**
 * Whether Kamailio, sipp and openssl are on PATH and the peers directory is there. On a
 * developer's machine without them the interop tests skip with the reason (one line naming
 * what to install); under CI (`CI` set) a missing peer is an error instead, because a skipped
 * interop test proves nothing.
 *
 * @example
 * const available = peersAvailable()
 * describe('interop: ...', { skip: available.ok ? false : available.why }, () => { ... })
 */
export function peersAvailable(): { ok: true } | { ok: false; why: string } {
  const found = findPeers()
  if (!found.ok && process.env['CI']) {
    throw new Error(`interop peers are required under CI: ${found.why}`)
  }
  return found
}

function findPeers(): { ok: true } | { ok: false; why: string } {
  const dir = peersDir()
  if (!existsSync(join(dir, 'kamailio', 'start.sh'))) return { ok: false, why: `no interop peers directory at ${dir} (MSRP_BOT_PEERS)` }
  const missing = ['kamailio', 'sipp', 'openssl'].filter((name) => !onPath(name))
  if (missing.length > 0) {
    return { ok: false, why: `${missing.join(', ')} not found on PATH; install the Debian packages ${INTEROP_PACKAGES} (.ci/run does)` }
  }
  return { ok: true }
}

function onPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, name)))
}
