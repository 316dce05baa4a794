import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The shared peers directory (`../shared/peers` beside the repository clone, see
 * /work/shared/peers/README.md). `MSRP_BOT_PEERS` overrides it.
 */
export function peersDir(): string {
  const fromEnv = process.env['MSRP_BOT_PEERS']
  if (fromEnv) return fromEnv
  // test/interop/harness/ → repo root is three levels up; shared/ sits beside the clone.
  return fileURLToPath(new URL('../../../../shared/peers/', import.meta.url))
}

/**
 * Whether Kamailio, sipp and the peers directory are available. On a developer's machine
 * without them the interop tests skip with the reason; under CI (`CI` set) a missing peer is
 * an error instead, because a skipped interop test proves nothing.
 */
export function peersAvailable(): { ok: true } | { ok: false; why: string } {
  const found = findPeers()
  if (!found.ok && process.env['CI']) {
    throw new Error(`interop peers are required under CI: ${found.why}; .ci/run installs kamailio and sip-tester`)
  }
  return found
}

function findPeers(): { ok: true } | { ok: false; why: string } {
  const dir = peersDir()
  if (!existsSync(`${dir}/kamailio/start.sh`)) return { ok: false, why: `no peers directory at ${dir} (set MSRP_BOT_PEERS)` }
  for (const bin of ['/usr/sbin/kamailio', '/usr/bin/sipp']) {
    if (!existsSync(bin) && !onPath(bin.split('/').pop()!)) return { ok: false, why: `${bin.split('/').pop()} is not installed (see ${dir}/README.md)` }
  }
  return { ok: true }
}

function onPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${name}`))
}
