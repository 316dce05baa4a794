/**
 * The server's SIP side: the transports it listens on (memory, or UDP + TCP + WS sockets) and
 * one {@link UserAgentCore} over them. Every received message passes through here, so a
 * failure anywhere above is logged and contained instead of taking the server down.
 *
 * @module
 */

import { networkInterfaces } from 'node:os'
import { ParseError, MsrpBotError } from '../errors.ts'
import { UserAgentCore } from '../sip/core/user-agent-core.ts'
import { sourceOf, transportSetPort } from '../sip/core/transport-adapter.ts'
import type { SipMessage } from '../sip/message.ts'
import { parseSipMessage } from '../sip/parser.ts'
import { ThrottledWarnings } from './log-throttle.ts'
import type { Clock } from '../clock.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { createMemoryNetwork } from '../sip/transport/memory.ts'
import { TcpTransport } from '../sip/transport/tcp.ts'
import { TransportSet } from '../sip/transport/transport-set.ts'
import type { SipTransportProtocol } from '../sip/transport/types.ts'
import { UdpTransport } from '../sip/transport/udp.ts'
import { TlsTransport } from '../sip/transport/tls.ts'
import type { ChatServerLimits } from './limits.ts'
import { WsTransport } from '../sip/transport/ws.ts'
import type { ChatNetwork, ChatServerLogger, ChatServerTransport } from './options.ts'
import type { WebListener } from './web-listener.ts'

/** Methods the server answers (others get 405 with Allow, RFC 3261 §8.2.1). */
export const SERVER_METHODS: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE', 'PUBLISH', 'REGISTER', 'REFER', 'UPDATE', 'INFO', 'PRACK']

/** One address the server listens on. */
export interface ListenAddress {
  /** `udp`, `tcp`, `tls`, `ws` or `memory`. */
  readonly transport: SipTransportProtocol
  readonly host: string
  readonly port: number
}

/** Hook that may take a parsed message before the UA core sees it (stateless proxying of ACKs). */
export type MessageInterceptor = (message: SipMessage, source: Destination) => boolean

/** The SIP transports and UA core of a running server. */
export class SipEndpoint {
  readonly core: UserAgentCore
  readonly transports: TransportSet
  readonly addresses: ListenAddress[]
  /** The host named in Via sent-by, Contact and Record-Route (the bound host unless `advertise` was given). */
  readonly advertisedHost: string
  /** Other hosts that name this server: every interface address when bound to a wildcard (0.0.0.0, ::). */
  readonly #aliases: Set<string>
  #intercept: MessageInterceptor | undefined
  readonly #closedListeners: Array<(connectionId: string) => void> = []
  readonly #warnings: ThrottledWarnings

