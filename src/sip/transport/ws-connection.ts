import { isUtf8 } from 'node:buffer'
import type { WebSocket, RawData } from 'ws'
import type { ConnectionSink, RawConnection } from './connection.ts'
import { TransportError } from './errors.ts'
import type { TransportAddress } from './types.ts'

/**
 * A WebSocket carrying SIP (RFC 7118 §5): one SIP message per WebSocket message, text or binary.
 *
 * A message that is only CRLFCRLF or CRLF is a keepalive ping or pong, as SIP.js and other
 * browser stacks send them (RFC 5626 §3.5.1 applied to the WebSocket flow).
 */
export class WsConnection implements RawConnection {
  readonly remote: TransportAddress
  readonly local: TransportAddress
  readonly #ws: WebSocket
  readonly #idleMs: number

  /** `idleTimeoutMs`: close after this long with no message either way (default 10 min; 0 disables). */
  constructor(ws: WebSocket, remote: TransportAddress, local: TransportAddress, idleTimeoutMs = 10 * 60 * 1000) {
    this.#ws = ws
    this.remote = remote
    this.local = local
    this.#idleMs = idleTimeoutMs
  }

  attach(sink: ConnectionSink): void {
    const ws = this.#ws
    // The underlying socket's inactivity timer: any byte in or out restarts it. A WebSocket
    // message is only delivered whole, so a partial one counts as traffic but never as a message;
    // ws bounds its size (maxPayload).
    const socket = (ws as unknown as { _socket?: { setTimeout?: (ms: number, cb: () => void) => void } })._socket
    if (this.#idleMs > 0) socket?.setTimeout?.(this.#idleMs, () => sink.closed('idle'))
    ws.on('message', (data: RawData) => {
      const bytes = toBuffer(data)
      if (bytes.length === 4 && bytes.toString('latin1') === '\r\n\r\n') sink.ping()
      else if (bytes.length === 2 && bytes.toString('latin1') === '\r\n') sink.pong()
      else sink.message(bytes)
    })
    ws.on('error', (cause: Error & { code?: string }) => {
      if (cause.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        sink.closed('protocol-error', new TransportError('SIP_MESSAGE_TOO_LARGE', `closed the WebSocket with ${this.remote.address}:${this.remote.port}: a message exceeded maxMessageBytes`, { cause }))
      } else {
        sink.closed('error', new TransportError('SIP_TRANSPORT_SOCKET', `WebSocket error with ${this.remote.address}:${this.remote.port}: ${cause.message}`, { cause }))
      }
    })
    ws.on('close', () => sink.closed('remote'))
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#ws.readyState !== this.#ws.OPEN) {
        reject(new TransportError('SIP_TRANSPORT_CLOSED', `WebSocket with ${this.remote.address}:${this.remote.port} is closed`))
        return
      }
      // RFC 7118 §5.1: text frames must be UTF-8, so a body that is not goes in a binary frame.
      this.#ws.send(bytes, { binary: !isUtf8(bytes) }, (error) => (error ? reject(error) : resolve()))
    })
  }

  close(): void {
    const ws = this.#ws
    if (ws.readyState === ws.CLOSED) return
    ws.close(1000)
    const timer = setTimeout(() => ws.terminate(), 1000).unref()
    ws.once('close', () => clearTimeout(timer))
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}
