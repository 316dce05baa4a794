import { nextTurn } from '../../clock.ts'
import type { ConnectionSink, RawConnection } from './connection.ts'
import { remoteKey } from './connection.ts'
import { ConnectionTransport, type ConnectionTransportOptions } from './connection-transport.ts'
import { TransportError } from './errors.ts'
import type { SendTarget, TransportAddress } from './types.ts'

/** Decides whether the network loses one message (fault injection). */
export type MemoryDropFilter = (bytes: Buffer, from: TransportAddress, to: TransportAddress) => boolean

/** Options of a transport on a {@link MemoryNetwork}. */
export interface MemoryTransportOptions extends ConnectionTransportOptions {
  /** Host name of this endpoint (default `mem-<n>.invalid`); any string, it is never resolved. */
  readonly host?: string
  /** Port (default 5060). */
  readonly port?: number
}

/**
 * An in-process network: endpoints connect by host and port, bytes arrive asynchronously and in
 * order, and a test can drop messages, close connections or partition hosts.
 */
export interface MemoryNetwork {
  /** Creates an endpoint on this network; call `listen()` to make it reachable. */
  createTransport(options?: MemoryTransportOptions): MemoryTransport
  /** Cuts traffic between two hosts both ways until {@link heal}: messages in flight are lost, connects fail. */
  partition(hostA: string, hostB: string): void
  /** Ends every partition. */
  heal(): void
  /** Loses every message the filter returns true for (undefined removes it). */
  setDropFilter(filter: MemoryDropFilter | undefined): void
  /** Closes a connection by id at both ends ('connection-closed' with reason 'fault'); false if unknown. */
  closeConnection(connectionId: string): boolean
  /** Messages delivered so far. */
  readonly delivered: number
  /** Messages lost to partitions or the drop filter so far. */
  readonly dropped: number
}

/** Creates an empty {@link MemoryNetwork}. */
export function createMemoryNetwork(): MemoryNetwork {
  return new Network()
}

class Network implements MemoryNetwork {
  readonly listeners = new Map<string, MemoryTransport>()
  readonly transports = new Set<MemoryTransport>()
  readonly #partitions = new Set<string>()
  #filter: MemoryDropFilter | undefined
  #hostCounter = 0
  #portCounter = 49152
  delivered = 0
  dropped = 0

  createTransport(options: MemoryTransportOptions = {}): MemoryTransport {
    this.#hostCounter += 1
    const transport = new MemoryTransport(this, { ...options, host: options.host ?? `mem-${this.#hostCounter}.invalid` })
    this.transports.add(transport)
    return transport
  }

  partition(hostA: string, hostB: string): void {
    this.#partitions.add(pairKey(hostA, hostB))
  }

  heal(): void {
    this.#partitions.clear()
  }

  setDropFilter(filter: MemoryDropFilter | undefined): void {
    this.#filter = filter
  }

  closeConnection(connectionId: string): boolean {
    for (const transport of this.transports) if (transport.fail(connectionId)) return true
    return false
  }

  isCut(a: string, b: string): boolean {
    return this.#partitions.has(pairKey(a, b))
  }

  ephemeralPort(): number {
    this.#portCounter = this.#portCounter >= 65535 ? 49152 : this.#portCounter + 1
    return this.#portCounter
  }

  /**
   * Delivers later, in order, unless a partition or the filter loses it (then it is lost
   * silently, as on a real network). When the other end has closed by then, `reset` runs: the
   * writer's end closes as on a TCP reset.
   */
  carry(bytes: Buffer, from: TransportAddress, to: TransportAddress, deliver: (bytes: Buffer) => boolean, reset: () => void): void {
    const copy = Buffer.from(bytes)
    nextTurn(() => {
      if (this.isCut(from.address, to.address) || this.#filter?.(copy, from, to)) {
        this.dropped += 1
        return
      }
      if (!deliver(copy)) {
        this.dropped += 1
        reset()
        return
      }
      this.delivered += 1
    })
  }
}

/** What a write to a connection whose far end has closed fails with (like ECONNRESET on TCP). */
function resetError(to: TransportAddress): TransportError {
  return new TransportError('SIP_TRANSPORT_CLOSED', `memory connection to ${to.address}:${to.port} was reset: the peer closed it`)
}

function pairKey(a: string, b: string): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort()
  return `${x}\u0000${y}`
}

/** One end of an in-memory connection. */
class MemoryEnd implements RawConnection {
  readonly remote: TransportAddress
  readonly local: TransportAddress
  peer: MemoryEnd | undefined
  #sink: ConnectionSink | undefined
  #early: Array<(sink: ConnectionSink) => void> = []
  #open = true
  #ended = false
  readonly #network: Network

  constructor(network: Network, local: TransportAddress, remote: TransportAddress) {
    this.#network = network
    this.local = local
    this.remote = remote
  }

