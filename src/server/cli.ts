/**
 * `msrp-bot server`: runs the chat server on sockets until SIGINT/SIGTERM, then stops it
 * cleanly (BYE to every participant, final NOTIFYs). `msrp-bot server` runs it (src/cli/runtime.ts).
 *
 * @module
 */

import type { RoomFileOptions } from './room-files.ts'
import { startChatServer } from './chat-server.ts'
import { connectCluster } from './cluster/cluster-node.ts'
import type { CallOutCredentials, ChatServerLogger, ChatServerOptions } from './options.ts'
import type { DigestAlgorithm } from '../digest/index.ts'

/** Options of {@link runChatServerCli}. */
export interface ChatServerCliOptions {
  host: string
  /** Host name or IP clients reach the server at, when not `host` (e.g. bound to 0.0.0.0). */
  advertise?: string
  port: number
  domain: string
  rooms: string[]
  /** SIP URIs that moderate every room (may remove and mute participants). */
  moderators?: string[]
  users?: Record<string, string>
  wsPort?: number
  msrpPort?: number
  /** Digest algorithms challenged with, preferred first (RFC 8760); default SHA-256, MD5. */
  digestAlgorithms?: DigestAlgorithm[]
  /** Proxies whose P-Asserted-Identity is believed (RFC 3325). */
  trustedProxies?: string[]
  /** With `users`: let identities of other domains in as guests. */
  allowGuests?: boolean
  /** SIP over TLS on `tls.port`, and MSRP over TLS on the MSRP port, with this PEM certificate and key. */
  tls?: { port: number; cert: string | Buffer; key: string | Buffer }
  /** Where the focus may dial for `a=setup:passive` offers (default `source`, see dial-policy.ts). */
  msrpDial?: 'source' | 'any'
  /** Public messages each room keeps for late joiners (default 20; 0: none). */
  history?: number
  /** Bytes of history each room keeps at most (default 256 KiB). */
  historyBytes?: number
  /** Create rooms on the first INVITE to an unknown room URI (removed when empty). */
  autoCreate?: boolean
  /** Rooms created on demand that may exist at once (default 100). */
  maxAutoRooms?: number
  /** What happens to a room created on demand's history when it is removed (default `drop`). */
  autoRoomHistory?: 'keep' | 'drop'
  /** Run as one node of a cluster on Redis (src/server/cluster): its URL, this node's id, the lease time. */
  cluster?: { redis: string; nodeId: string; leaseMs?: number | undefined }
  /** Files in rooms (RFC 5547): the storage folder and limits; without it rooms take no files. */
  files?: RoomFileOptions
  /** The proxy through which rooms call invitees not registered here (RFC 4579 §5.5). */
  callOutProxy?: string
  /** The server's account at `callOutProxy`, for its digest challenges. */
  callOutCredentials?: CallOutCredentials
  /** Where the `ready` line and logs go (default: stdout / stderr). */
  out?: (line: string) => void
  logger?: ChatServerLogger
  /**
   * Stops the server when aborted. The caller owns the process and its signals (the `msrp-bot`
   * CLI aborts this on Ctrl-C or SIGTERM); without a signal the server runs until the process ends.
   */
  signal?: AbortSignal
}

/**
 * The {@link startChatServer} options for command-line settings: sockets on `host`, every
 * room moderated by `moderators`. The one place where such settings become server options
 * (`msrp-bot server` and `msrp-bot dev` both start their server with it).
 *
 * @example
 * ```ts
 * const server = await startChatServer(chatServerOptionsFromCli({ host: '127.0.0.1', port: 0, domain: 'localhost', rooms: ['lobby'] }))
 * ```
 */
