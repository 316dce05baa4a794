import { createServer, connect, type Server, type Socket } from 'node:net'
import type { SipFramerLimits } from '../framing.ts'
import type { RawConnection } from './connection.ts'
import { ConnectionTransport, type ConnectionTransportOptions } from './connection-transport.ts'
import { TransportError } from './errors.ts'
import { StreamConnection } from './stream-connection.ts'
import type { SendTarget, TransportAddress } from './types.ts'

/** Options of {@link TcpTransport}. */
export interface TcpTransportOptions extends ConnectionTransportOptions {
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string
  /** Port to listen on; 0 picks a free one (default 0). */
  readonly port?: number
  /** Framer limits for incoming messages (RFC 3261 §18.3). */
  readonly limits?: SipFramerLimits
  /** Close connections idle this long; 0 disables (default 10 min). */
  readonly idleTimeoutMs?: number
  /** Close incomplete messages after this long (default 10 s, see StreamConnectionOptions). */
  readonly messageTimeoutMs?: number
}

/**
 * SIP over TCP (RFC 3261 §18): a listener plus outgoing connections, pooled by peer.
 *
 * @example
 * const tcp = new TcpTransport({ port: 5060 })
 * await tcp.listen()
 * tcp.on('message', (bytes, meta) => ...)
 * await tcp.send(bytes, { host: '127.0.0.1', port: 5070 })
 */
export class TcpTransport extends ConnectionTransport {
  readonly protocol: 'tcp' | 'tls' = 'tcp'
  protected readonly options: TcpTransportOptions
  protected server: Server | undefined
  #bound: TransportAddress | undefined

  constructor(options: TcpTransportOptions = {}) {
    super(options)
    this.options = options
  }

  async listen(): Promise<void> {
    if (this.server) return
    const server = this.createServer((socket) => this.#accept(socket))
    server.on('error', (cause) => this.emit('error', new TransportError('SIP_TRANSPORT_SOCKET', `${this.protocol} listener error: ${cause.message}`, { cause })))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    const address = server.address()
    if (address && typeof address === 'object') this.#bound = { address: address.address, port: address.port }
  }

  localAddress(): TransportAddress {
    if (!this.#bound) throw new TransportError('SIP_TRANSPORT_NOT_LISTENING', `the ${this.protocol} transport is not listening; await listen() first`)
    return this.#bound
  }

  /** Creates the listening server; TLS overrides it. */
  protected createServer(onSocket: (socket: Socket) => void): Server {
    return createServer(onSocket)
  }

  /** Opens a connected socket; TLS overrides it. */
  protected async connectSocket(target: SendTarget): Promise<Socket> {
    const socket = connect({ host: target.host, port: target.port })
    return this.awaitConnected(socket, 'connect', `connecting to ${target.host}:${target.port} over ${this.protocol} timed out after ${this.connectTimeoutMs} ms`)
  }

  /**
   * Settles once a connecting socket emits `ready` (`connect`, or `secureConnect` for TLS):
   * rejects with `SIP_TRANSPORT_CONNECT_FAILED` (`timeoutMessage`) and destroys the socket after
   * the connect timeout, or with `mapError(error)` on a socket error.
   */
  protected awaitConnected(socket: Socket, ready: 'connect' | 'secureConnect', timeoutMessage: string, mapError: (error: Error) => Error = (error) => error): Promise<Socket> {
    return new Promise((resolve, reject) => {
      // A late second error before the connection is adopted must not become an uncaught exception.
      socket.on('error', () => undefined)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new TransportError('SIP_TRANSPORT_CONNECT_FAILED', timeoutMessage))
      }, this.connectTimeoutMs)
      socket.once(ready, () => {
        clearTimeout(timer)
        resolve(socket)
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(mapError(error))
      })
    })
  }

  protected async openConnection(target: SendTarget): Promise<RawConnection> {
    const socket = await this.connectSocket(target)
    return new StreamConnection(socket, 'client', this.options)
  }

  #accept(socket: Socket): void {
    if (this.isShutDown || !this.admitInbound(socket.remoteAddress)) {
      socket.destroy()
      return
    }
    this.adopt(new StreamConnection(socket, 'server', this.options), false, [], true)
  }

  /** Accepted sockets come here; TLS sends its secure sockets. */
  protected acceptSocket(socket: Socket): void {
    this.#accept(socket)
  }

  protected closeListener(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return Promise.resolve()
    return new Promise((resolve) => server.close(() => resolve()))
  }
}
