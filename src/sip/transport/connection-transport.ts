import { EventEmitter } from 'eventemitter3'
import type { MsrpBotError } from '../../errors.ts'
import { ConnectionLimiter, type ConnectionLimits } from '../../connection-limiter.ts'
import { nextConnectionId, PING, PONG, remoteKey, type RawConnection } from './connection.ts'
import { TransportError } from './errors.ts'
import {
  realTimers,
  silentLogger,
  type ConnectionCloseReason,
  type KeepaliveOptions,
  type SendTarget,
  type SipTransport,
  type SipTransportEvents,
  type SipTransportProtocol,
  type TransportAddress,
  type TransportLogger,
} from './types.ts'

/**
 * Options every connection transport accepts. `maxConnections` and `maxConnectionsPerSource`
 * cap the connections accepted by the listener (outgoing ones are not counted): one beyond a
 * cap is closed at once and reported as 'connection-closed' with reason 'refused'.
 */
export interface ConnectionTransportOptions extends ConnectionLimits {
  /** Send RFC 5626 CRLF pings on connections this side opens; off by default. */
  readonly keepalive?: KeepaliveOptions | false
  /** How long opening a connection may take (default 10 s). */
  readonly connectTimeoutMs?: number
  /** Where dropped input and closes are reported. */
  readonly logger?: TransportLogger
}

interface Managed {
  readonly id: string
  readonly raw: RawConnection
  readonly outbound: boolean
  readonly keys: string[]
  /** Counted by the limiter (accepted connections). */
  readonly counted: boolean
  closed: boolean
  pingTimer: unknown
  pongTimer: unknown
}

const DEFAULT_PONG_TIMEOUT_MS = 10_000
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

/**
 * The shared half of every connection-oriented transport (TCP, TLS, WebSocket, memory).
 *
 * It keeps the connection table, reuses connections (RFC 3261 §18.1.1, §18.2.2: a response goes
 * back over the connection its request came on; RFC 5626: requests to a UA registered over a
 * connection go back over it), runs the RFC 5626 §3.5.1 keepalive and emits the events.
 * A concrete transport only opens connections and accepts them.
 */
export abstract class ConnectionTransport extends EventEmitter<SipTransportEvents> implements SipTransport {
  abstract readonly protocol: SipTransportProtocol
  readonly reliable = true
  protected readonly logger: TransportLogger
  readonly #keepalive: KeepaliveOptions | undefined
  protected readonly connectTimeoutMs: number
  readonly #connections = new Map<string, Managed>()
  readonly #byRemote = new Map<string, string>()
  readonly #pending = new Map<string, Promise<Managed>>()
  readonly #limiter: ConnectionLimiter
  #shutDown = false
  #refused = 0

  constructor(options: ConnectionTransportOptions = {}) {
    super()
    this.logger = options.logger ?? silentLogger
    this.#keepalive = options.keepalive || undefined
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    this.#limiter = new ConnectionLimiter(options)
  }

  /** Accepted connections closed at once because a cap was reached. */
  get refusedConnections(): number {
    return this.#refused
  }