export function chatServerOptionsFromCli(opts: Omit<ChatServerCliOptions, 'out' | 'signal'>): ChatServerOptions {
  return {
    domain: opts.domain,
    rooms: Object.fromEntries(opts.rooms.map((room) => [room, { moderators: [...(opts.moderators ?? [])] }])),
    ...(opts.users === undefined ? {} : { users: opts.users }),
    ...(opts.digestAlgorithms === undefined ? {} : { digestAlgorithms: opts.digestAlgorithms }),
    ...(opts.trustedProxies === undefined ? {} : { trustedProxies: opts.trustedProxies }),
    ...(opts.allowGuests === undefined ? {} : { allowGuests: opts.allowGuests }),
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    transport: { kind: 'sockets', host: opts.host, port: opts.port, ...(opts.advertise === undefined ? {} : { advertise: opts.advertise }), ...(opts.wsPort === undefined ? {} : { wsPort: opts.wsPort }), ...(opts.msrpPort === undefined ? {} : { msrpPort: opts.msrpPort }), ...(opts.tls === undefined ? {} : { tls: opts.tls }) },
    ...(opts.msrpDial === undefined ? {} : { msrpDial: opts.msrpDial }),
    ...(opts.history === undefined ? {} : { history: opts.history }),
    ...(opts.historyBytes === undefined ? {} : { historyBytes: opts.historyBytes }),
    ...(opts.files === undefined ? {} : { files: opts.files }),
    ...(opts.callOutProxy === undefined ? {} : { callOutProxy: opts.callOutProxy }),
    ...(opts.callOutCredentials === undefined ? {} : { callOutCredentials: opts.callOutCredentials }),
    // Rooms created on demand get the same moderators as the named ones.
    ...(opts.autoCreate === true ? { autoCreateRooms: { moderators: [...(opts.moderators ?? [])] } } : {}),
    ...(opts.maxAutoRooms === undefined && opts.autoRoomHistory === undefined
      ? {}
      : { roomsOnDemand: { ...(opts.maxAutoRooms === undefined ? {} : { maxRooms: opts.maxAutoRooms }), ...(opts.autoRoomHistory === undefined ? {} : { history: opts.autoRoomHistory }) } }),
  }
}

/**
 * Starts the server on sockets, prints one line containing `ready` with the addresses, and
 * resolves once it stopped after `signal` aborted.
 *
 * @example
 * ```ts
 * await runChatServerCli({ host: '127.0.0.1', port: 5060, domain: 'example.test', rooms: ['lobby'] })
 * ```
 */
export async function runChatServerCli(opts: ChatServerCliOptions): Promise<void> {
  const out = opts.out ?? ((line: string) => console.log(line))
  const options = chatServerOptionsFromCli(opts)
  const cluster = opts.cluster === undefined
    ? undefined
    : await connectCluster({ redis: opts.cluster.redis, node: opts.cluster.nodeId, domain: opts.domain, ...(opts.cluster.leaseMs === undefined ? {} : { leaseMs: opts.cluster.leaseMs }), ...(opts.logger === undefined ? {} : { logger: opts.logger }) })
  let started: Awaited<ReturnType<typeof startChatServer>> | undefined
  try {
    // In a cluster the rooms are created once the node can take their leases (attach, below).
    started = await startChatServer(cluster === undefined ? options : { ...options, rooms: [], store: cluster.store, cluster: cluster.routing })
    await cluster?.attach(started, Object.fromEntries(opts.rooms.map((room) => [room, { moderators: [...(opts.moderators ?? [])] }])))
  } catch (error) {
    // A node that cannot start must not keep its sockets or its Redis connection (and the process) alive.
    await started?.close().catch(() => undefined)
    await cluster?.close().catch(() => undefined)
    throw error
  }
  const server = started
  const sip = server.addresses.sip.map((a) => `${a.transport}://${a.host}:${a.port}`).join(' ')
  const served = server.rooms.list().map((r) => r.uri).join(' ')
  out(`msrp-bot chat server ready: sip ${sip} msrp tcp://${server.addresses.msrp.host}:${server.addresses.msrp.port}${opts.tls === undefined ? '' : ` (and tls)`} domain ${server.domain} rooms ${served || '(none)'}${cluster === undefined ? '' : ` cluster node ${cluster.node}`}${opts.autoCreate === true ? ' (more created on demand)' : ''}${server.addresses.advertise === opts.host ? '' : ` advertised as ${server.addresses.advertise}`}`)
  const web = server.addresses.web
  if (web !== undefined) {
    const host = server.addresses.advertise.includes(':') ? `[${server.addresses.advertise}]` : server.addresses.advertise
    out(`msrp-bot chat server: the browser chat page is at http://${host}:${web.port}/ (SIP and MSRP over WebSocket on the same port)`)
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      opts.signal?.removeEventListener('abort', stop)
      resolve()
    }
    if (opts.signal?.aborted === true) stop()
    else opts.signal?.addEventListener('abort', stop)
  })
  out('msrp-bot chat server stopping: saying BYE to every participant')
  await server.close()
  await cluster?.close()
  out('msrp-bot chat server stopped')
}
