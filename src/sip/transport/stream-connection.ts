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
  /**
   * Close the connection when a message stays incomplete this long after its first bytes came
   * (default 10 s; 0 disables): the idle timeout restarts on every byte, so without this a
   * peer sending one byte every few seconds would hold a partial header forever.
   */
  readonly messageTimeoutMs?: number
}

const DEFAULT_IDLE_MS = 10 * 60 * 1000
/** Default of {@link StreamConnectionOptions.messageTimeoutMs}. */
export const DEFAULT_MESSAGE_TIMEOUT_MS = 10_000

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
  readonly #messageTimeoutMs: number
  /** Frames completed so far: the message timer tells a stuck message from a later one. */
  #frames = 0
  #messageTimer: NodeJS.Timeout | undefined
  #sink: ConnectionSink | undefined

  /**
   * @param side `client` for a connection this end opened (it reads pongs), `server` for an
   *   accepted one (it reads pings), RFC 5626 §3.5.1.
   */
  constructor(socket: Socket, side: 'client' | 'server', options: StreamConnectionOptions = {}) {
    this.#socket = socket
    this.#framer = new SipStreamFramer({ ...options.limits, side })
    this.#idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS
    this.#messageTimeoutMs = options.messageTimeoutMs ?? DEFAULT_MESSAGE_TIMEOUT_MS
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
    socket.on('close', () => {
      if (this.#messageTimer !== undefined) clearTimeout(this.#messageTimer)
      sink.closed('remote')
    })
    socket.on('end', () => socket.end())
    if (this.#idleMs > 0) {
      socket.setTimeout(this.#idleMs, () => sink.closed('idle'))
    }
  }

  #data(chunk: Buffer): void {
    const sink = this.#sink!
    const frames = this.#framer.push(chunk)
    this.#frames += frames.length
    if (this.#messageTimer === undefined && this.#messageTimeoutMs > 0 && this.#framer.buffered > 0) this.#armMessageTimer()
    for (const frame of frames) {
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

  /** Closes the connection if the message in progress is still incomplete after the message timeout. */
  #armMessageTimer(): void {
    const frames = this.#frames
    this.#messageTimer = setTimeout(() => {
      this.#messageTimer = undefined
      if (this.#socket.destroyed || this.#framer.buffered === 0) return
      if (this.#frames !== frames) {
        this.#armMessageTimer() // a later message: it gets its own full period
        return
      }
      this.#sink?.closed('message-timeout', new TransportError('SIP_MESSAGE_TIMEOUT', `closed the connection with ${this.remote.address}:${this.remote.port}: a message was still incomplete after ${this.#messageTimeoutMs} ms`))
    }, this.#messageTimeoutMs)
    this.#messageTimer.unref()
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
