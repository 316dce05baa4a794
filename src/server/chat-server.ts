/**
 * `startChatServer`: the chat server as it runs — registrar and location service, presence
 * agent, a small proxy between local users, and RFC 7701 chat rooms — over SIP and MSRP, in
 * process (memory transports) or on sockets. One code path: only the transports differ.
 *
 * @module
 */

import { RoomFileStore, type RoomFileOptions, type StoredFile } from './room-files.ts'
import { RoomFileTransfers } from './room-file-transfer.ts'
import { RoomFilePushes, type PushOutcome } from './room-file-push.ts'
import type { FileRetention } from './core/room-store.ts'
import { MemoryNetwork as MsrpMemoryNetwork } from '../msrp/memory-stream.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import { unrefClock as realClock, type Clock, type TimerHandle } from '../clock.ts'
import { createMemoryNetwork } from '../sip/transport/memory.ts'
import { InMemoryRoomStore, type RoomStore } from './core/room-store.ts'
import { RoomDirectory } from './core/room-directory.ts'
import type { ServerRoom } from './core/room.ts'
import { Authenticator } from './identity.ts'
import { identityKey } from '../rooms/identity.ts'
import { readNameAddrList } from '../sip/headers/name-addr.ts'
import { RoomFocus } from './focus.ts'
import { MsrpEndpoint } from './msrp-endpoint.ts'
import { DialGuard } from './dial-policy.ts'
import { resolveLimits } from './limits.ts'
import { MsrpReadBudget } from '../msrp/read-budget.ts'
import type { ChatNetwork, ChatServerOptions } from './options.ts'
import { callOutProxyDestination } from './call-out-route.ts'
import { CallOutAuth } from './call-out-auth.ts'
import { MsrpBotError } from '../errors.ts'
import { silentLogger } from '../logger.ts'
import { requestUriOrRespond } from './request-uri.ts'
import { PresenceService } from './presence-service.ts'
import { LocalProxy } from './proxy.ts'
import { RegistrarService } from './registrar-service.ts'
import { SipEndpoint, type ListenAddress } from './sip-endpoint.ts'
import { SubscriptionDialogs } from './subscriptions.ts'
import { WebListener } from './web-listener.ts'
import { webAssetHandler } from './web-assets.ts'
import { webSocketTransport } from '../msrp/transport.ts'

/** Creates the in-process networks a memory-mode server and its clients share. */
export function createChatNetwork(): ChatNetwork {
  return { sip: createMemoryNetwork(), msrp: new MsrpMemoryNetwork() }
}

/** Where a running server can be reached. */
export interface ChatServerAddresses {
  /** SIP listening addresses (udp + tcp [+ ws] on sockets; memory in process). */
  readonly sip: readonly ListenAddress[]
  /** MSRP listener (bound host and port; the port is the one in the server's `a=path`). */
  readonly msrp: { readonly host: string; readonly port: number }
  /**
   * The host clients are told to reach (Via sent-by, Contact, Record-Route, `a=path`): the
   * transport's `advertise`, else the bound host (the domain in memory mode).
   */
  readonly advertise: string
  /** The web port (the chat page, SIP and MSRP over WebSocket), when the server has one. */
  readonly web?: { readonly host: string; readonly port: number }
}

/** What the listeners hold right now ({@link ChatServer.transportStats}), for metrics and limit checks. */
export interface TransportStats {
  /** Open MSRP connections, accepted and dialled. */
  readonly msrpConnections: number
  /** The most output waiting for one MSRP receiver (bounded by `limits.msrpMaxWriteBufferBytes`). */
  readonly msrpMaxPendingWriteBytes: number
  /** Bytes of incomplete MSRP frames held by all connections (bounded by `limits.msrpReadBudgetBytes`). */
  readonly msrpReadBufferedBytes: number
  /** MSRP connections refused by a connection cap since start. */
  readonly msrpRefusedConnections: number
  /** Open SIP connections (TCP, TLS, WS). */
  readonly sipConnections: number
}

