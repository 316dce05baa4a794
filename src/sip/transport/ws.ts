import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import type { RawConnection } from './connection.ts'
import { ConnectionTransport, type ConnectionTransportOptions } from './connection-transport.ts'
import { TransportError } from './errors.ts'
import { listenError } from './listen-error.ts'
import type { SendTarget, TransportAddress } from './types.ts'
import { WsConnection } from './ws-connection.ts'

/** RFC 7118 §4: the WebSocket subprotocol for SIP. */
export const SIP_WS_SUBPROTOCOL = 'sip'

/** Options of {@link WsTransport}. */
export interface WsTransportOptions extends ConnectionTransportOptions {
  /** `wss` runs the listener over TLS and connects with `wss://` (default false). */
  readonly secure?: boolean
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string
  /** Port to listen on; 0 picks a free one (default 0). */
  readonly port?: number
  /** URL path for both listening and connecting (default `/`). */
  readonly path?: string
  /** Largest SIP message accepted in one WebSocket message (default 1 MiB + 64 KiB). */
  readonly maxMessageBytes?: number
  /** Close a connection after this long with no message either way; 0 disables (default 10 min). */
  readonly idleTimeoutMs?: number
  /** TLS listener certificate (wss). */
  readonly cert?: string | Buffer
  /** TLS listener key (wss). */
  readonly key?: string | Buffer
  /** CA certificates trusted when connecting with wss. */
  readonly ca?: string | Buffer | Array<string | Buffer>
  /** Verify the server certificate with wss (default true). */
  readonly rejectUnauthorized?: boolean
  /** SNI name for wss; default the target host unless it is an IP. */
  readonly servername?: string
  /**
   * Listen on no port of its own: an HTTP server someone else runs, at this address, hands its
   * `sip` upgrades to {@link WsTransport.handleUpgrade} (the chat server's web listener).
   */
  readonly external?: TransportAddress
}

const DEFAULT_MAX_MESSAGE = 1024 * 1024 + 64 * 1024

/**
 * SIP over WebSocket (RFC 7118), server and client, `ws` or `wss`.
 *
 * The subprotocol `sip` is required both ways: a client that does not offer it is closed with
 * 1002, and a server that does not accept it fails the connect (RFC 7118 §4).
 */
export class WsTransport extends ConnectionTransport {
  readonly protocol: 'ws' | 'wss'
  readonly #options: WsTransportOptions
  #http: Server | undefined
  #wss: WebSocketServer | undefined
  #bound: TransportAddress | undefined

  constructor(options: WsTransportOptions = {}) {
    super(options)
    this.#options = options
    this.protocol = options.secure ? 'wss' : 'ws'
  }

  async listen(): Promise<void> {
    if (this.#http || this.#wss) return
    const options = this.#options
    if (options.external !== undefined) {
      this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE, clientTracking: false, handleProtocols: (protocols) => (protocols.has(SIP_WS_SUBPROTOCOL) ? SIP_WS_SUBPROTOCOL : false) })
      this.#bound = options.external
      return
    }
    if (options.secure && (!options.cert || !options.key)) {
      throw new TransportError('SIP_TRANSPORT_UNSUPPORTED', 'a wss listener needs `cert` and `key` (PEM); pass them to new WsTransport({ secure: true, cert, key })')
    }
    const http = options.secure ? createHttpsServer({ cert: options.cert, key: options.key }) : createHttpServer()
    http.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('SIP over WebSocket only (RFC 7118)\n')
    })
    const wss = new WebSocketServer({
      server: http,
      path: options.path ?? '/',
      maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SIP_WS_SUBPROTOCOL) ? SIP_WS_SUBPROTOCOL : false),
    })
    wss.on('connection', (ws, request) => this.#accept(ws, request))
    wss.on('error', (cause) => this.emit('error', new TransportError('SIP_TRANSPORT_SOCKET', `${this.protocol} listener error: ${cause.message}`, { cause })))
    await new Promise<void>((resolve, reject) => {
      const fail = (cause: NodeJS.ErrnoException): void =>
        reject(listenError({ protocol: this.protocol, host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, cause))
      http.once('error', fail)
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', fail)
        resolve()
      })
    })
    http.on('error', (cause) => this.emit('error', new TransportError('SIP_TRANSPORT_SOCKET', `${this.protocol} listener error: ${cause.message}`, { cause })))
    const address = http.address()
    if (address && typeof address === 'object') this.#bound = { address: address.address, port: address.port }
    this.#http = http
    this.#wss = wss
  }

  /** Takes over an HTTP upgrade to the `sip` subprotocol (with `external`; after `listen()`). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const wss = this.#wss
    if (wss === undefined || this.isShutDown) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request))
  }

  localAddress(): TransportAddress {
    if (!this.#bound) throw new TransportError('SIP_TRANSPORT_NOT_LISTENING', `the ${this.protocol} transport is not listening; await listen() first`)
    return this.#bound
  }

  #accept(ws: WebSocket, request: IncomingMessage): void {
    const socket = request.socket
    if (this.isShutDown) {
      ws.terminate()
      return
    }
    if (ws.protocol !== SIP_WS_SUBPROTOCOL) {
      ws.close(1002, 'SIP WebSocket subprotocol required')
      this.emit('error', new TransportError('SIP_WS_SUBPROTOCOL', `rejected a WebSocket from ${socket.remoteAddress}:${socket.remotePort} that did not offer the "sip" subprotocol (RFC 7118 §4)`))
      return
    }
    if (!this.admitInbound(socket.remoteAddress)) {
      ws.terminate()
      return
    }
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }
    const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 }
    this.adopt(new WsConnection(ws, remote, local, this.#options.idleTimeoutMs), false, [], true)
  }

  protected openConnection(target: SendTarget): Promise<RawConnection> {
    const options = this.#options
    const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host
    const url = `${this.protocol}://${host}:${target.port}${options.path ?? '/'}`
    const servername = options.servername ?? (isIP(target.host) ? undefined : target.host)
    const ws = new WebSocket(url, SIP_WS_SUBPROTOCOL, {
      maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE,
      handshakeTimeout: this.connectTimeoutMs,
      ...(options.secure ? { ca: options.ca, rejectUnauthorized: options.rejectUnauthorized ?? true, ...(servername ? { servername } : {}) } : {}),
    })
    return new Promise((resolve, reject) => {
      let remote: TransportAddress = { address: target.host, port: target.port }
      let local: TransportAddress = { address: '', port: 0 }
      ws.once('upgrade', (response) => {
        const socket = response.socket
        remote = { address: socket.remoteAddress ?? target.host, port: socket.remotePort ?? target.port }
        local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 }
      })
      ws.once('open', () => {
        if (ws.protocol !== SIP_WS_SUBPROTOCOL) {
          ws.terminate()
          reject(new TransportError('SIP_WS_SUBPROTOCOL', `${url} did not accept the "sip" WebSocket subprotocol (RFC 7118 §4)`))
          return
        }
        resolve(new WsConnection(ws, remote, local))
      })
      ws.once('error', (cause) => {
        reject(new TransportError('SIP_TRANSPORT_CONNECT_FAILED', `could not open ${url}: ${cause.message}`, { cause }))
      })
    })
  }

  protected closeListener(): Promise<void> {
    const http = this.#http
    const wss = this.#wss
    this.#http = undefined
    this.#wss = undefined
    wss?.close()
    if (!http) return Promise.resolve()
    return new Promise((resolve) => {
      http.close(() => resolve())
      http.closeAllConnections()
    })
  }
}
