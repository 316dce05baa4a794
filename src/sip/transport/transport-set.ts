import { EventEmitter } from 'eventemitter3'
import { TransportError } from './errors.ts'
import type { SendTarget, SipTransport, SipTransportEvents, SipTransportProtocol, TransportAddress } from './types.ts'

/** A send target that may name its transport, as a URI's `transport` parameter or a Via does. */
export interface TransportSetTarget extends SendTarget {
  /** `udp`, `tcp`, `tls`, `ws`, `wss`, `memory` in any case (Via spells them upper case). */
  readonly transport?: string
}

/** Events of a {@link TransportSet}: those of every transport in it, forwarded as they come. */
export interface TransportSetEvents extends SipTransportEvents {}

/**
 * Several transports behind one `send()` and one `'message'` stream: what the UA core uses.
 *
 * `send()` picks the transport by the target's `transport` parameter; without one, the
 * transport that owns `connectionId`, else UDP when present (RFC 3263 §4.1 default for `sip:`),
 * else the first one added.
 *
 * @example
 * const set = new TransportSet([new UdpTransport({ port: 5060 }), new TcpTransport({ port: 5060 })])
 * await set.listen()
 * set.on('message', (bytes, meta) => core.receive(parseSipMessage(bytes), meta))
 * await set.send(bytes, { host: '127.0.0.1', port: 5070, transport: 'tcp' })
 */
export class TransportSet extends EventEmitter<TransportSetEvents> {
  readonly #transports = new Map<SipTransportProtocol, SipTransport>()
  readonly #order: SipTransport[] = []

  constructor(transports: Iterable<SipTransport> = []) {
    super()
    for (const transport of transports) this.add(transport)
  }

  /** Adds a transport; one per protocol. */
  add(transport: SipTransport): this {
    if (this.#transports.has(transport.protocol)) {
      throw new TransportError('SIP_TRANSPORT_UNSUPPORTED', `a ${transport.protocol} transport is already in this set; use one per protocol`)
    }
    this.#transports.set(transport.protocol, transport)
    this.#order.push(transport)
    transport.on('message', (bytes, meta) => this.emit('message', bytes, meta))
    transport.on('connection-opened', (id, remote, outbound) => this.emit('connection-opened', id, remote, outbound))
    transport.on('connection-closed', (id, reason, error) => this.emit('connection-closed', id, reason, error))
    transport.on('keepalive', (id, event) => this.emit('keepalive', id, event))
    transport.on('error', (error) => this.emit('error', error))
    return this
  }

  /** The transport for a protocol, if present. */
  get(protocol: SipTransportProtocol): SipTransport | undefined {
    return this.#transports.get(protocol)
  }

  /** Every transport, in the order added. */
  all(): readonly SipTransport[] {
    return this.#order
  }

  /**
   * The transport `send()` would use for a target: by `transport` parameter, connection id,
   * or default. Use it before building a Via, whose transport and sent-by must match.
   */
  pick(target: Pick<TransportSetTarget, 'transport' | 'connectionId'> = {}): SipTransport {
    if (target.transport !== undefined) {
      const wanted = target.transport.toLowerCase() as SipTransportProtocol
      const transport = this.#transports.get(wanted)
      if (!transport) {
        throw new TransportError('SIP_TRANSPORT_UNSUPPORTED', `no ${target.transport} transport is configured; add one to the TransportSet or change the URI's transport parameter`)
      }
      return transport
    }
    if (target.connectionId !== undefined) {
      for (const transport of this.#order) {
        if (hasConnection(transport, target.connectionId)) return transport
      }
    }
    const transport = this.#transports.get('udp') ?? this.#order[0]
    if (!transport) throw new TransportError('SIP_TRANSPORT_UNSUPPORTED', 'the TransportSet is empty; add a transport before sending')
    return transport
  }

  /** Sends through the transport {@link pick} chooses. */
  send(bytes: Buffer, target: TransportSetTarget): Promise<void> {
    let transport: SipTransport
    try {
      transport = this.pick(target)
    } catch (error) {
      return Promise.reject(error)
    }
    return transport.send(bytes, { host: target.host, port: target.port, ...(target.connectionId === undefined ? {} : { connectionId: target.connectionId }) })
  }

  /** The bound address of one protocol's transport (for Via / Contact). */
  localAddress(protocol: SipTransportProtocol): TransportAddress {
    const transport = this.#transports.get(protocol)
    if (!transport) throw new TransportError('SIP_TRANSPORT_UNSUPPORTED', `no ${protocol} transport is configured`)
    return transport.localAddress()
  }

  /** Starts every transport. */
  async listen(): Promise<void> {
    await Promise.all(this.#order.map((transport) => transport.listen()))
  }

  /** Closes every transport. */
  async close(): Promise<void> {
    await Promise.all(this.#order.map((transport) => transport.close()))
  }
}

function hasConnection(transport: SipTransport, connectionId: string): boolean {
  const probe = transport as SipTransport & { hasConnection?: (id: string) => boolean }
  return typeof probe.hasConnection === 'function' && probe.hasConnection(connectionId)
}