  /**
   * Asks the caps whether an accepted connection from `source` may stay; false (the caller
   * closes it) when `maxConnections` or `maxConnectionsPerSource` is reached.
   */
  protected admitInbound(source: string | undefined): boolean {
    const refusal = this.#limiter.admit(source)
    if (refusal === undefined) return true
    this.#refused++
    this.logger.debug(`${this.protocol}: refused a connection from ${source ?? '?'}: ${refusal === 'total' ? `${this.#limiter.maxConnections} connections open` : `${this.#limiter.maxPerSource} connections from that address`}`)
    return false
  }

  /** Starts accepting connections. */
  abstract listen(): Promise<void>
  /** The bound address. */
  abstract localAddress(): TransportAddress
  /** Opens a connection to the target (no pooling: the base does that). */
  protected abstract openConnection(target: SendTarget): Promise<RawConnection>
  /** Stops accepting connections. */
  protected abstract closeListener(): Promise<void>

  /** Whether `close()` has been called. */
  protected get isShutDown(): boolean {
    return this.#shutDown
  }

  /** Ids of the open connections. */
  connectionIds(): string[] {
    return [...this.#connections.keys()]
  }

  /** The peer of an open connection, or undefined. */
  connectionRemote(connectionId: string): TransportAddress | undefined {
    return this.#connections.get(connectionId)?.raw.remote
  }

  /** Whether a connection is open. */
  hasConnection(connectionId: string): boolean {
    return this.#connections.has(connectionId)
  }

  /** Closes one connection ('connection-closed' with reason 'local'). */
  closeConnection(connectionId: string): void {
    const managed = this.#connections.get(connectionId)
    if (managed) this.#finish(managed, 'local')
  }

  async send(bytes: Buffer, target: SendTarget): Promise<void> {
    if (this.#shutDown) throw new TransportError('SIP_TRANSPORT_CLOSED', `the ${this.protocol} transport is closed; create a new one to send`)
    let managed = target.connectionId === undefined ? undefined : this.#connections.get(target.connectionId)
    if (!managed) {
      const id = this.#byRemote.get(remoteKey(target.host, target.port))
      managed = id === undefined ? undefined : this.#connections.get(id)
    }
    managed ??= await this.#connect(target)
    try {
      await managed.raw.write(bytes)
    } catch (cause) {
      throw new TransportError('SIP_TRANSPORT_SEND_FAILED', `could not write to ${this.protocol} connection ${managed.id} (${describe(managed.raw.remote)}): ${String(cause)}`, { cause })
    }
  }

  async close(): Promise<void> {
    this.#shutDown = true
    await Promise.allSettled(this.#pending.values())
    for (const managed of [...this.#connections.values()]) this.#finish(managed, 'local')
    await this.closeListener()
  }

  /** Registers an accepted or opened connection and starts delivering its messages. */
  protected adopt(raw: RawConnection, outbound: boolean, extraKeys: string[] = [], counted = false): Managed {
    const id = nextConnectionId(this.protocol)
    const keys = [remoteKey(raw.remote.address, raw.remote.port), ...extraKeys]
    const managed: Managed = { id, raw, outbound, keys, counted, closed: false, pingTimer: undefined, pongTimer: undefined }
    this.#connections.set(id, managed)
    // The newest connection to a peer wins the index; older ones stay usable by id.
    for (const key of keys) this.#byRemote.set(key, id)
    const meta = { protocol: this.protocol, remote: raw.remote, local: raw.local, connectionId: id }
    raw.attach({
      message: (bytes) => {
        if (!managed.closed) this.emit('message', bytes, meta)
      },
      ping: () => {
        if (managed.closed) return
        this.emit('keepalive', id, 'ping-received')
        // RFC 5626 §3.5.1: answer every ping with a pong.
        raw.write(PONG).catch(() => undefined)
      },
      pong: () => this.#pong(managed),
      closed: (reason, error) => this.#finish(managed, reason, error),
    })
    this.logger.debug(`${this.protocol} connection ${id} opened (${outbound ? 'to' : 'from'} ${describe(raw.remote)})`)
    this.emit('connection-opened', id, raw.remote, outbound)
    if (outbound && this.#keepalive) this.#schedulePing(managed)
    return managed
  }

  #connect(target: SendTarget): Promise<Managed> {
    const key = remoteKey(target.host, target.port)
    const pending = this.#pending.get(key)
    if (pending) return pending
    const attempt = (async () => {
      let raw: RawConnection
      try {
        raw = await this.openConnection(target)
      } catch (cause) {
        if (cause instanceof TransportError) throw cause
        throw new TransportError('SIP_TRANSPORT_CONNECT_FAILED', `could not open a ${this.protocol} connection to ${target.host}:${target.port}: ${String(cause)}`, { cause })
      }
      if (this.#shutDown) {
        raw.close()
        throw new TransportError('SIP_TRANSPORT_CLOSED', `the ${this.protocol} transport was closed while connecting to ${target.host}:${target.port}`)
      }
      return this.adopt(raw, true, [key])
    })()
    this.#pending.set(key, attempt)
    const forget = () => this.#pending.delete(key)
    attempt.then(forget, forget)
    return attempt
  }

  #schedulePing(managed: Managed): void {
    const keepalive = this.#keepalive!
    const timers = keepalive.timers ?? realTimers
    managed.pingTimer = timers.setTimeout(() => {
      managed.pingTimer = undefined
      if (managed.closed) return
      managed.raw.write(PING).catch(() => undefined)
      this.emit('keepalive', managed.id, 'ping-sent')
      managed.pongTimer = timers.setTimeout(() => {
        managed.pongTimer = undefined
        // RFC 5626 §4.4.1: no pong means the flow failed; the upper layer re-registers.
        this.#finish(managed, 'keepalive-timeout', new TransportError('SIP_KEEPALIVE_TIMEOUT', `no keepalive pong on ${this.protocol} connection ${managed.id} (${describe(managed.raw.remote)}) within ${keepalive.timeoutMs ?? DEFAULT_PONG_TIMEOUT_MS} ms; the connection was closed, register again`))
      }, keepalive.timeoutMs ?? DEFAULT_PONG_TIMEOUT_MS)
    }, keepalive.intervalMs)
  }

  #pong(managed: Managed): void {
    if (managed.closed) return
    this.emit('keepalive', managed.id, 'pong-received')
    if (managed.pongTimer === undefined) return // unsolicited pong: harmless (RFC 5626 §3.5.1)
    const timers = this.#keepalive?.timers ?? realTimers
    timers.clearTimeout(managed.pongTimer)
    managed.pongTimer = undefined
    this.#schedulePing(managed)
  }

  #finish(managed: Managed, reason: ConnectionCloseReason, error?: MsrpBotError): void {
    if (managed.closed) return
    managed.closed = true
    const timers = this.#keepalive?.timers ?? realTimers
    if (managed.pingTimer !== undefined) timers.clearTimeout(managed.pingTimer)
    if (managed.pongTimer !== undefined) timers.clearTimeout(managed.pongTimer)
    this.#connections.delete(managed.id)
    if (managed.counted) this.#limiter.release(managed.raw.remote.address)
    for (const key of managed.keys) if (this.#byRemote.get(key) === managed.id) this.#byRemote.delete(key)
    managed.raw.close()
    if (error) {
      this.logger.warn(`${this.protocol} connection ${managed.id} closed (${reason}): ${error.message}`)
      this.emit('error', error)
    } else {
      this.logger.debug(`${this.protocol} connection ${managed.id} closed (${reason})`)
    }
    this.emit('connection-closed', managed.id, reason, error)
  }
}

/** `host:port` for messages. */
export function describe(address: TransportAddress): string {
  return address.address.includes(':') ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`
}
