/**
 * The passive side of MSRP (RFC 6135 `a=setup:passive`, RFC 4975 §5.4): accepts connections
 * (TCP, TLS, WebSocket with the `msrp` subprotocol, or in-memory streams handed to
 * {@link MsrpListener.accept}) and binds each to the session named by the To-Path of the
 * first request that arrives on it. Several sessions may share one connection.
 */
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { debugLog } from '../debug-log.ts'
import { EventEmitter } from 'eventemitter3'
import { WebSocketServer } from 'ws'
import { MsrpBotError } from '../errors.ts'
import { systemClock } from '../clock.ts'
import { ConnectionLimiter, type ConnectionLimits } from '../connection-limiter.ts'
import type { MsrpConnectionOptions, MsrpRequestHandler, SessionResolver } from './connection.ts'
import { DEFAULT_HEADER_TIMEOUT_MS, MsrpConnection } from './connection.ts'
import { sniffTls } from './tls-sniff.ts'
import type { MsrpTransport, TransportAddress } from './transport.ts'
import { streamTransport, webSocketTransport } from './transport.ts'

const log = debugLog('msrp')

/** A session that waits for the peer to connect (implemented by {@link MsrpSession}). */
export interface PassiveSession extends MsrpRequestHandler {
  /** The local session id (the path segment of our MSRP URI). */
  readonly id: string
  /** The connection the session is bound to, if any. */
  readonly connection: MsrpConnection | undefined
  /** Binds the session to `connection` (called for the first request naming it). */
  bind(connection: MsrpConnection): void
}

/** Default time an accepted connection has to bind a session before it is closed. */
export const DEFAULT_UNBOUND_TIMEOUT_MS = 15_000

/** What every accepted connection gets, plus the listener's own caps and timeouts. */
export interface MsrpAcceptOptions extends Omit<MsrpConnectionOptions, 'role' | 'resolveSession'>, ConnectionLimits {
  /**
   * Close an accepted connection that has bound no session this long after it opened (default
   * 15 s; 0 disables): RFC 4975 §5.4 has the active side send a request at once, so a silent
   * or stray connection holds nothing for long.
   */
  unboundTimeoutMs?: number
}

/** Options of {@link MsrpListener.listen}. */
export interface MsrpListenOptions extends MsrpAcceptOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string
  /** Port to bind (default 0: any free port; read it from `address`). */
  port?: number
  /** Serve TLS (`msrps:`) with these options (key, cert…). */
  tls?: tls.TlsOptions
  /**
   * Serve plain MSRP and MSRP over TLS (`msrps:`) on the same port, told apart by the first
   * byte (see tls-sniff.ts), with this certificate and key. Ignored with `tls` or `webSocket`.
   */
  alsoTls?: tls.SecureContextOptions
  /** Serve MSRP over WebSocket (RFC 7977) instead of raw TCP. */
  webSocket?: boolean
}

/** Events of a listener. */
export interface MsrpListenerEvents {
  /** A connection was accepted. */
  connection: [connection: MsrpConnection]
  /** The server failed (e.g. while listening). */
  error: [error: Error]
}

/** Accepts MSRP connections and binds them to registered sessions. */
export class MsrpListener extends EventEmitter<MsrpListenerEvents> {
  readonly #sessions = new Map<string, PassiveSession>()
  readonly #connections = new Set<MsrpConnection>()
  readonly #options: Omit<MsrpConnectionOptions, 'role' | 'resolveSession'>
  readonly #limiter: ConnectionLimiter
  readonly #unboundTimeoutMs: number
  #server: net.Server | undefined
  #wss: WebSocketServer | undefined

  /** A listener without a server: feed it connections with {@link accept} (in-memory, custom). */
  constructor(options: MsrpAcceptOptions = {}) {
    super()
    const { maxConnections, maxConnectionsPerSource, unboundTimeoutMs, ...connectionOptions } = options
    this.#options = connectionOptions
    this.#limiter = new ConnectionLimiter({ ...(maxConnections === undefined ? {} : { maxConnections }), ...(maxConnectionsPerSource === undefined ? {} : { maxConnectionsPerSource }) })
    this.#unboundTimeoutMs = unboundTimeoutMs ?? DEFAULT_UNBOUND_TIMEOUT_MS
  }

