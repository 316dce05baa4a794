import { isIP, type Server, type Socket } from 'node:net'
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { TransportError } from './errors.ts'
import { TcpTransport, type TcpTransportOptions } from './tcp.ts'
import type { SendTarget } from './types.ts'

/** Certificate material for the TLS listener and client. */
export interface TlsTransportOptions extends TcpTransportOptions {
  /** PEM certificate chain the listener presents (required to listen). */
  readonly cert?: string | Buffer
  /** PEM private key of `cert`. */
  readonly key?: string | Buffer
  /** Trusted CA certificates for verifying peers (default: Node's bundled roots). */
  readonly ca?: string | Buffer | Array<string | Buffer>
  /** Verify the server certificate when connecting (default true; RFC 5630 wants it). */
  readonly rejectUnauthorized?: boolean
  /** SNI and certificate name to check when connecting; default: the target host unless it is an IP. */
  readonly servername?: string
  /** Ask connecting clients for a certificate (mutual TLS). */
  readonly requestCert?: boolean
}

/**
 * SIP over TLS (RFC 3261 §26.2, `sips:`/`transport=tls`): the TCP transport over node:tls.
 *
 * @example
 * const tls = new TlsTransport({ port: 5061, cert, key })
 * await tls.listen()
 */
export class TlsTransport extends TcpTransport {
  override readonly protocol: 'tcp' | 'tls' = 'tls'
  protected declare readonly options: TlsTransportOptions

  constructor(options: TlsTransportOptions = {}) {
    super(options)
  }

  override async listen(): Promise<void> {
    if (!this.options.cert || !this.options.key) {
      throw new TransportError('SIP_TRANSPORT_UNSUPPORTED', 'a TLS listener needs `cert` and `key` (PEM); pass them to new TlsTransport({ cert, key })')
    }
    return super.listen()
  }

  protected override createServer(onSocket: (socket: Socket) => void): Server {
    const server = createTlsServer({
      cert: this.options.cert,
      key: this.options.key,
      ca: this.options.ca,
      requestCert: this.options.requestCert ?? false,
      rejectUnauthorized: this.options.requestCert ? (this.options.rejectUnauthorized ?? true) : false,
    })
    server.on('secureConnection', (socket: TLSSocket) => onSocket(socket))
    // A failed handshake is a bad peer, not a crash.
    server.on('tlsClientError', (cause, socket) => {
      socket.destroy()
      this.emit('error', new TransportError('SIP_TRANSPORT_SOCKET', `TLS handshake with a client failed: ${cause.message}`, { cause }))
    })
    return server
  }

  protected override async connectSocket(target: SendTarget): Promise<Socket> {
    const servername = this.options.servername ?? (isIP(target.host) ? undefined : target.host)
    const socket = tlsConnect({
      host: target.host,
      port: target.port,
      ca: this.options.ca,
      rejectUnauthorized: this.options.rejectUnauthorized ?? true,
      ...(servername ? { servername } : {}),
    })
    const where = `TLS connection to ${target.host}:${target.port}`
    return this.awaitConnected(socket, 'secureConnect', `${where} timed out after ${this.connectTimeoutMs} ms`, (error) =>
      new TransportError('SIP_TRANSPORT_CONNECT_FAILED', `${where} failed: ${error.message}`, { cause: error }))
  }
}
