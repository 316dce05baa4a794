/**
 * The server's MSRP side: a listener for participants that connect (RFC 6135 passive role) and
 * a dialer for participants that asked the focus to connect (offer `a=setup:passive`).
 *
 * @module
 */

import { MsrpConnection, type MsrpConnectionOptions } from '../msrp/connection.ts'
import { connectMsrpUri } from '../msrp/node-dial.ts'
import { MsrpListener, type MsrpAcceptOptions } from '../msrp/listener.ts'
import type { MemoryNetwork as MsrpMemoryNetwork } from '../msrp/memory-stream.ts'
import { streamTransport } from '../msrp/transport.ts'
import { parseMsrpUri } from '../msrp/uri.ts'
import { effectivePort } from '../msrp/uri.ts'
import type { ChatServerTransport } from './options.ts'

/** Port the in-process MSRP listener uses (RFC 4975 §15.1: 2855 is MSRP's registered port). */
export const MEMORY_MSRP_PORT = 2855

/** Listener plus dialer. */
export class MsrpEndpoint {
  readonly listener: MsrpListener
  /** Host and port put in the server's `a=path` URIs (the advertised host, the bound port). */
  readonly host: string
  readonly port: number
  /** The host the listener is bound to (differs from `host` when the transport has `advertise`). */
  readonly boundHost: string
  readonly #memory: MsrpMemoryNetwork | undefined
  readonly #stopMemory: (() => void) | undefined
  readonly #options: Omit<MsrpConnectionOptions, 'role' | 'resolveSession'>
  readonly #dialed = new Set<MsrpConnection>()
  /** The listener also serves MSRP over TLS (`msrps:`) on its port. */
  readonly secure: boolean

  private constructor(listener: MsrpListener, host: string, boundHost: string, port: number, options: Omit<MsrpConnectionOptions, 'role' | 'resolveSession'>, memory?: MsrpMemoryNetwork, stopMemory?: () => void, secure = false) {
    this.listener = listener
    this.secure = secure
    this.host = host
    this.boundHost = boundHost
    this.port = port
    this.#options = options
    this.#memory = memory
    this.#stopMemory = stopMemory
  }

  /**
   * Starts listening for `mode`; `domain` is the memory-network host. `options` apply to every
   * connection (accepted and dialled) and the listener's caps and timeouts to accepted ones.
   */
  static async start(mode: ChatServerTransport, domain: string, memory: MsrpMemoryNetwork | undefined, options: MsrpAcceptOptions): Promise<MsrpEndpoint> {
    const { maxConnections: _max, maxConnectionsPerSource: _perSource, unboundTimeoutMs: _unbound, ...connectionOptions } = options
    if (mode.kind === 'memory') {
      // In process every client has the same made-up address: only the total cap applies.
      const listener = new MsrpListener({ ...options, maxConnectionsPerSource: Number.POSITIVE_INFINITY })
      const network = memory!
      const stop = network.listen(domain, MEMORY_MSRP_PORT, (stream) => listener.accept(stream))
      return new MsrpEndpoint(listener, domain, domain, MEMORY_MSRP_PORT, connectionOptions, network, stop)
    }
    const host = mode.host ?? '127.0.0.1'
    const tls = mode.tls
    const listener = await MsrpListener.listen({ ...options, host, port: mode.msrpPort ?? 0, ...(tls === undefined ? {} : { alsoTls: { cert: tls.cert, key: tls.key } }) })
    // RFC 4975 §6: the a=path URI is where the peer connects, so it names the advertised host.
    return new MsrpEndpoint(listener, mode.advertise ?? host, host, listener.address!.port, connectionOptions, undefined, undefined, tls !== undefined)
  }

  /**
   * The WebSocket port that also takes MSRP (RFC 7977, the web listener beside the TCP one),
   * set by the server when it has one.
   */
  webSocketPort: number | undefined

  /**
   * The server's MSRP URI for one session on `transport`: `msrp://host:port/<id>;tcp`, `msrps:`
   * for TLS, `msrp://host:<ws port>/<id>;ws` for a WebSocket client (RFC 7977 §7). A transport
   * the server does not serve gets the TCP URI (the answer then fails with a transport mismatch).
   */
  uriFor(sessionId: string, transport: 'tcp' | 'tls' | 'ws' | 'wss' = 'tcp'): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    if (transport === 'ws' && this.webSocketPort !== undefined) return `msrp://${host}:${this.webSocketPort}/${sessionId};ws`
    return `${transport === 'tls' && this.secure ? 'msrps' : 'msrp'}://${host}:${this.port}/${sessionId};tcp`
  }

  /** Active side (RFC 6135): connects to the first hop of a participant's `a=path`. */
  async connect(firstHop: string): Promise<MsrpConnection> {
    const uri = parseMsrpUri(firstHop)
    let connection: MsrpConnection
    if (this.#memory !== undefined) {
      const stream = this.#memory.connect(uri.host, effectivePort(uri))
      connection = new MsrpConnection(streamTransport(stream, 'memory'), { ...this.#options, role: 'active' })
    } else {
      connection = await connectMsrpUri(uri, { ...this.#options, role: 'active' })
    }
    this.#dialed.add(connection)
    connection.once('close', () => this.#dialed.delete(connection))
    return connection
  }

  /** Open connections (accepted and dialled) and the most output waiting for any one of them. */
  stats(): { connections: number; maxPendingWriteBytes: number; refused: number } {
    let max = 0
    let n = 0
    for (const set of [this.listener.connections, this.#dialed]) {
      for (const c of set) {
        n++
        if (c.pendingWriteBytes > max) max = c.pendingWriteBytes
      }
    }
    return { connections: n, maxPendingWriteBytes: max, refused: this.listener.refused }
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.#stopMemory?.()
    for (const c of this.#dialed) c.close()
    await this.listener.close()
  }
}
