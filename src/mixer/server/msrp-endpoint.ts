/**
 * The server's MSRP side: a listener for participants that connect (RFC 6135 passive role) and
 * a dialer for participants that asked the focus to connect (offer `a=setup:passive`).
 *
 * @module
 */

import { MsrpConnection, type MsrpConnectionOptions } from '../../msrp/connection.ts'
import { connectMsrpUri } from '../../msrp/node-dial.ts'
import { MsrpListener } from '../../msrp/listener.ts'
import type { MemoryNetwork as MsrpMemoryNetwork } from '../../msrp/memory-stream.ts'
import { streamTransport } from '../../msrp/transport.ts'
import { parseMsrpUri } from '../../msrp/uri.ts'
import { effectivePort } from '../../msrp/uri.ts'
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

  private constructor(listener: MsrpListener, host: string, boundHost: string, port: number, options: Omit<MsrpConnectionOptions, 'role' | 'resolveSession'>, memory?: MsrpMemoryNetwork, stopMemory?: () => void) {
    this.listener = listener
    this.host = host
    this.boundHost = boundHost
    this.port = port
    this.#options = options
    this.#memory = memory
    this.#stopMemory = stopMemory
  }

  /** Starts listening for `mode`; `domain` is the memory-network host. */
  static async start(mode: ChatServerTransport, domain: string, memory: MsrpMemoryNetwork | undefined, options: Omit<MsrpConnectionOptions, 'role' | 'resolveSession'>): Promise<MsrpEndpoint> {
    if (mode.kind === 'memory') {
      const listener = new MsrpListener(options)
      const network = memory!
      const stop = network.listen(domain, MEMORY_MSRP_PORT, (stream) => listener.accept(stream))
      return new MsrpEndpoint(listener, domain, domain, MEMORY_MSRP_PORT, options, network, stop)
    }
    const host = mode.host ?? '127.0.0.1'
    const listener = await MsrpListener.listen({ ...options, host, port: mode.msrpPort ?? 0 })
    // RFC 4975 §6: the a=path URI is where the peer connects, so it names the advertised host.
    return new MsrpEndpoint(listener, mode.advertise ?? host, host, listener.address!.port, options)
  }

  /** The server's MSRP URI for one session (`msrp://host:port/<id>;tcp`). */
  uriFor(sessionId: string): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `msrp://${host}:${this.port}/${sessionId};tcp`
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

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.#stopMemory?.()
    for (const c of this.#dialed) c.close()
    await this.listener.close()
  }
}