/** How often expired registrations and subscriptions are swept (their final NOTIFYs sent). */
const SWEEP_MS = 5_000
/** Retry-After (s) on a 503 for a room that cannot be created because too many exist. */
const ON_DEMAND_RETRY_AFTER_S = 60
/** Longest `close()` waits for BYEs and final NOTIFYs to be answered, by default. */
const CLOSE_GRACE_MS = 5_000

/** A running chat server. */
export class ChatServer {
  /** The served domain. */
  readonly domain: string
  /** Listening addresses. */
  readonly addresses: ChatServerAddresses
  /** The in-process networks (memory mode only): give them to clients. */
  readonly network: ChatNetwork | undefined
  /** The rooms (create or inspect rooms at run time). */
  readonly rooms: RoomDirectory
  readonly registrar: RegistrarService
  readonly presence: PresenceService
  readonly focus: RoomFocus
  readonly #files: { store: RoomFileStore; transfers: RoomFileTransfers; pushes: RoomFilePushes; push: boolean; retention: FileRetention | undefined } | undefined
  readonly #sip: SipEndpoint
  readonly #msrp: MsrpEndpoint
  readonly #auth: Authenticator
  readonly #proxy: LocalProxy
  readonly #subscriptions: SubscriptionDialogs
  readonly #clock: Clock
  readonly #log: NonNullable<ChatServerOptions['logger']>
  #sweep: TimerHandle | undefined
  #closing: Promise<void> | undefined
  readonly #closeTimeoutMs: number
  readonly #readBudget: MsrpReadBudget | undefined
  readonly #web: WebListener | undefined
  readonly #users: Record<string, string> | undefined
  readonly #cluster: ChatServerOptions['cluster']

