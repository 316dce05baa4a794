// A real redis-server for storage tests: started on a free loopback port in a temporary
// directory, with persistence off, and stopped at the end. Debian package: redis-server.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { LineProcess } from '../../interop/harness/child-process.ts'
import { freePort } from '../../interop/harness/ports.ts'

/**
 * Whether redis-server is on PATH. Without it the Redis tests skip with the reason; under CI
 * (`CI` set) a missing redis-server is an error, because a skipped test proves nothing.
 */
export function redisAvailable(): { ok: true } | { ok: false; why: string } {
  const found = (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'redis-server')))
  if (found) return { ok: true }
  const why = 'redis-server not found on PATH; install the Debian package redis-server (.ci/run does)'
  if (process.env['CI']) throw new Error(`redis-server is required under CI: ${why}`)
  return { ok: false, why }
}

/** A running redis-server: its URL, and `stop()`. */
export interface RedisServer {
  readonly url: string
  stop(): Promise<void>
}

/** Starts redis-server on 127.0.0.1 and resolves once it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-bot-redis-'))
  const port = await freePort()
  const server = new LineProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
    { label: 'redis-server' },
  )
  try {
    await server.waitFor(/Ready to accept connections/)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await server.interrupt()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
