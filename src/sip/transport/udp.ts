import { createSocket, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { EventEmitter } from 'eventemitter3'
import { TransportError } from './errors.ts'
import { listenError } from './listen-error.ts'
import { silentLogger, type SendTarget, type SipTransport, type SipTransportEvents, type TransportAddress, type TransportLogger } from './types.ts'

/** Options of {@link UdpTransport}. */
export interface UdpTransportOptions {
  /** Address to bind (default 127.0.0.1; an IPv6 address binds a udp6 socket). */
  readonly host?: string
  /** Port to bind; 0 picks a free one (default 0). */
  readonly port?: number
  /**
   * Largest datagram accepted or sent, in octets (default 65507, the IPv4 UDP maximum).
   * RFC 3261 §18.1.1 wants requests near the path MTU moved to TCP; that choice is the caller's.
   */
  readonly maxDatagramBytes?: number
  /** Where dropped datagrams are reported. */
  readonly logger?: TransportLogger
}

const DEFAULT_MAX_DATAGRAM = 65_507

/**
 * SIP over UDP (RFC 3261 §18): one message per datagram, unreliable, no connections.
 *
 * @example
 * const udp = new UdpTransport({ port: 5060 })
 * await udp.listen()
 * udp.on('message', (bytes, meta) => ...)
 */
export class UdpTransport extends EventEmitter<SipTransportEvents> implements SipTransport {
  readonly protocol = 'udp' as const
  readonly reliable = false
  readonly #options: UdpTransportOptions
  readonly #max: number
  readonly #logger: TransportLogger
  #socket: Socket | undefined
  #bound: TransportAddress | undefined
  #closed = false

  constructor(options: UdpTransportOptions = {}) {
    super()
    this.#options = options
    this.#max = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM
    this.#logger = options.logger ?? silentLogger
  }

  async listen(): Promise<void> {
    if (this.#socket) return
    if (this.#closed) throw new TransportError('SIP_TRANSPORT_CLOSED', 'this UDP transport was closed; create a new one')
    const host = this.#options.host ?? '127.0.0.1'
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' })
    await new Promise<void>((resolve, reject) => {
      const fail = (cause: NodeJS.ErrnoException): void => reject(listenError({ protocol: 'udp', host, port: this.#options.port ?? 0 }, cause))
      socket.once('error', fail)
      socket.bind(this.#options.port ?? 0, host, () => {
        socket.off('error', fail)
        resolve()
      })
    })
    socket.on('error', (cause) => this.emit('error', new TransportError('SIP_TRANSPORT_SOCKET', `UDP socket error: ${cause.message}`, { cause })))
    socket.on('message', (bytes, rinfo) => this.#receive(bytes, { address: rinfo.address, port: rinfo.port }))
    const address = socket.address()
    this.#bound = { address: address.address, port: address.port }
    this.#socket = socket
  }

  #receive(bytes: Buffer, remote: TransportAddress): void {
    if (bytes.length > this.#max) {
      const error = new TransportError('SIP_DATAGRAM_TOO_LARGE', `dropped a ${bytes.length}-octet datagram from ${remote.address}:${remote.port}: the limit is ${this.#max} (maxDatagramBytes)`)
      this.#logger.warn(error.message)
      this.emit('error', error)
      return
    }
    // Keepalives that some UAs send over UDP (CRLF runs, RFC 5626 §3.5.1 style) carry no message.
    if (isOnlyCrlf(bytes)) return
    this.emit('message', bytes, { protocol: 'udp', remote, local: this.#bound!, connectionId: undefined })
  }

  send(bytes: Buffer, target: SendTarget): Promise<void> {
    const socket = this.#socket
    if (!socket) {
      return Promise.reject(new TransportError(this.#closed ? 'SIP_TRANSPORT_CLOSED' : 'SIP_TRANSPORT_NOT_LISTENING', 'the UDP transport is not bound; await listen() before send()'))
    }
    if (bytes.length > this.#max) {
      return Promise.reject(new TransportError('SIP_DATAGRAM_TOO_LARGE', `a ${bytes.length}-octet message does not fit a UDP datagram (limit ${this.#max}); send it over TCP (RFC 3261 §18.1.1)`))
    }
    const host = target.host.startsWith('[') ? target.host.slice(1, -1) : target.host
    return new Promise((resolve, reject) => {
      socket.send(bytes, target.port, host, (cause) => {
        if (cause) reject(new TransportError('SIP_TRANSPORT_SEND_FAILED', `UDP send to ${target.host}:${target.port} failed: ${cause.message}`, { cause }))
        else resolve()
      })
    })
  }

  localAddress(): TransportAddress {
    if (!this.#bound) throw new TransportError('SIP_TRANSPORT_NOT_LISTENING', 'the UDP transport is not bound; await listen() first')
    return this.#bound
  }

  close(): Promise<void> {
    this.#closed = true
    const socket = this.#socket
    this.#socket = undefined
    if (!socket) return Promise.resolve()
    return new Promise((resolve) => socket.close(() => resolve()))
  }
}

function isOnlyCrlf(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x0d && byte !== 0x0a) return false
  return true
}
