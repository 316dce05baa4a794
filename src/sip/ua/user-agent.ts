import { EventEmitter } from 'eventemitter3'
import { UserAgentCore, DEFAULT_ALLOWED_METHODS } from '../core/user-agent-core.ts'
import type { IncomingRequest } from '../core/incoming-request.ts'
import { nextHop, outboundProxyRoute } from '../core/routing.ts'
import { sourceOf, transportSetPort } from '../core/transport-adapter.ts'
import { readNameAddrList, serializeNameAddr, tagOf, readNameAddrHeader } from '../headers/name-addr.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import { type Clock, unrefClock } from '../../clock.ts'
import type { SipTimerSettings } from '../timers.ts'
import type { Destination } from '../transaction/transport-port.ts'
import { TransportSet } from '../transport/transport-set.ts'
import type { ConnectionCloseReason, KeepaliveOptions, SipTransport, TransportAddress } from '../transport/types.ts'
import { type SipUri, parseSipUri } from '../uri.ts'
import { SipAuthError, SipStateError } from './errors.ts'
import { IncomingMessage } from './incoming-message.ts'
import { IncomingSubscription } from './incoming-subscription.ts'
import { Invitation } from './invitation.ts'
import { Messager } from './messager.ts'
import { RequestAuthenticator, type UaSendOptions } from './request-authenticator.ts'
import type { UaContext, UaDisposable, UaRequestInit, UserAgentOptions } from './options.ts'
import { StateCell, type UaLogger, silentUaLogger } from './logger.ts'

export type { UaDisposable, UaRequestInit, UaTlsOptions, UaTransportFactory, UaTransportKind, UserAgentOptions } from './options.ts'
export type { UaSendOptions } from './request-authenticator.ts'

/** Named states of the facade. */
export type UserAgentState = 'stopped' | 'starting' | 'started'

/** Events of {@link UserAgent}. */
export interface UserAgentEvents {
  state: (state: UserAgentState) => void
  /** A MESSAGE outside any dialog (RFC 3428). See {@link IncomingMessage} for the default answer. */
  message: (message: IncomingMessage) => void
  /** A new INVITE: call `progress()`, `accept(sdp)` or `reject(status)`. */
  invite: (invitation: Invitation) => void
  /** A new SUBSCRIBE: `accept()` gives a Notifier, `reject(status)` refuses. No listener: 489. */
  subscribe: (subscription: IncomingSubscription) => void
  /** Any other out-of-dialog request (REFER, INFO ...); answer it. No listener: 501. */
  request: (request: IncomingRequest) => void
  /** A connection this UA used went away (RFC 5626 flow failure). */
  'connection-closed': (connectionId: string, reason: ConnectionCloseReason) => void
}

/** Methods the facade answers (Allow in OPTIONS and 405). */
export const UA_ALLOWED_METHODS: readonly string[] = DEFAULT_ALLOWED_METHODS

const DEFAULT_ACCEPT = ['application/sdp', 'text/plain', 'message/cpim', 'application/pidf+xml', 'application/conference-info+xml']
/** Option tags we support (Supported in OPTIONS and INVITE). */
export const UA_SUPPORTED = ['timer', 'outbound', 'path']

/**
 * The user agent: one identity, its transport, the UA core, and the request sender every
 * API class uses (like SIP.js's `UserAgent`).
 *
 * It answers OPTIONS (Allow/Accept/Supported), hands new MESSAGE / INVITE / SUBSCRIBE to
 * listeners, and sends requests with digest authentication: a 401/407 is answered once (new
 * CSeq, same Call-ID; `stale=true` retries silently), a second challenge for the same realm
 * rejects with {@link SipAuthError} `SIP_AUTH_FAILED`, and credentials are reused pre-emptively
 * afterwards (RFC 3261 §22.3).
 *
 * @example
 * const ua = new UserAgent({ uri: 'sip:bot@example.test', password: 'secret', transport: 'tcp', outboundProxy: 'sip:127.0.0.1:5060;lr' })
 * await ua.start()
 * ua.on('message', (m) => console.log(m.text))
 * await ua.sendMessage('sip:alice@example.test', 'hello')
 */