  /** @internal use {@link startChatServer}. */
  constructor(init: { options: ChatServerOptions; sip: SipEndpoint; msrp: MsrpEndpoint; network: ChatNetwork | undefined; store: RoomStore; clock: Clock; readBudget?: MsrpReadBudget; web?: WebListener | undefined }) {
    const { options, sip, msrp, clock } = init
    this.#readBudget = init.readBudget
    this.#web = init.web
    this.domain = options.domain
    this.network = init.network
    this.#sip = sip
    this.#msrp = msrp
    this.#clock = clock
    this.#log = options.logger ?? silentLogger
    this.#closeTimeoutMs = options.closeTimeoutMs ?? CLOSE_GRACE_MS
    this.addresses = { sip: sip.addresses, msrp: { host: msrp.boundHost, port: msrp.port }, advertise: sip.advertisedHost, ...(init.web === undefined ? {} : { web: init.web.address }) }
    this.#users = options.users
    this.#cluster = options.cluster
    const onDemand = options.roomsOnDemand ?? {}
    this.rooms = new RoomDirectory(init.store, {
      clock,
      ...(options.autoCreateRooms === undefined ? {} : { autoCreate: options.autoCreateRooms }),
      ...(onDemand.maxRooms === undefined ? {} : { maxRoomsOnDemand: onDemand.maxRooms }),
      ...(onDemand.history === undefined ? {} : { historyOnRemoval: onDemand.history }),
      defaults: {
        ...(options.history === undefined ? {} : { history: options.history }),
        ...(options.historyBytes === undefined ? {} : { historyBytes: options.historyBytes }),
      },
    })
    this.#auth = new Authenticator({
      domain: options.domain,
      users: options.users,
      algorithms: options.digestAlgorithms,
      trustedProxies: options.trustedProxies,
      allowGuests: options.allowGuests,
      throttle: options.authThrottle,
      log: this.#log,
    })
    this.registrar = new RegistrarService(options.domain, clock, options.registrarLimits)
    this.#subscriptions = new SubscriptionDialogs(sip.core, this.#log)
    this.presence = new PresenceService(sip.core, this.#subscriptions, clock, this.#log)
    this.#proxy = new LocalProxy(sip, this.registrar, options.domain, this.#log)
    const callOutProxy = options.callOutProxy === undefined ? undefined : callOutProxyDestination(options.callOutProxy)
    if (options.callOutCredentials !== undefined && callOutProxy === undefined) {
      throw new MsrpBotError('SERVER_CALL_OUT_PROXY', 'callOutCredentials need callOutProxy: they are only ever sent to that proxy; give callOutProxy (e.g. sip:proxy.example.com;transport=tcp) or drop callOutCredentials')
    }
    const callOutAuth = new CallOutAuth({ proxy: callOutProxy, credentials: options.callOutCredentials, log: this.#log })
    const fileStore = options.files === undefined ? undefined : new RoomFileStore(options.files)
    const dialGuard = new DialGuard({ policy: options.msrpDial ?? 'source', clock })
    this.#files =
      fileStore === undefined
        ? undefined
        : {
            store: fileStore,
            transfers: new RoomFileTransfers({ core: sip.core, msrp, store: fileStore, log: this.#log, clock, bindTimeoutMs: options.msrpBindTimeoutMs ?? 30_000, ...transferCaps(options.files), contactFor: (incoming, user) => this.#contactFor(incoming, user), stored: (room, file) => this.#fileStored(room, file) }),
            pushes: new RoomFilePushes({ core: sip.core, msrp, log: this.#log, clock, dialGuard, callOutAuth, ...pushCaps(options.files), overflow: (room, file, missed) => this.#pushOverflow(room, file, missed) }),
            push: options.files?.push ?? false,
            retention: options.files?.retention,
          }
    this.focus = new RoomFocus({
      files: this.#files,
      core: sip.core,
      directory: this.rooms,
      store: init.store,
      msrp,
      subscriptions: this.#subscriptions,
      clock,
      log: this.#log,
      contactFor: (incoming, user) => this.#contactFor(incoming, user),
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
      deliveryMode: options.deliveryMode ?? 'confirmed',
      msrpBindTimeoutMs: options.msrpBindTimeoutMs ?? 30_000,
      dialGuard,
      byeReasons: options.byeReasons ?? true,
      callOutAuth,
      reach: (uri, user) => {
        // Registered here: its flow; else through the call-out proxy, to its address of record.
        const location = this.registrar.locate(uri)[0] ?? (callOutProxy === undefined ? undefined : { contact: uri, destination: callOutProxy })
        if (location === undefined) return undefined
        const transport = location.destination.transport.toLowerCase()
        const a = this.#sip.sentBy(transport)
        if (a === undefined) return undefined
        return { contact: location.contact, destination: location.destination, focusContact: `<sip:${user === undefined ? '' : `${user}@`}${a.host}:${a.port};transport=${transport}>` }
      },
    })
    const rooms = options.rooms ?? []
    const entries: Array<[string, object]> = Array.isArray(rooms) ? rooms.map((r) => [r, {}]) : Object.entries(rooms)
    for (const [name, config] of entries) {
      const uri = this.roomUri(name)
      if (this.rooms.get(uri) === undefined) this.rooms.create(uri, config)
    }
    sip.core.onRequest((incoming) => {
      this.#dispatch(incoming).catch((error: unknown) => {
        this.#log.warn(`${incoming.method} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
        if (!incoming.answered) incoming.respond(500)
      })
    })
    sip.core.onOrphanRequest((incoming) => this.#proxy.forwardInDialog(incoming))
    sip.intercept((message, source) => this.#proxy.intercept(message, source))
    sip.onConnectionClosed((id) => {
      this.registrar.connectionClosed(id)
      this.#subscriptions.connectionClosed(id)
    })
    this.#scheduleSweep()
  }

  /** What the listeners hold right now: connections and buffered bytes against their limits. */
  transportStats(): TransportStats {
    const msrp = this.#msrp.stats()
    let sip = 0
    for (const transport of this.#sip.transports.all()) sip += transport.reliable ? (transport as { connectionIds?: () => string[] }).connectionIds?.().length ?? 0 : 0
    return {
      msrpConnections: msrp.connections,
      msrpMaxPendingWriteBytes: msrp.maxPendingWriteBytes,
      msrpReadBufferedBytes: this.#readBudget?.used ?? 0,
      msrpRefusedConnections: msrp.refused,
      sipConnections: sip,
    }
  }

  /** The room URI for a room name: `sip:<name>@<domain>`. */
  roomUri(name: string): string {
    return name.includes(':') ? name : `sip:${name}@${this.domain}`
  }

  /** The room with that name or URI. */
  room(nameOrUri: string): ServerRoom | undefined {
    return this.rooms.get(this.roomUri(nameOrUri))
  }

  /**
   * Calls `listener` with how each push of a stored file to a participant ended (rooms whose
   * policy pushes files, see room-file-push.ts); returns the unsubscribe.
   */
  onFilePush(listener: (outcome: PushOutcome) => void): () => void {
    return this.#files?.pushes.onOutcome(listener) ?? (() => undefined)
  }

  /** A file was stored in `room`: announced, and pushed to the others when the room's policy says so. */
  #fileStored(room: ServerRoom, file: StoredFile): void {
    const files = this.#files!
    if (this.rooms.get(room.uri) !== room) return // the room went while the file arrived (its policy kept the file)
    const push = room.state.config.pushFiles ?? files.push
    const sharer = room.findByUri(file.from)[0]
    this.focus.announceFile(room, file, push)
    if (push) files.pushes.push(room.uri, file, { uri: file.from, nickname: sharer?.nickname }, this.focus.pushTargets(room, file.from))
  }

  /** Pushes the queue could not take: the room hears whom the file was not offered to (they can pull it). */
  #pushOverflow(roomUri: string, file: StoredFile, missed: readonly string[]): void {
    const room = this.rooms.get(roomUri)
    if (room === undefined) return
    this.focus.announce(room, `file ${file.number} (${file.name.replace(/[\r\n]+/g, ' ')}) was not offered to ${missed.length} participant(s): too many files are being offered; fetch it from the room's files`, `o${file.number.toString(36)}`)
  }

  /** The files stored in a room (RFC 5547; empty when the server takes no files), oldest first. */
  roomFiles(nameOrUri: string): readonly StoredFile[] {
    return this.#files?.store.list(this.roomUri(nameOrUri)) ?? []
  }

  /**
   * Deletes a room: every participant gets a BYE with `Reason: SIP;cause=410;text="Room closed"`
   * (RFC 3326, see bye-reason.ts), every roster watcher a final NOTIFY
   * `terminated;reason=noresource` (RFC 6665 §4.2.2). Resolves once the BYEs are answered (or
   * failed); false when there is no such room.
   *
   * @example
   * ```ts
   * await server.deleteRoom('lobby')
   * ```
   */
  deleteRoom(nameOrUri: string): Promise<boolean> {
    return this.focus.deleteRoom(this.roomUri(nameOrUri))
  }

  /** The server's SIP URI for one transport (`sip:host:port;transport=tcp`, advertised host), for clients' outbound proxy setting. */
  sipUri(transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'memory' = 'tcp'): string {
    const a = this.addresses.sip.find((x) => x.transport === transport) ?? this.addresses.sip[0]!
    const host = this.addresses.advertise
    return `sip:${host.includes(':') ? `[${host}]` : host}:${a.port};transport=${a.transport}`
  }

  /**
   * Stops the server: BYE to every participant, a final NOTIFY to every watcher (RFC 6665
   * §4.2.2: conference `noresource`, presence `deactivated`), then closes the sockets. The BYEs
   * carry `Reason: SIP;cause=503;text="Server shutting down"` (RFC 3326), so clients come back
   * later instead of taking it as a kick. Waits at most `closeTimeoutMs` (5 s) for the answers, on a timer that
   * keeps the process alive until the close is done. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    if (this.#sweep !== undefined) this.#clock.clearTimeout(this.#sweep)
    const goodbyes = (async () => {
      await this.#files?.pushes.close()
      await this.#files?.transfers.close()
      await this.focus.close()
      await this.focus.terminateSubscriptions()
      await this.presence.close(this.#subscriptions.ids())
    })()
    // A ref'd timer: with memory transports nothing else may hold the process open, and an
    // unref'd one would let it exit in the middle of the close.
    let timer: NodeJS.Timeout | undefined
    await Promise.race([goodbyes, new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#closeTimeoutMs) })])
    if (timer !== undefined) clearTimeout(timer)
    await this.#msrp.close()
    await this.#sip.close()
    await this.#web?.close()
    this.#log.info('chat server stopped')
  }

  #scheduleSweep(): void {
    this.#sweep = this.#clock.setTimeout(() => {
      try {
        this.registrar.registrar.expire()
        for (const n of this.focus.notifier.expire()) void this.#subscriptions.notify(n.subscriptionId, { state: 'terminated', reason: n.reason })
        for (const n of this.presence.agent.expire()) void this.#subscriptions.notify(n.subscriptionId, { state: 'terminated', reason: n.reason })
      } catch (error) {
        this.#log.warn(`sweep failed: ${String(error)}`)
      }
      if (this.#closing === undefined) this.#scheduleSweep()
    }, SWEEP_MS)
  }

  /** A local user's address (a known account or a registered AOR): INVITEs to it are calls, not rooms. */
  #isUser(aor: string, user: string): boolean {
    return (this.#users !== undefined && Object.hasOwn(this.#users, user)) || this.registrar.locate(aor).length > 0
  }

  /**
   * An INVITE to an unknown room URI with rooms on demand: the requester authenticates like any
   * joiner first (no room is made for someone who may not join), then the room is created
   * (503 with Retry-After once the limit of rooms created on demand is reached) and joined; a
   * join that fails leaves no empty room behind.
   */
  async #openOnDemand(incoming: IncomingRequest, roomUri: string): Promise<void> {
    const identity = await this.#auth.identify(incoming, 'uas')
    if (identity === undefined) return
    if (this.#cluster !== undefined) {
      // In a cluster the room is created by whichever node takes its lease first.
      const place = await this.#cluster.locateRoom(roomUri, { create: true })
      if (place.kind === 'elsewhere') {
        this.#proxy.forwardToNode(incoming, place.address, { retryAfterS: Math.ceil(this.#cluster.leaseMs / 1000) })
        return
      }
    }
    const opened = this.rooms.openOnDemand(roomUri)
    if (!opened.ok) {
      if (opened.status === 503) this.#log.warn(`refused to create ${roomUri} for ${identity}: ${opened.detail}`)
      incoming.respond(opened.status, {
        reason: opened.reason,
        headers: opened.status === 503 ? [['Retry-After', String(ON_DEMAND_RETRY_AFTER_S)], ['Warning', `399 - "${opened.detail}"`]] : [],
      })
      return
    }
    if (opened.created) this.#log.info(`${identity} created ${opened.room.uri} (room on demand)`)
    this.focus.handle(incoming, identity, opened.room)
    this.rooms.removeIfEmpty(opened.room.uri)
  }

  #contactFor(incoming: IncomingRequest, user: string | undefined): string {
    const transport = incoming.source.transport.toLowerCase()
    const a = this.#sip.sentBy(transport) ?? this.#sip.sentBy(this.addresses.sip[0]!.transport)!
    return `<sip:${user === undefined ? '' : `${user}@`}${a.host}:${a.port};transport=${transport}>`
  }

  async #dispatch(incoming: IncomingRequest): Promise<void> {
    const request = incoming.message
    if (request.method === 'ACK') return
    const target = requestUriOrRespond(incoming)
    if (target === undefined) return
    // A Route naming us (an outbound-proxy setting) is consumed here (RFC 3261 §16.4).
    this.#proxy.stripOwnRoutes(request)
    // In a cluster, a Request-URI naming another node's address (the client dialled that node,
    // which proxied the request here unchanged) is ours too.
    const local = this.#proxy.isLocal(target) || (target.kind === 'sip' && this.#cluster !== undefined && (await this.#cluster.isNodeAddress(target.host, target.port)))
    if (request.method === 'REGISTER') {
      if (!local) {
        incoming.respond(403, { reason: 'Not the registrar for that domain', stateless: true })
        return
      }
      if ((await this.#auth.identify(incoming, 'uas')) === undefined) return
      this.registrar.handle(incoming)
      if (this.#cluster !== undefined) this.#shareRegistration(request)
      return
    }
    const aor = target.kind === 'sip' && target.user !== undefined ? identityKey(target) : undefined
    if (local && aor !== undefined && target.kind === 'sip') {
      const roomUri = this.roomUri(target.user ?? '')
      if (this.#cluster !== undefined) {
        const place = await this.#cluster.locateRoom(roomUri)
        if (place.kind === 'elsewhere') {
          this.#proxy.forwardToNode(incoming, place.address, { retryAfterS: Math.ceil(this.#cluster.leaseMs / 1000) })
          return
        }
      }
      const room = this.rooms.get(roomUri)
      if (room !== undefined) {
        const identity = await this.#auth.identify(incoming, 'uas')
        if (identity === undefined) return
        this.focus.handle(incoming, identity, room)
        return
      }
      if (request.method === 'INVITE' && this.rooms.createsOnDemand && !this.#isUser(aor, target.user ?? '') && (await this.#cluster?.locateUser(aor)) === undefined) {
        await this.#openOnDemand(incoming, roomUri)
        return
      }
    }
    if (this.#cluster !== undefined && local && aor !== undefined && isPresenceRequest(request) && this.registrar.locate(aor).length === 0) {
      // A person's presence lives on the node the person registered through.
      const node = await this.#cluster.locateUser(aor)
      if (node !== undefined) {
        this.#proxy.forwardToNode(incoming, node)
        return
      }
    }
    if (local && aor !== undefined && request.method === 'PUBLISH') {
      const identity = await this.#auth.identify(incoming, 'uas')
      if (identity !== undefined) this.presence.publish(incoming, identity)
      return
    }
    if (local && aor !== undefined && request.method === 'SUBSCRIBE' && eventPackage(request.headers.get('Event')) === 'presence') {
      const identity = await this.#auth.identify(incoming, 'uas')
      if (identity !== undefined) this.presence.subscribe(incoming, identity, this.#contactFor(incoming, target.kind === 'sip' ? target.user : undefined))
      return
    }
    if (local && aor === undefined) {
      // Requests to the server itself (sip:domain): OPTIONS keepalive/probing answers 200.
      if (request.method === 'OPTIONS') incoming.respond(200, { headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, REFER, MESSAGE']] })
      else incoming.respond(request.method === 'INVITE' || request.method === 'MESSAGE' ? 404 : 405, { stateless: true })
      return
    }
    if (!local) {
      incoming.respond(403, { reason: 'Not a relay for other domains', stateless: true })
      return
    }
    if (this.#cluster !== undefined && aor !== undefined && this.registrar.locate(aor).length === 0) {
      // Registered through another node of the cluster: that node holds the person's flow.
      const node = await this.#cluster.locateUser(aor)
      if (node !== undefined) {
        this.#proxy.forwardToNode(incoming, node)
        return
      }
    }
    if ((await this.#auth.identify(incoming, 'proxy')) === undefined) return
    this.#proxy.forward(incoming)
  }

  /** Tells the cluster how long the REGISTER's address of record stays registered here. */
  #shareRegistration(request: IncomingRequest['message']): void {
    const to = readNameAddrList(request.headers, 'To')[0]
    const aor = to === undefined ? undefined : identityKey(to.uri)
    if (aor === undefined) return
    const now = this.#clock.now()
    const expiresAt = Math.max(0, ...this.registrar.registrar.lookup(aor).map((b) => b.expiresAt))
    this.#cluster?.registered(aor, Math.max(0, expiresAt - now))
  }
}

/**
 * Starts a chat server and resolves once it listens.
 *
 * @example
 * ```ts
 * const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'] })       // in process
 * const tcp = await startChatServer({ domain: 'example.test', rooms: { lobby: { moderators: ['sip:mod@example.test'] } },
 *   users: { alice: 'secret' }, transport: { kind: 'sockets', host: '127.0.0.1', port: 5060 } })
 * console.log(tcp.addresses)
 * await server.close()   // BYE to everyone
 * ```
 */
export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const log = options.logger ?? silentLogger
  const mode = options.transport ?? { kind: 'memory' }
  const clock = options.clock ?? realClock
  const network = mode.kind === 'memory' ? (mode.network ?? createChatNetwork()) : undefined
  const limits = resolveLimits(options.limits)
  // SIP and MSRP over WebSocket and the chat page share the web port (RFC 7118, RFC 7977).
  const web = mode.kind === 'sockets' && mode.wsPort !== undefined
    ? await WebListener.listen({ host: mode.host ?? '127.0.0.1', port: mode.wsPort, maxConnections: limits.maxConnections, headerTimeoutMs: limits.headerTimeoutMs, log })
    : undefined
  let sip: SipEndpoint
  try {
    sip = await SipEndpoint.start(mode, options.domain, network, options.clock, log, limits, web)
  } catch (error) {
    await web?.close()
    throw error
  }
  // A failure part-way (an MSRP port in use, a bad room config) closes what was opened, so the
  // SIP ports are free again when this rejects.
  let msrp: MsrpEndpoint | undefined
  let server: ChatServer
  const readBudget = new MsrpReadBudget(limits.msrpReadBudgetBytes)
  try {
    msrp = await MsrpEndpoint.start(mode, options.domain, network?.msrp, {
      clock,
      maxConnections: limits.maxConnections,
      maxConnectionsPerSource: limits.maxConnectionsPerSource,
      unboundTimeoutMs: limits.msrpUnboundTimeoutMs,
      headerTimeoutMs: limits.headerTimeoutMs,
      unknownSessionMaxBodyBytes: limits.msrpUnknownSessionMaxBodyBytes,
      maxWriteBufferBytes: limits.msrpMaxWriteBufferBytes,
      readBudget,
    })
    if (web !== undefined) {
      const listener = msrp.listener
      msrp.webSocketPort = web.address.port
      web.msrpConnection = (ws) => void listener.accept(webSocketTransport(ws))
      if (options.webPage !== false) web.requests = webAssetHandler(log, { domain: options.domain })
    }
    const store = options.store ?? new InMemoryRoomStore({ clock })
    server = new ChatServer({ options, sip, msrp, network, store, clock, readBudget, web })
  } catch (error) {
    await msrp?.close().catch(() => undefined)
    await sip.close().catch(() => undefined)
    await web?.close()
    throw error
  }
  log.info(`chat server for ${options.domain} listening: ${server.addresses.sip.map((a) => `${a.transport} ${a.host}:${a.port}`).join(', ')}; msrp ${server.addresses.msrp.host}:${server.addresses.msrp.port}${server.addresses.advertise === server.addresses.msrp.host ? '' : `; advertised as ${server.addresses.advertise}`}`)
  return server
}

/** PUBLISH, or SUBSCRIBE to the presence event package. */
function isPresenceRequest(request: IncomingRequest['message']): boolean {
  return request.method === 'PUBLISH' || (request.method === 'SUBSCRIBE' && eventPackage(request.headers.get('Event')) === 'presence')
}

/** The event package of an Event header value, lower-cased (`presence;id=1` → `presence`). */
function eventPackage(value: string | undefined): string | undefined {
  return value?.split(';')[0]?.trim().toLowerCase()
}

/** The push bounds of the files options, for {@link RoomFilePushes}. */
function pushCaps(files: RoomFileOptions | undefined): { maxPushes?: number; maxPushesPerRoom?: number; maxQueuedPushes?: number } {
  return {
    ...(files?.maxPushes === undefined ? {} : { maxPushes: files.maxPushes }),
    ...(files?.maxPushesPerRoom === undefined ? {} : { maxPushesPerRoom: files.maxPushesPerRoom }),
    ...(files?.maxQueuedPushes === undefined ? {} : { maxQueuedPushes: files.maxQueuedPushes }),
  }
}

/** The transfer bounds of the files options, for {@link RoomFileTransfers}. */
function transferCaps(files: RoomFileOptions | undefined): { maxTransfers?: number; maxTransfersPerIdentity?: number } {
  return {
    ...(files?.maxTransfers === undefined ? {} : { maxTransfers: files.maxTransfers }),
    ...(files?.maxTransfersPerIdentity === undefined ? {} : { maxTransfersPerIdentity: files.maxTransfersPerIdentity }),
  }
}
