/**
 * SIP over a standard WebSocket as a client (RFC 7118): what a browser UA runs on. It opens
 * WebSockets with the `sip` subprotocol (§4) through the WHATWG `WebSocket` (a browser's, or any
 * object with its surface, such as the `ws` package's client), listens on nothing, and imports
 * nothing from `node:`, so it bundles for a browser.
 *
 * @module
 */
import { ConnectionTransport, type ConnectionTransportOptions } from './connection-transport.ts'
import type { ConnectionSink, RawConnection } from './connection.ts'
import { TransportError } from './errors.ts'
import type { SendTarget, TransportAddress } from './types.ts'

/** The part of the WHATWG WebSocket this transport uses. */
export interface SipWebSocket {
  readonly protocol: string
  readonly readyState: number
  binaryType: string
  send(data: string | Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; message?: string }) => void): void
}

/** A WebSocket constructor: `globalThis.WebSocket` in a browser. */
export type SipWebSocketConstructor = new (url: string, protocols: string | string[]) => SipWebSocket

/** Options of a {@link WebSocketClientTransport}. */
export interface WebSocketClientTransportOptions extends ConnectionTransportOptions {
  /** `wss` (default) or `ws`. */
  readonly secure?: boolean
  /**
   * The WebSocket server to connect to for every destination, e.g. `wss://sip.example.com/ws`
   * (RFC 7118 §4: a browser reaches the SIP network through its WebSocket server). Without it,
   * `ws(s)://host:port/` of the destination.
   */
  readonly url?: string
  /** The constructor to use (default `globalThis.WebSocket`). */
  readonly WebSocket?: SipWebSocketConstructor
  /**
   * The host put in Via and Contact (RFC 7118 §5.2: a client with no address of its own uses a
   * random `.invalid` name); default a random name under `invalid`.
   */
  readonly viaHost?: string
}

/** WebSocket readyState for an open socket (WHATWG HTML §9.3). */
const OPEN = 1
const SIP_SUBPROTOCOL = 'sip'
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** A SIP client transport over WebSockets: connections only, no listener. */
export class WebSocketClientTransport extends ConnectionTransport {
  readonly protocol: 'ws' | 'wss'
  readonly #options: WebSocketClientTransportOptions
  readonly #local: TransportAddress

  constructor(options: WebSocketClientTransportOptions = {}) {
    super(options)
    this.#options = options
    this.protocol = options.secure === false ? 'ws' : 'wss'
    const label = Math.random().toString(36).slice(2, 10) || 'client'
    this.#local = { address: options.viaHost ?? `${label}.invalid`, port: 0 }
  }

  /** A client listens on nothing: requests to it come back over the connection it opened. */
  async listen(): Promise<void> {}

  localAddress(): TransportAddress {
    return this.#local
  }

  protected openConnection(target: SendTarget): Promise<RawConnection> {
    const Ctor = this.#options.WebSocket ?? (globalThis as { WebSocket?: SipWebSocketConstructor }).WebSocket
    if (Ctor === undefined) {
      return Promise.reject(new TransportError('SIP_TRANSPORT_CONNECT_FAILED', 'no WebSocket here: pass { WebSocket } (e.g. the ws package on Node 20)'))
    }
    const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host
    const url = this.#options.url ?? `${this.protocol}://${host}:${target.port}/`
    const ws = new Ctor(url, SIP_SUBPROTOCOL)
    ws.binaryType = 'arraybuffer'
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => {
        if (ws.protocol !== SIP_SUBPROTOCOL) {
          ws.close(1002)
          reject(new TransportError('SIP_WS_SUBPROTOCOL', `${url} did not accept the "sip" WebSocket subprotocol (RFC 7118 §4)`))
          return
        }
        resolve(new StandardWsConnection(ws, { address: target.host, port: target.port }, this.#local))
      })
      ws.addEventListener('error', (event) => {
        reject(new TransportError('SIP_TRANSPORT_CONNECT_FAILED', `could not open ${url}${event.message ? `: ${event.message}` : ''}`))
      })
    })
  }

  protected async closeListener(): Promise<void> {}
}

/** One standard WebSocket carrying SIP, one message per WebSocket message (RFC 7118 §5). */
class StandardWsConnection implements RawConnection {
  readonly remote: TransportAddress
  readonly local: TransportAddress
  readonly #ws: SipWebSocket

  constructor(ws: SipWebSocket, remote: TransportAddress, local: TransportAddress) {
    this.#ws = ws
    this.remote = remote
    this.local = local
  }

  attach(sink: ConnectionSink): void {
    this.#ws.addEventListener('message', (event) => {
      const data = event.data
      const bytes =
        typeof data === 'string' ? Buffer.from(data, 'utf8')
        : data instanceof ArrayBuffer ? Buffer.from(data)
        : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
        : undefined
      if (bytes === undefined) return
      // CRLFCRLF / CRLF alone are keepalive ping / pong (RFC 5626 §3.5.1 on the WebSocket flow).
      if (bytes.length === 4 && bytes.toString('latin1') === '\r\n\r\n') sink.ping()
      else if (bytes.length === 2 && bytes.toString('latin1') === '\r\n') sink.pong()
      else sink.message(bytes)
    })
    this.#ws.addEventListener('error', (event) => {
      sink.closed('error', new TransportError('SIP_TRANSPORT_SOCKET', `WebSocket error with ${this.remote.address}:${this.remote.port}${event.message ? `: ${event.message}` : ''}`))
    })
    this.#ws.addEventListener('close', () => sink.closed('remote'))
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.#ws.readyState !== OPEN) {
      throw new TransportError('SIP_TRANSPORT_CLOSED', `WebSocket with ${this.remote.address}:${this.remote.port} is closed`)
    }
    // RFC 7118 §5.1: a text frame must be UTF-8, so a message that is not goes in a binary frame.
    let text: string | undefined
    try {
      text = strictUtf8.decode(bytes)
    } catch {
      text = undefined
    }
    this.#ws.send(text ?? bytes)
  }

  close(): void {
    this.#ws.close(1000)
  }
}