  private constructor(transports: TransportSet, addresses: ListenAddress[], advertise: string | undefined, clock: Clock | undefined, log: ChatServerLogger) {
    this.transports = transports
    this.addresses = addresses
    this.advertisedHost = advertise ?? addresses[0]?.host ?? ''
    this.#aliases = new Set([this.advertisedHost.toLowerCase()])
    // A wildcard-bound server is reached at any local address (a Route or Request-URI naming
    // 127.0.0.1 still names us, RFC 3261 §16.4).
    if (addresses.some((a) => isWildcard(a.host))) for (const address of localInterfaceAddresses()) this.#aliases.add(address.toLowerCase())
    // What any peer can trigger per datagram is logged once per interval, then summarized.
    this.#warnings = new ThrottledWarnings(log, clock === undefined ? {} : { clock })
    const logger = {
      debug: (m: string) => log.debug(`sip: ${m}`),
      warn: (m: string) => {
        if (m.startsWith('unparseable message')) this.#warnings.warn('unparseable SIP messages', `sip: ${m}`)
        else if (m.startsWith('400 could not be sent')) this.#warnings.warn('unsent 400 answers', `sip: ${m}`)
        else log.warn(`sip: ${m}`)
      },
    }
    // With `advertise`, the core's own Vias (BYE, NOTIFY...) name it too, not the bound address
    // (RFC 3261 §18.1.1: sent-by is where responses are to be sent). The core treats a throw as "no such transport".
    const sentBy = advertise === undefined ? {} : {
      sentBy: (transport: string) => {
        const a = this.sentBy(transport)
        if (a === undefined) throw new Error(`no ${transport} transport`)
        return a
      },
    }
    this.core = new UserAgentCore({ port: transportSetPort(transports), ...sentBy, ...(clock === undefined ? {} : { clock }), logger, userAgent: 'msrp-bot server', tryingDelayMs: 200, methods: SERVER_METHODS })
    transports.on('message', (bytes, meta) => this.#receive(bytes, sourceOf(meta), meta.protocol === 'udp'))
    transports.on('connection-closed', (id) => {
      for (const listener of this.#closedListeners) {
        try {
          listener(id)
        } catch (error) {
          log.warn(`connection-closed listener failed: ${String(error)}`)
        }
      }
    })
    transports.on('error', (error) => log.debug(`transport: ${error.code}: ${error.message}`))
  }

  /** Opens the transports for `mode` and returns the endpoint once every one listens. */
  static async start(mode: ChatServerTransport, domain: string, network: ChatNetwork | undefined, clock: Clock | undefined, log: ChatServerLogger, limits: Required<ChatServerLimits>, web?: WebListener): Promise<SipEndpoint> {
    const set = new TransportSet()
    const addresses: ListenAddress[] = []
    let advertise: string | undefined
    if (mode.kind === 'memory') {
      const sipNetwork = network?.sip ?? createMemoryNetwork()
      const transport = sipNetwork.createTransport({ host: domain, port: 5060 })
      set.add(transport)
      await set.listen()
      addresses.push({ transport: 'memory', host: domain, port: 5060 })
    } else {
      const host = mode.host ?? '127.0.0.1'
      advertise = mode.advertise
      const connectionLimits = {
        maxConnections: limits.maxConnections,
        maxConnectionsPerSource: limits.maxConnectionsPerSource,
        idleTimeoutMs: limits.sipIdleTimeoutMs,
        messageTimeoutMs: limits.headerTimeoutMs,
      }
      // TCP first: with port 0 it picks the free port that UDP then shares (RFC 3261 §18: one port, both transports).
      const tcp = new TcpTransport({ host, port: mode.port ?? 0, ...connectionLimits })
      await tcp.listen()
      const port = tcp.localAddress().port
      const udp = new UdpTransport({ host, port })
      try {
        await udp.listen()
      } catch (error) {
        await tcp.close()
        throw error
      }
      set.add(udp).add(tcp)
      addresses.push({ transport: 'udp', host, port }, { transport: 'tcp', host, port })
      if (mode.tls !== undefined) {
        // SIP over TLS (RFC 3261 §26.2) on its own port.
        const tls = new TlsTransport({ host, port: mode.tls.port, cert: mode.tls.cert, key: mode.tls.key, ...connectionLimits })
        try {
          await tls.listen()
        } catch (error) {
          await set.close()
          throw error
        }
        set.add(tls)
        addresses.push({ transport: 'tls', host, port: tls.localAddress().port })
      }
      if (mode.wsPort !== undefined) {
        // On the web port when the server has one (the page, SIP and MSRP share it), else alone.
        const ws = new WsTransport({ host, port: mode.wsPort, maxConnections: limits.maxConnections, maxConnectionsPerSource: limits.maxConnectionsPerSource, idleTimeoutMs: limits.sipIdleTimeoutMs, ...(web === undefined ? {} : { external: { address: web.address.host, port: web.address.port } }) })
        if (web !== undefined) web.sipUpgrade = (request, socket, head) => ws.handleUpgrade(request, socket, head)
        try {
          await ws.listen()
        } catch (error) {
          await set.close()
          throw error
        }
        set.add(ws)
        addresses.push({ transport: 'ws', host, port: ws.localAddress().port })
      }
    }
    return new SipEndpoint(set, addresses, advertise, clock, log)
  }

  /** Sets the interceptor (one at a time). */
  intercept(interceptor: MessageInterceptor | undefined): void {
    this.#intercept = interceptor
  }

  /** Calls `listener` with the id of every connection that closes (flows, RFC 5626). */
  onConnectionClosed(listener: (connectionId: string) => void): void {
    this.#closedListeners.push(listener)
  }

  /** The sent-by address (advertised host, bound port) for a Via transport token (e.g. `TCP`), if the server has that transport. */
  sentBy(transport: string): { host: string; port: number } | undefined {
    const t = transport.toLowerCase()
    const a = this.addresses.find((x) => x.transport === t)
    const host = this.advertisedHost
    return a === undefined ? undefined : { host: host.includes(':') ? `[${host}]` : host, port: a.port }
  }

  /** True when `host:port` is one of the server's own addresses (bound or advertised host). */
  isOwnAddress(host: string, port: number | undefined): boolean {
    const h = host.replace(/^\[|\]$/g, '').toLowerCase()
    return this.addresses.some((a) => (a.host.toLowerCase() === h || this.#aliases.has(h)) && (port === undefined || a.port === port))
  }

  /** Stops the UA core and closes every transport. */
  async close(): Promise<void> {
    this.#warnings.close()
    this.core.close()
    await this.transports.close()
  }

  #receive(bytes: Buffer, source: Destination, datagram: boolean): void {
    try {
      let message: SipMessage
      try {
        message = parseSipMessage(bytes, { datagram })
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
        // The core re-parses and answers a stateless 400 when it can read a Via (RFC 4475 §3.1.2).
        this.core.receiveBytes(bytes, source, datagram)
        return
      }
      if (this.#intercept?.(message, source) === true) return
      this.core.receive(message, source)
    } catch (error) {
      // Never let one peer's bytes take the server down (bad input gets an error or is dropped).
      const what = error instanceof MsrpBotError ? `${error.code}: ${error.message}` : String(error)
      this.#warnings.warn('dropped SIP messages', `dropped a SIP message from ${source.host}:${source.port}: ${what}`)
    }
  }
}

/** True for the any-address binds (IPv4 0.0.0.0, IPv6 ::). */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

/** Every address of this machine's interfaces, plus `localhost`. */
function localInterfaceAddresses(): string[] {
  const out = ['localhost']
  for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) out.push(info.address.replace(/%.*$/, ''))
  return out
}