  attach(sink: ConnectionSink): void {
    this.#sink = sink
    for (const event of this.#early) event(sink)
    this.#early = []
  }

  #toSink(event: (sink: ConnectionSink) => void): void {
    if (this.#sink) event(this.#sink)
    else this.#early.push(event)
  }

  /** Whether this end can still send and receive. */
  get isOpen(): boolean {
    return this.#open
  }

  write(bytes: Buffer): Promise<void> {
    const peer = this.peer
    if (!this.#open || !peer) {
      return Promise.reject(new TransportError('SIP_TRANSPORT_CLOSED', `memory connection to ${this.remote.address}:${this.remote.port} is closed`))
    }
    // A peer that has closed answers with a reset (like ECONNRESET on TCP): the write fails now
    // instead of the bytes vanishing and the transaction waiting 64*T1, and this end closes.
    if (!peer.isOpen) {
      nextTurn(() => this.reset())
      return Promise.reject(resetError(this.remote))
    }
    // Like a socket write, it succeeds once the bytes are on their way; should the peer close
    // before they arrive, the reset closes this end ('connection-closed' on the writer's side).
    this.#network.carry(bytes, this.local, this.remote, (copy) => peer.receive(copy), () => this.reset())
    return Promise.resolve()
  }

  /** The peer answered a write with a reset: this end closes too, if it has not yet. */
  reset(): void {
    if (this.#open) this.ended('remote')
  }

  /** Takes bytes from the peer; false when this end has closed (the writer gets a reset). */
  receive(bytes: Buffer): boolean {
    if (!this.#open) return false
    const text = bytes.length <= 4 ? bytes.toString('latin1') : ''
    if (text === '\r\n\r\n') this.#toSink((sink) => sink.ping())
    else if (text === '\r\n') this.#toSink((sink) => sink.pong())
    else this.#toSink((sink) => sink.message(bytes))
    return true
  }

  close(): void {
    if (!this.#open) return
    this.#open = false
    const peer = this.peer
    if (peer) nextTurn(() => peer.ended('remote'))
  }

  /** Fault injection: both ends go away at once. */
  fail(): void {
    this.ended('fault')
    const peer = this.peer
    if (peer) nextTurn(() => peer.ended('fault'))
  }

  ended(reason: 'remote' | 'fault'): void {
    // Once: a reset and the peer's own close notice may both arrive.
    if (this.#ended) return
    this.#ended = true
    this.#open = false
    this.#toSink((sink) => sink.closed(reason))
  }
}

/**
 * An endpoint of a {@link MemoryNetwork}: a reliable, connection-oriented SIP transport with no
 * sockets, so a whole SIP deployment can run in one process (the local chat server, bot tests).
 */
export class MemoryTransport extends ConnectionTransport {
  readonly protocol = 'memory' as const
  readonly #network: Network
  readonly #address: TransportAddress
  readonly #ends = new Map<string, MemoryEnd>()
  #listening = false

  /** Use {@link MemoryNetwork.createTransport}. */
  constructor(network: MemoryNetwork, options: MemoryTransportOptions) {
    super(options)
    this.#network = network as Network
    this.#address = { address: options.host ?? 'mem.invalid', port: options.port ?? 5060 }
    this.on('connection-closed', (id) => this.#ends.delete(id))
  }

  async listen(): Promise<void> {
    if (this.#listening) return
    if (this.isShutDown) throw new TransportError('SIP_TRANSPORT_CLOSED', 'this memory transport was closed; create a new one')
    const key = remoteKey(this.#address.address, this.#address.port)
    if (this.#network.listeners.has(key)) {
      throw new TransportError('SIP_TRANSPORT_SOCKET', `${this.#address.address}:${this.#address.port} is already in use on this memory network`)
    }
    this.#network.listeners.set(key, this)
    this.#listening = true
  }

  localAddress(): TransportAddress {
    return this.#address
  }

  protected async openConnection(target: SendTarget): Promise<RawConnection> {
    const listener = this.#network.listeners.get(remoteKey(target.host, target.port))
    if (!listener || this.#network.isCut(this.#address.address, target.host)) {
      throw new TransportError('SIP_TRANSPORT_CONNECT_FAILED', `nothing listens at ${target.host}:${target.port} on this memory network (or it is partitioned away)`)
    }
    const local = { address: this.#address.address, port: this.#network.ephemeralPort() }
    const mine = new MemoryEnd(this.#network, local, listener.#address)
    const theirs = new MemoryEnd(this.#network, listener.#address, local)
    mine.peer = theirs
    theirs.peer = mine
    listener.#acceptEnd(theirs)
    return mine
  }

  #acceptEnd(end: MemoryEnd): void {
    this.adopt(end, false)
  }

  protected override adopt(raw: RawConnection, outbound: boolean, extraKeys?: string[]): ReturnType<ConnectionTransport['adopt']> {
    const managed = super.adopt(raw, outbound, extraKeys)
    if (raw instanceof MemoryEnd) this.#ends.set(managed.id, raw)
    return managed
  }

  /** Fault injection for one connection of this endpoint; false if it has no such connection. */
  fail(connectionId: string): boolean {
    const end = this.#ends.get(connectionId)
    if (!end) return false
    end.fail()
    return true
  }

  protected async closeListener(): Promise<void> {
    this.#network.transports.delete(this)
    if (!this.#listening) return
    this.#listening = false
    this.#network.listeners.delete(remoteKey(this.#address.address, this.#address.port))
  }
}
