import type { Socket } from 'node:net'
import { SipStreamFramer, type SipFramerLimits } from '../framing.ts'
import type { ConnectionSink, RawConnection } from './connection.ts'
import { TransportError } from './errors.ts'
import type { TransportAddress } from './types.ts'

/** Limits and timeouts for a TCP/TLS connection. */
export interface StreamConnectionOptions {
  /** Framer limits (header block and body size), RFC 3261 §18.3. */
  readonly limits?: SipFramerLimits
  /** Close the connection after this long with no traffic either way; 0 disables (default 10 min). */
  readonly idleTimeoutMs?: number
}

const DEFAULT_IDLE_MS = 10 * 60 * 1000

/**
 * A TCP or TLS socket carrying SIP: cuts the byte stream into messages and keepalives with
 * {@link SipStreamFramer} and closes the socket on the first framing error (RFC 3261 §18.3:
 * a stream that lost its framing cannot be recovered).
 */
export class StreamConnection implements RawConnection {
  readonly remote: TransportAddress
  readonly local: TransportAddress
  readonly #socket: Socket
  readonly #framer: SipStreamFramer
  readonly #idleMs: number
  #sink: ConnectionSink | undefined

  /**
   * @param side `client` for a connection this end opened (it reads pongs), `server` for an
   *   accepted one (it reads pings), RFC 5626 §3.5.1.
   */
  constructor(socket: Socket, side: 'client' | 'server', options: StreamConnectionOptions = {}) {
    this.#socket = socket
    this.#framer = new SipStreamFramer({ ...options.limits, side })
    this.#idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }
    this.local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 }
    socket.setNoDelay(true)
  }

  attach(sink: ConnectionSink): void {
    this.#sink = sink
    const socket = this.#socket
    socket.on('data', (chunk: Buffer) => this.#data(chunk))
    socket.on('error', (cause) => {
      sink.closed('error', new TransportError('SIP_TRANSPORT_SOCKET', `socket error on connection with ${this.remote.address}:${this.remote.port}: ${cause.message}`, { cause }))
    })
    socket.on('close', () => sink.closed('remote'))
    socket.on('end', () => socket.end())
    if (this.#idleMs > 0) {
      socket.setTimeout(this.#idleMs, () => sink.closed('idle'))
    }
  }

  #data(chunk: Buffer): void {
    const sink = this.#sink!
    for (const frame of this.#framer.push(chunk)) {
      switch (frame.type) {
        case 'message':
          sink.message(frame.bytes)
          break
        case 'ping':
          sink.ping()
          break
        case 'pong':
          sink.pong()
          break
        case 'error':
          sink.closed('protocol-error', new TransportError('SIP_STREAM_FRAMING', `closed the connection with ${this.remote.address}:${this.remote.port}: ${frame.error.message}`, { cause: frame.error }))
          return
      }
    }
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#socket.destroyed || !this.#socket.writable) {
        reject(new TransportError('SIP_TRANSPORT_CLOSED', `connection with ${this.remote.address}:${this.remote.port} is closed`))
        return
      }
      this.#socket.write(bytes, (error) => (error ? reject(error) : resolve()))
    })
  }

  close(): void {
    // end() flushes what was written; destroy soon after so a silent peer cannot hold the socket.
    const socket = this.#socket
    if (socket.destroyed) return
    socket.end()
    const timer = setTimeout(() => socket.destroy(), 1000).unref()
    socket.once('close', () => clearTimeout(timer))
  }
}
