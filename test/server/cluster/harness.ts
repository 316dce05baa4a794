// Cluster test nodes: chat servers on loopback TCP sharing one redis-server (started by the test,
// see test/bot/session/redis-server.ts), each with its own RedisRoomStore and leases.
import { startChatServer, type ChatServer } from '../../../src/server/chat-server.ts'
import { connectCluster, type ClusterNode } from '../../../src/server/cluster/cluster-node.ts'

export { redisAvailable, startRedis, type RedisServer } from '../../bot/session/redis-server.ts'

/** One node: the chat server and its cluster parts. */
export interface TestNode {
  readonly server: ChatServer
  readonly cluster: ClusterNode
  stop(): Promise<void>
}

/** The test domain every node serves. */
export const DOMAIN = 'cluster.test'

/** What TestParticipant needs of a server, for one reached at a port only (another process, a proxy). */
export function remoteServer(port: number): ChatServer {
  return {
    domain: DOMAIN,
    network: undefined,
    addresses: { sip: [{ transport: 'tcp', host: '127.0.0.1', port }] },
    roomUri: (name: string) => (name.includes(':') ? name : `sip:${name}@${DOMAIN}`),
  } as unknown as ChatServer
}

/** Starts a node on 127.0.0.1 (free ports) that creates `rooms` in the cluster if absent. */
export async function startNode(redis: string, node: string, rooms: string[] = [], options: { leaseMs?: number; keyPrefix?: string } = {}): Promise<TestNode> {
  const cluster = await connectCluster({ redis, node, domain: DOMAIN, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }), ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }) })
  const server = await startChatServer({ domain: DOMAIN, store: cluster.store, cluster: cluster.routing, transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
  await cluster.attach(server, rooms)
  return {
    server,
    cluster,
    async stop() {
      await server.close()
      await cluster.close()
    },
  }
}