  /**
   * Starts a TCP, TLS or WebSocket server for MSRP.
   *
   * @example
   * ```ts
   * const listener = await MsrpListener.listen({ host: '127.0.0.1', port: 0 })
   * const session = new MsrpSession({ localUri: `msrp://127.0.0.1:${listener.address!.port}/${generateSessionId()};tcp` })
   * listener.register(session) // bound when the active peer's first SEND arrives
   * ```
   */
  static async listen(options: MsrpListenOptions = {}): Promise<MsrpListener> {
    const { host = '127.0.0.1', port = 0, tls: tlsOptions, webSocket, alsoTls, ...connectionOptions } = options
    const listener = new MsrpListener(connectionOptions)
    let server: net.Server
    if (webSocket) {
      // Plain HTTP requests get 426; only upgrades with the "msrp" subprotocol are spoken here (RFC 7977 §4.1).
      const onRequest = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
        res.writeHead(426, { Upgrade: 'websocket' }).end('MSRP over WebSocket (RFC 7977): upgrade with subprotocol "msrp"\n')
      }
      const httpServer = tlsOptions ? https.createServer(tlsOptions, onRequest) : http.createServer(onRequest)
      const wss = new WebSocketServer({ server: httpServer, handleProtocols: (protocols) => (protocols.has('msrp') ? 'msrp' : false) })
      wss.on('connection', (ws) => listener.accept(webSocketTransport(ws, tlsOptions !== undefined)))
      listener.#wss = wss
      server = httpServer
    } else if (tlsOptions !== undefined) {
      server = tls.createServer(tlsOptions, (socket) => listener.accept(streamTransport(socket, 'tls')))
    } else if (alsoTls !== undefined) {
      const context = tls.createSecureContext(alsoTls)
      // Until the first byte (and a TLS handshake) arrived, the header timeout bounds the wait.
      const waitMs = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS
      server = net.createServer((socket) => {
        socket.setNoDelay(true)
        if (waitMs > 0) socket.setTimeout(waitMs, () => socket.destroy())
        sniffTls(
          socket,
          context,
          (plain) => {
            plain.setTimeout(0)
            listener.accept(plain)
          },
          (secure, raw) => {
            raw.setTimeout(0)
            listener.accept(streamTransport(secure, 'tls', raw))
          },
        )
      })
    } else {
      server = net.createServer((socket) => {
        socket.setNoDelay(true)
        listener.accept(socket)
      })
    }
    // Node's own cap counts sockets before any protocol (sniffing, TLS handshakes) ran.
    server.maxConnections = listener.#limiter.maxConnections
    listener.#server = server
    await new Promise<void>((resolve, reject) => {
      const fail = (error: NodeJS.ErrnoException): void => {
        const taken = error.code === 'EADDRINUSE'
        reject(
          new MsrpBotError(
            'MSRP_LISTEN_FAILED',
            taken
              ? `MSRP port ${host}:${port} is already in use; stop what holds it or choose another port (0 picks a free one)`
              : `cannot listen for MSRP on ${host}:${port}: ${error.message}`,
            { cause: error },
          ),
        )
      }
      server.once('error', fail)
      server.listen(port, host, () => {
        server.off('error', fail)
        resolve()
      })
    })
    // Only once listening: errors after that are the listener's to report (its 'error' event).
    server.on('error', (error) => listener.emit('error', error))
    return listener
  }

  /** Where the server listens, when it has one. */
  get address(): TransportAddress | undefined {
    const a = this.#server?.address()
    return a !== null && typeof a === 'object' ? { address: a.address, port: a.port } : undefined
  }

  /** Connections accepted and still open. */
  get connections(): ReadonlySet<MsrpConnection> {
    return this.#connections
  }

  /** Lets the first request naming `session.id` bind its connection to the session. */
  register(session: PassiveSession): void {
    this.#sessions.set(session.id, session)
  }

  /** Forgets a session (e.g. when it closes). */
  unregister(sessionId: string): void {
    this.#sessions.delete(sessionId)
  }

  // Shared by every accepted connection (no closures per connection: a server holds thousands).
  readonly #resolveSession: SessionResolver = (sessionId, conn) => {
    const session = this.#sessions.get(sessionId)
    if (session === undefined) return undefined
    if (session.connection === undefined) {
      session.bind(conn)
      return session
    }
    // RFC 4975 §10.10 (506): the session already uses another connection.
    return session.connection === conn ? session : 506
  }

  #refused = 0

  /** Connections refused so far because a cap was reached (see {@link MsrpAcceptOptions}). */
  get refused(): number {
    return this.#refused
  }

  /**
   * Takes over an accepted byte stream or transport as a passive MSRP connection. Returns
   * undefined, after closing the stream, when a connection cap is reached (`maxConnections`,
   * `maxConnectionsPerSource`).
   */
  accept(streamOrTransport: Duplex | MsrpTransport): MsrpConnection | undefined {
    const isTransport = 'start' in streamOrTransport && typeof streamOrTransport.start === 'function' && 'kind' in streamOrTransport
    const source = isTransport ? (streamOrTransport as MsrpTransport).remote?.address : (streamOrTransport as Duplex & { remoteAddress?: string }).remoteAddress
    const refusal = this.#limiter.admit(source)
    if (refusal !== undefined) {
      this.#refused++
      log('refused MSRP connection from %s: %s cap reached', source, refusal)
      if (isTransport) (streamOrTransport as MsrpTransport).close()
      else (streamOrTransport as Duplex).destroy()
      return undefined
    }
    const transport = isTransport
      ? (streamOrTransport as MsrpTransport)
      : streamTransport(streamOrTransport as Duplex, (streamOrTransport as Duplex & { peer?: unknown }).peer ? 'memory' : 'tcp')
    const connection = new MsrpConnection(transport, { ...this.#options, role: 'passive', resolveSession: this.#resolveSession })
    this.#connections.add(connection)
    const clock = this.#options.clock ?? systemClock
    const timer = this.#unboundTimeoutMs > 0
      ? clock.setTimeout(() => {
          if (connection.sessionCount === 0 && connection.state === 'open') {
            connection.abort(new MsrpBotError('MSRP_UNBOUND_TIMEOUT', `closed MSRP connection ${connection.describe()}: no session bound within ${this.#unboundTimeoutMs} ms (RFC 4975 §5.4)`))
          }
        }, this.#unboundTimeoutMs)
      : undefined
    connection.once('close', () => {
      this.#connections.delete(connection)
      this.#limiter.release(source)
      if (timer !== undefined) clock.clearTimeout(timer)
    })
    log('accepted MSRP connection %s', connection.describe())
    this.emit('connection', connection)
    return connection
  }

  /** Stops accepting and closes every accepted connection. */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.close()
    this.#wss?.close()
    const server = this.#server
    this.#server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
