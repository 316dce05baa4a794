/**
 * The chat server's web port: one HTTP server that serves the browser chat page and takes
 * WebSocket upgrades for SIP (RFC 7118, subprotocol `sip`) and MSRP (RFC 7977, subprotocol
 * `msrp`). The MSRP connections join the same {@link MsrpListener} as the TCP ones, so the
 * same connection caps, read budget and unbound timeout apply.
 *
 * Browsers only: an upgrade whose `Origin` is another site is refused (403), so a page elsewhere
 * cannot use a visitor's browser to join rooms here; clients that send no `Origin` (programs,
 * not pages) are let in as over TCP.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { listenError } from '../sip/transport/listen-error.ts'
import type { BasicLogger } from '../logger.ts'

/** Largest MSRP frame taken in one WebSocket message (RFC 7977 §5: one MSRP message per WebSocket message). */
export const MSRP_WS_MAX_MESSAGE_BYTES = 1024 * 1024 + 64 * 1024

/** What answers plain HTTP requests (the page and its files, see web-assets.ts). */
export type WebRequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/** Options of {@link WebListener.listen}. */
export interface WebListenerOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** Most sockets open at once (HTTP, upgrading and upgraded). */
  readonly maxConnections: number
  /** A request's headers must be complete this long after the connection opened. */
  readonly headerTimeoutMs: number
  readonly log: BasicLogger
}

/** The HTTP + WebSocket server of the web port. */
export class WebListener {
  readonly #http: Server
  readonly #msrp: WebSocketServer
  readonly #log: BasicLogger
  /** Where `sip` upgrades go (the SIP WebSocket transport). */
  sipUpgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined
  /** Where accepted `msrp` WebSockets go (the MSRP listener). */
  msrpConnection: ((ws: WebSocket) => void) | undefined
  /** Answers plain HTTP requests; without one every request gets 404. */
  requests: WebRequestHandler | undefined

  private constructor(http: Server, log: BasicLogger) {
    this.#http = http
    this.#log = log
    this.#msrp = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: MSRP_WS_MAX_MESSAGE_BYTES,
      handleProtocols: (protocols) => (protocols.has('msrp') ? 'msrp' : false),
    })
    http.on('request', (request, response) => {
      if (this.requests === undefined) response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n')
      else this.requests(request, response)
    })
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head))
  }

  /**
   * Listens on `host:port`.
   *
   * @throws TransportError `SIP_TRANSPORT_LISTEN_FAILED` naming the port (in use, not an address here...).
   */
  static async listen(options: WebListenerOptions): Promise<WebListener> {
    // A request trickled in slowly is cut at the header timeout; Node checks that every
    // `connectionsCheckingInterval`, so it is checked often enough for the timeout to hold.
    const http = createServer({
      headersTimeout: options.headerTimeoutMs,
      requestTimeout: options.headerTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(options.headerTimeoutMs / 2))),
    })
    http.maxConnections = options.maxConnections
    await new Promise<void>((resolve, reject) => {
      // Named as the SIP WS listener it also is (listen-failure.ts maps it to the port flag).
      const fail = (cause: NodeJS.ErrnoException): void => reject(listenError({ protocol: 'ws', host: options.host, port: options.port }, cause))
      http.once('error', fail)
      http.listen(options.port, options.host, () => {
        http.off('error', fail)
        resolve()
      })
    })
    http.on('error', (error) => options.log.warn(`web listener: ${error.message}`))
    return new WebListener(http, options.log)
  }

  /** The bound address. */
  get address(): { readonly host: string; readonly port: number } {
    const a = this.#http.address()
    if (a === null || typeof a !== 'object') throw new Error('the web listener is closed')
    return { host: a.address, port: a.port }
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    if (!sameOrigin(request)) {
      this.#log.debug(`web: refused a WebSocket from ${request.socket.remoteAddress}: Origin ${request.headers.origin} is not this server (${request.headers.host})`)
      refuse(socket, 403, 'Forbidden', 'WebSocket from another origin refused\n')
      return
    }
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim().toLowerCase())
    if (offered.includes('msrp') && this.msrpConnection !== undefined) {
      const accept = this.msrpConnection
      this.#msrp.handleUpgrade(request, socket, head, (ws) => accept(ws))
    } else if (offered.includes('sip') && this.sipUpgrade !== undefined) {
      this.sipUpgrade(request, socket, head)
    } else {
      refuse(socket, 400, 'Bad Request', 'offer the WebSocket subprotocol "sip" (RFC 7118) or "msrp" (RFC 7977)\n')
    }
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    this.#msrp.close()
    return new Promise((resolve) => {
      this.#http.close(() => resolve())
      this.#http.closeAllConnections()
    })
  }
}

/** True when the request carries no Origin (not a page) or one naming the host it was sent to. */
export function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return true
  try {
    return new URL(origin).host.toLowerCase() === (request.headers.host ?? '').toLowerCase()
  } catch {
    return false
  }
}

function refuse(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
}
