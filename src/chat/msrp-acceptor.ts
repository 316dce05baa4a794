/**
 * How the chat layer takes MSRP connections (RFC 6135 passive role), for the 1:1 sessions
 * people open to a bot: by default the offerer connects (RFC 4975 §8), so the bot answers
 * `a=setup:passive` and waits for the peer's binding SEND here. On Node the platform listens on
 * a TCP port (`node-platform.ts`); in process, on the memory network.
 *
 * @module
 */
import { MsrpConnection } from '../msrp/connection.ts'
import type { MsrpRequestHandler } from '../msrp/connection.ts'
import type { MemoryNetwork } from '../msrp/memory-stream.ts'
import { streamTransport } from '../msrp/transport.ts'

/** A session waiting for its peer to connect (an `MsrpSession` is one). */
export interface AcceptedSession extends MsrpRequestHandler {
  readonly id: string
  readonly connection: MsrpConnection | undefined
  bind(connection: MsrpConnection): void
}

/** Takes MSRP connections and binds each to the session its first request names. */
export interface MsrpAcceptor {
  /** The host put in our `a=path` URI. */
  readonly host: string
  /** The port peers connect to. */
  readonly port: number
  /** Lets the first request naming `session.id` bind its connection; returns the remover. */
  register(session: AcceptedSession): () => void
  /** Stops listening and closes the connections it accepted. */
  close(): Promise<void>
}

/** Opens an acceptor on `host` (the address the SIP transport uses). */
export type MsrpAcceptorFactory = (host: string) => Promise<MsrpAcceptor>

/** Most connections a memory acceptor holds at once (every 1:1 session uses one). */
const MEMORY_MAX_CONNECTIONS = 256

/**
 * An acceptor on an in-process MSRP network, at `host:2855` (RFC 4975 §15.1's port): what a
 * backend on the in-process chat server's network uses.
 */
export function memoryAcceptor(network: MemoryNetwork): MsrpAcceptorFactory {
  return async (host) => {
    const sessions = new Map<string, AcceptedSession>()
    const connections = new Set<MsrpConnection>()
    const port = 2855
    const stop = network.listen(host, port, (stream) => {
      if (connections.size >= MEMORY_MAX_CONNECTIONS) {
        stream.destroy()
        return
      }
      const connection = new MsrpConnection(streamTransport(stream, 'memory'), {
        role: 'passive',
        resolveSession: (id, conn) => {
          const session = sessions.get(id)
          if (session === undefined) return undefined
          if (session.connection === undefined) {
            session.bind(conn)
            return session
          }
          // RFC 4975 §10.10: the session already uses another connection.
          return session.connection === conn ? session : 506
        },
      })
      connections.add(connection)
      connection.once('close', () => connections.delete(connection))
    })
    return {
      host,
      port,
      register(session) {
        sessions.set(session.id, session)
        return () => sessions.delete(session.id)
      },
      async close() {
        stop()
        for (const connection of connections) connection.close()
        connections.clear()
        sessions.clear()
      },
    }
  }
}
