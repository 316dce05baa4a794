// `msrp-bot server --redis` when Redis cannot be reached: a clear, typed error, and nothing left
// open (the test process would not end otherwise).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runChatServerCli } from '../../../src/server/cli.ts'
import { freePort } from '../../interop/harness/ports.ts'

test('a node whose Redis does not answer refuses to start and says what to do', async () => {
  const port = await freePort() // nothing listens there
  await assert.rejects(
    runChatServerCli({ host: '127.0.0.1', port: 0, msrpPort: 0, domain: 'cluster.test', rooms: ['lobby'], cluster: { redis: `redis://127.0.0.1:${port}`, nodeId: 'a' }, out: () => undefined }),
    (error: Error & { code?: string }) => error.code === 'CLUSTER_REDIS_UNREACHABLE' && /start redis-server or fix --redis/.test(error.message),
  )
})