export class UserAgent extends EventEmitter<UserAgentEvents> implements UaContext {
  /** The options as given. */
  readonly options: UserAgentOptions
  /** Our address of record. */
  readonly aor: SipUri
  readonly log: UaLogger
  readonly clock: Clock
  readonly #state: StateCell<UserAgentState>
  #core: UserAgentCore | undefined
  #set: TransportSet | undefined
  #transport: SipTransport | undefined
  readonly #auth: RequestAuthenticator
  readonly #flows = new Map<string, string>()
  readonly #disposables = new Set<UaDisposable>()
  readonly #notifyWaiters = new Map<string, (request: IncomingRequest) => void>()

  constructor(options: UserAgentOptions) {
    super()
    this.options = options
    this.aor = parseSipUri(options.uri, { what: 'the UserAgent uri' })
    this.log = options.logger ?? silentUaLogger
    this.clock = options.clock ?? unrefClock
    this.#state = new StateCell<UserAgentState>('stopped', `UserAgent ${options.uri}`, this.log, (s) => this.emit('state', s))
    this.#auth = new RequestAuthenticator({ username: options.authorizationUser ?? this.aor.user ?? '', password: options.password, log: this.log })
  }

  /** Current state. */
  get state(): UserAgentState {
    return this.#state.value
  }

  /** The UA core (started UAs only). */
  get core(): UserAgentCore {
    if (!this.#core) throw new SipStateError(`the UserAgent ${this.options.uri} is not started; await ua.start() first`)
    return this.#core
  }

  /** The transport in use (started UAs only). */
  get transport(): SipTransport {
    if (!this.#transport) throw new SipStateError(`the UserAgent ${this.options.uri} is not started; await ua.start() first`)
    return this.#transport
  }

  /** The transport set (for 'connection-closed' and direct sends). */
  get transports(): TransportSet {
    if (!this.#set) throw new SipStateError(`the UserAgent ${this.options.uri} is not started; await ua.start() first`)
    return this.#set
  }

  /** Via transport token of our transport (`UDP`, `TCP`, `TLS`, `WS`, `MEMORY` ...). */
  get transportToken(): string {
    return this.transport.protocol.toUpperCase()
  }

  /** The local transport address. */
  get localAddress(): TransportAddress {
    return this.transport.localAddress()
  }

  /** Our Contact URI: the transport's local address with `;transport=` (and `;ob` with keepalive, RFC 5626 §5.4). */
  get contactUri(): string {
    const local = this.localAddress
    const host = local.address.includes(':') ? `[${local.address}]` : local.address
    const user = this.aor.user === undefined ? '' : `${encodeURIComponent(this.aor.user)}@`
    const ob = this.options.keepalive ? ';ob' : ''
    return `sip:${user}${host}:${local.port};transport=${this.transport.protocol}${ob}`
  }

  /** Contact header value: `<contactUri>`, plus `;automaton` (RFC 3840 §9) for an automaton. */
  get contact(): string {
    return `<${this.contactUri}>${this.options.automaton === true ? ';automaton' : ''}`
  }

  /** From value of our requests (display name and AOR, no tag). */
  get fromHeader(): string {
    return serializeNameAddr({ ...(this.options.displayName === undefined ? {} : { displayName: this.options.displayName }), uri: this.aor, params: new Map() })
  }

  /** Registrar Request-URI. */
  get registrarUri(): string {
    return this.options.registrar ?? `sip:${this.aor.host}${this.aor.port === undefined ? '' : `:${this.aor.port}`}`
  }

  /** Content types in Accept. */
  get acceptTypes(): readonly string[] {
    return this.options.acceptTypes ?? DEFAULT_ACCEPT
  }

  /** Creates the transport and core, and starts listening. */
  async start(): Promise<void> {
    if (this.#state.value !== 'stopped') return
    this.#state.set('starting')
    try {
      const transport = this.#createTransport()
      const set = new TransportSet([transport])
      await set.listen()
      const port = transportSetPort(set)
      const core = new UserAgentCore({
        port,
        defaultTransport: transport.protocol.toUpperCase(),
        clock: this.clock,
        ...(this.options.timers ? { timers: this.options.timers } : {}),
        ...(this.options.outboundProxy !== undefined ? { outboundProxy: this.options.outboundProxy } : {}),
        methods: UA_ALLOWED_METHODS,
        extensions: UA_SUPPORTED,
        userAgent: this.options.userAgentString ?? 'msrp-bot',
        logger: this.log,
      })
      set.on('message', (bytes, meta) => core.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
      set.on('connection-opened', (id, remote, outbound) => {
        if (outbound) this.#flows.set(flowKey(remote.address, remote.port), id)
      })
      set.on('connection-closed', (id, reason) => {
        for (const [key, value] of this.#flows) if (value === id) this.#flows.delete(key)
        this.log.debug(`UserAgent ${this.options.uri}: connection ${id} closed (${reason})`)
        this.emit('connection-closed', id, reason)
      })
      set.on('error', (error) => this.log.warn(`transport: ${error.message}`))
      core.onRequest((request) => this.#onRequest(request))
      core.onOrphanRequest((request) => this.#onOrphan(request))
      this.#transport = transport
      this.#set = set
      this.#core = core
      this.#state.set('started')
    } catch (error) {
      this.#state.set('stopped')
      throw error
    }
  }

  /**
   * Ends everything this UA owns (unregisters, unsubscribes, unpublishes, hangs up — each
   * bounded by its transaction timeout), then closes the core and the transport.
   */
  async stop(): Promise<void> {
    if (this.#state.value !== 'started') return
    // Goodbyes are best effort and bounded. The guard timer is a real, ref'd one: the protocol
    // timers are unref'd, so without it a process whose only handles are memory transports
    // would exit while an unREGISTER still waits for its answer.
    let guard: NodeJS.Timeout | undefined
    const capped = new Promise<void>((resolve) => {
      guard = setTimeout(resolve, this.options.stopTimeoutMs ?? 5000)
    })
    await Promise.race([Promise.allSettled([...this.#disposables].map((d) => d.dispose())), capped])
    clearTimeout(guard)
    this.#disposables.clear()
    this.#core?.close()
    await this.#set?.close()
    this.#core = undefined
    this.#set = undefined
    this.#transport = undefined
    this.#flows.clear()
    this.#state.set('stopped')
  }

  /** The transport given, or one made by `transportFactory` for a transport kind. */
  #createTransport(): SipTransport {
    const t = this.options.transport ?? 'udp'
    if (typeof t !== 'string') return t
    const factory = this.options.transportFactory
    if (factory === undefined) {
      throw new SipStateError(
        `UserAgent ${this.options.uri}: transport "${t}" needs a transportFactory to open sockets; ` +
          'pass transportFactory: nodeTransports (msrp-bot/sip) on Node, or a ready SipTransport (e.g. a WebSocket one in a browser)',
      )
    }
    return factory(this.options, this.log)
  }

  /** @internal Registers something to end on `stop()`; returns the remover. */
  track(disposable: UaDisposable): () => void {
    this.#disposables.add(disposable)
    return () => this.#disposables.delete(disposable)
  }

  /** The connection id of our open connection to `destination`, if any (the RFC 5626 flow). */
  flowTo(destination: Destination): string | undefined {
    return this.#flows.get(flowKey(destination.host, destination.port))
  }

  /** The next hop a request would take (§8.1.2: outbound proxy / Route, else Request-URI). */
  nextHopOf(request: SipRequest): Destination {
    const routes = readNameAddrList(request.headers, 'Route')
    if (routes.length === 0 && this.options.outboundProxy !== undefined && !hasToTag(request)) {
      return nextHop(parseSipUri(request.uri), [{ uri: outboundProxyRoute(this.options.outboundProxy), params: new Map() }], this.transportToken)
    }
    return nextHop(parseSipUri(request.uri), routes, this.transportToken)
  }

  /**
   * A new out-of-dialog request from us to `target` (From with our AOR; Contact added for
   * dialog-creating methods). Send it with {@link sendRequest}.
   */
  createRequest(method: string, target: string, init: UaRequestInit = {}): SipRequest {
    const headers: Array<readonly [string, string]> = [...(init.headers ?? [])]
    if (['INVITE', 'SUBSCRIBE', 'REFER'].includes(method) && !headers.some(([n]) => n.toLowerCase() === 'contact')) headers.push(['Contact', this.contact])
    return this.core.createRequest(method, target, {
      from: this.fromHeader,
      ...(init.to === undefined ? {} : { to: init.to }),
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.contentType === undefined ? {} : { contentType: init.contentType }),
    })
  }

  /**
   * Sends a request and resolves with its final response (any status but 401/407, which are
   * answered here, see {@link RequestAuthenticator}). Rejects with {@link SipAuthError},
   * TransactionTimeoutError (no answer) or TransactionTransportError (could not send).
   */
  sendRequest(request: SipRequest, options: UaSendOptions = {}): Promise<SipResponse> {
    let core: UserAgentCore
    try {
      core = this.core
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#auth.send(core, request, options)
  }

  /** Sends a pager-mode MESSAGE (RFC 3428); see {@link Messager}. */
  async sendMessage(target: string, body: string | Buffer, contentType = 'text/plain'): Promise<SipResponse> {
    return new Messager(this, target, body, contentType).message()
  }

  /** @internal Lets a Subscriber claim NOTIFYs that arrive before the 2xx to its SUBSCRIBE (RFC 6665 §4.1.2.4). */
  expectNotify(callId: string, localTag: string, handler: (request: IncomingRequest) => void): () => void {
    const key = `${callId}\u0000${localTag}`
    this.#notifyWaiters.set(key, handler)
    return () => this.#notifyWaiters.delete(key)
  }

  #onOrphan(request: IncomingRequest): boolean {
    if (request.method !== 'NOTIFY') return false
    const to = readNameAddrHeader(request.message.headers, 'To')
    const tag = to ? tagOf(to) : undefined
    const handler = tag === undefined ? undefined : this.#notifyWaiters.get(`${request.message.headers.get('Call-ID') ?? ''}\u0000${tag}`)
    if (!handler) return false
    handler(request)
    return true
  }

  #onRequest(request: IncomingRequest): void {
    const method = request.method
    if (method === 'ACK') return
    if (method === 'OPTIONS') {
      // RFC 3261 §11.2: say what we do.
      request.respond(200, {
        headers: [
          ['Allow', UA_ALLOWED_METHODS.join(', ')],
          ['Accept', this.acceptTypes.join(', ')],
          ['Supported', UA_SUPPORTED.join(', ')],
          ['Accept-Encoding', 'identity'],
          ['Accept-Language', 'en'],
        ],
      })
      return
    }
    if (method === 'MESSAGE') {
      new IncomingMessage(this, request).deliver(this.listenerCount('message') === 0 ? undefined : (m) => this.emit('message', m))
      return
    }
    if (method === 'INVITE' && !hasToTag(request.message)) {
      if (this.listenerCount('invite') === 0) {
        request.respond(480, { reason: 'Temporarily Unavailable - no call handler' })
        return
      }
      this.emit('invite', new Invitation(this, request))
      return
    }
    if (method === 'SUBSCRIBE' && !hasToTag(request.message)) {
      if (this.listenerCount('subscribe') === 0) {
        request.respond(489, { headers: [['Allow-Events', '']] })
        return
      }
      this.emit('subscribe', new IncomingSubscription(this, request))
      return
    }
    if (method === 'NOTIFY') {
      request.respond(481, { reason: 'Subscription Does Not Exist' })
      return
    }
    if (this.listenerCount('request') === 0) {
      request.respond(501)
      return
    }
    this.emit('request', request)
  }
}

function flowKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`
}

function hasToTag(request: SipRequest): boolean {
  const to = readNameAddrHeader(request.headers, 'To')
  return to !== undefined && tagOf(to) !== undefined
}

