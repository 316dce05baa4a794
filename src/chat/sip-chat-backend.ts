/**
 * The real {@link ChatBackend}: a SIP user agent (REGISTER, PUBLISH, INVITE, SUBSCRIBE) plus
 * MSRP sessions, speaking RFC 7701 to a chat-room focus. Over sockets (UDP/TCP/TLS/WS) or, for
 * the in-process server, over memory transports: the code path is the same, only the
 * transports differ.
 *
 * Named states: `idle` → `starting` → `online` ⇄ `reconnecting` → `stopping` → `stopped`.
 * After a lost connection (transport closed, server restarted) it re-registers, re-joins its
 * rooms with their nicknames and re-subscribes, waiting a jittered exponential backoff between
 * attempts; the bot sees `connection: disconnected`, then `connection: reconnected`. Sends made
 * meanwhile reject at once with SEND_DISCONNECTED (the bot's outbound queue holds and retries
 * them after the reconnect).
 *
 * Every step of an attempt (REGISTER, INVITE, MSRP connect and bind, NICKNAME, SUBSCRIBE) is
 * bounded by a deadline and abandoned as soon as a SIP connection closes under it (see
 * step-guard.ts); any failure ends the attempt and schedules the next one, so a reconnecting
 * backend always has either a step with a deadline or a backoff timer pending.
 *
 * This file holds the backend's life (start, stop, reconnect) and its rooms; its other jobs live
 * next to it: `sip-chat-backend-options.ts` (its options), `event-queue.ts` and `in-flight.ts`
 * (events delivered in order, work in flight), `reconnect-loop.ts` (the way back after a lost
 * connection), `presence-watchers.ts` and `presence-status.ts` (presence), `room-calls.ts`
 * (INVITEs from rooms) and `direct-chats.ts` (1:1 chats and files).
 *
 * @module
 */
import { parseFileNotice } from '../rooms/file-notice.ts'
import type { FileReceipt, FileSink, OutgoingFileContent, ReceivedFileInfo, SendFileOptions } from './file-contract.ts'
import type { Sha1 } from '../msrp/sha1.ts'
import { debugLog } from '../debug-log.ts'
import { MsrpBotError } from '../errors.ts'
import { PresencePublisher } from '../sip/ua/presence-publisher.ts'
import { nextTurn, systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { MemoryTransport } from '../sip/transport/memory.ts'
import type { SipTransport } from '../sip/transport/types.ts'
import { SipAuthError, SipResponseError } from '../sip/ua/errors.ts'
import { Registerer } from '../sip/ua/registerer.ts'
import { UserAgent } from '../sip/ua/user-agent.ts'
import { identityKeyOrText, uriUser } from '../rooms/identity.ts'
import { Backoff } from './backoff.ts'
import { DEFAULT_STEP_TIMEOUT_MS, StepGuard } from './step-guard.ts'
import type {
  BackendConfig,
  BackendEvent,
  DirectAddress,
  DirectChatHandle,
  OutgoingContent,
  SendReceipt,
  BackendListener,
  ChatBackend,
  JoinOptions,
  PresenceState,
  RoomClosedReason,
  RoomHandle,
} from './backend.ts'
import { BackendErrorCode } from './backend.ts'
import { errorCode } from './backend-errors.ts'
import { TESTING, testingHooksOf, type MemoryNetworkOptions, type SipChatBackendTesting } from './testing-hooks.ts'
import type { ChatMemoryNetworks } from './msrp-dialer.ts'
import { memoryDialer, missingDialer } from './msrp-dialer.ts'
import type { MsrpDialer } from './msrp-dialer.ts'
import { RoomClient } from './room-client.ts'
import { DEFAULT_MAX_DIRECT_BACKLOG, DEFAULT_MAX_DIRECT_MESSAGE_BYTES, DEFAULT_MAX_DIRECT_SESSIONS, DirectChats } from './direct-chats.ts'
import { memoryAcceptor } from './msrp-acceptor.ts'
import { isRoomInvitation } from './room-invitation.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import { offersFile } from './direct-file.ts'
import type { ChatLogger, RoomHost } from './room-client.ts'
import { EventQueue } from './event-queue.ts'
import { InFlight } from './in-flight.ts'
import { toPresenceStatus } from './presence-status.ts'
import { PresenceWatchers } from './presence-watchers.ts'
import { ReconnectLoop } from './reconnect-loop.ts'
import { onRoomFilePush, onRoomInvitation, type CalledBackend } from './room-calls.ts'
import type { SipChatBackendOptions } from './sip-chat-backend-options.ts'

const debug = debugLog('msrp-bot:chat')

/** A logger that writes debug and info lines to `NODE_DEBUG=msrp-bot:chat` and warnings there too. */
export const debugChatLogger: ChatLogger = {
  debug: (m) => debug(m),
  info: (m) => debug(m),
  warn: (m) => debug(`WARN ${m}`),
}

export type { ChatMemoryNetworks } from './msrp-dialer.ts'

export type { SipChatBackendOptions } from './sip-chat-backend-options.ts'

/** Named states of a {@link SipChatBackend}. */
export type SipChatBackendState = 'idle' | 'starting' | 'online' | 'reconnecting' | 'stopping' | 'stopped'

class NotStartedError extends MsrpBotError {
  constructor(method: string, state: string) {
    super('BACKEND_NOT_STARTED', `SipChatBackend.${method}() needs a started backend (state: ${state}); await start() first`)
  }
}

let memoryHostCounter = 0

/**
 * A {@link ChatBackend} over SIP and MSRP.
 *
 * @example Against a real registrar and focus:
 * ```ts
 * const backend = new SipChatBackend({ uri: 'sip:echo@example.test', password: 's3cret', transport: 'tcp',
 *   outboundProxy: 'sip:proxy.example.test;lr' }, { platform: nodeChatPlatform })
 * const bot = createBot({ uri: 'sip:echo@example.test' }, { backend })
 * ```
 * @example In process, against `startChatServer({ domain: 'example.test' })`:
 * ```ts
 * const backend = new SipChatBackend({ uri: 'sip:echo@example.test', transport: 'tcp' }, { memory: server.network })
 * ```
 */
export class SipChatBackend implements ChatBackend {
  readonly uri: string
  readonly config: BackendConfig
  #options: SipChatBackendOptions
  #state: SipChatBackendState = 'idle'
  #ua: UserAgent | undefined
  #registerer: Registerer | undefined
  #publisher: PresencePublisher | undefined
  #presence: PresenceState = { status: 'available' }
  readonly #rooms = new Map<string, RoomClient>()
  /** Work in flight and everything that happened (see in-flight.ts). */
  readonly #inFlight = new InFlight()
  readonly #events = new EventQueue(this.#inFlight, (m) => this.#log.warn(m))
  readonly #watchers: PresenceWatchers
  /** This backend as the INVITEs of rooms see it (see room-calls.ts). */
  readonly #called: CalledBackend
  #backoff: Backoff
  #clock: Clock
  #steps: StepGuard
  #log: ChatLogger
  #dialer: MsrpDialer
  #sipTransport: SipTransport | undefined
  /** Suspends, waits and re-joins after a lost connection (see reconnect-loop.ts). */
  readonly #reconnect: ReconnectLoop
  #direct: DirectChats | undefined

  constructor(config: BackendConfig, options: SipChatBackendOptions = {}) {
    this.config = config
    this.uri = config.uri
    this.#options = options
    // The backend's own timers (reconnect backoff, grace periods) keep the process alive, unlike
    // the SIP stack's unref'd ones: a bot waiting to reconnect must not exit for lack of sockets.
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? debugChatLogger
    this.#backoff = new Backoff(options.reconnect === false ? {} : options.reconnect)
    this.#steps = this.#newStepGuard()
    this.#dialer = options.platform?.msrpDialer ?? missingDialer
    this.#configureTransport(options)
    this.#watchers = new PresenceWatchers({
      uri: this.uri,
      log: () => this.#log,
      step: (step, work, stepOptions) => this.#steps.run(step, work, stepOptions),
      track: (work) => this.#track(work),
      emit: (event) => this.#emit(event),
    })
    this.#reconnect = new ReconnectLoop({
      uri: this.uri,
      log: () => this.#log,
      clock: () => this.#clock,
      backoff: () => this.#backoff,
      steps: () => this.#steps,
      reconnecting: () => this.#state === 'reconnecting',
      rooms: () => [...this.#rooms.values()],
      register: () => this.#register(),
      rewatch: () => this.#watchers.resubscribe(),
      backOnline: () => this.#backOnline(),
      track: (work) => this.#track(work),
    })
    this.#called = {
      uri: this.uri,
      log: () => this.#log,
      online: () => this.#state === 'online',
      onInvitation: () => this.#options.onInvitation,
      hasListeners: () => this.#events.listenerCount > 0,
      room: (key) => this.#rooms.get(key),
      emit: (event) => this.#emit(event),
      track: (work) => this.#track(work),
      acceptInvitation: (invitation, roomUri, roomOptions) => this.#acceptInvitation(invitation, roomUri, roomOptions),
    }
  }

  /** The hooks `msrp-bot/testing` uses (see testing-hooks.ts); not part of the backend contract. */
  get [TESTING](): SipChatBackendTesting {
    const backend = this
    return {
      useMemoryNetwork: (memory, options) => backend.#useMemoryNetwork(memory, options),
      get busy() {
        return backend.#inFlight.busy
      },
      get activity() {
        return backend.#inFlight.activity
      },
      idle: () => backend.#inFlight.idle(),
      dropConnections: () => backend.#dropConnections(),
    }
  }

  #useMemoryNetwork(memory: ChatMemoryNetworks, options: MemoryNetworkOptions = {}): void {
    if (this.#state !== 'idle') throw new MsrpBotError('BACKEND_ALREADY_STARTED', 'useMemoryNetwork() must be called before start()')
    this.#options = { ...this.#options, ...options, memory, sipTransport: undefined, msrpDialer: undefined }
    if (options.clock !== undefined) this.#clock = options.clock
    if (options.logger !== undefined) this.#log = options.logger
    this.#steps = this.#newStepGuard()
    if (options.reconnect !== undefined) this.#backoff = new Backoff(options.reconnect === false ? {} : options.reconnect)
    this.#configureTransport(this.#options)
  }

  #newStepGuard(): StepGuard {
    const log = this.#log
    return new StepGuard(this.#clock, this.#options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, { logger: { debug: (m) => log.debug(m) }, label: this.uri })
  }

  #configureTransport(options: SipChatBackendOptions): void {
    if (options.memory !== undefined) {
      const host = `${(uriUser(this.uri) ?? 'ua').replace(/[^a-z0-9-]/gi, '') || 'ua'}-${++memoryHostCounter}.clients.invalid`
      this.#sipTransport = options.memory.sip.createTransport({ host, port: 5060 })
      this.#dialer = options.msrpDialer ?? memoryDialer(options.memory.msrp)
    } else {
      this.#sipTransport = options.sipTransport
      this.#dialer = options.msrpDialer ?? options.platform?.msrpDialer ?? missingDialer
    }
  }

  /** Current state. */
  get state(): SipChatBackendState {
    return this.#state
  }

  /** The user agent (once started). */
  get userAgent(): UserAgent | undefined {
    return this.#ua
  }

  /** Rooms currently held (joined or re-joining). */
  get rooms(): readonly RoomHandle[] {
    return [...this.#rooms.values()]
  }

  // ---- lifecycle -------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      if (this.#state === 'online' || this.#state === 'reconnecting') return
      throw new NotStartedError('start', this.#state)
    }
    this.#state = 'starting'
    const c = this.config
    const ua = new UserAgent({
      uri: c.uri,
      ...(c.username === undefined ? {} : { authorizationUser: c.username }),
      ...(c.password === undefined ? {} : { password: c.password }),
      ...(c.displayName === undefined ? {} : { displayName: c.displayName }),
      ...(typeof c.registrar === 'string' ? { registrar: c.registrar } : {}),
      ...(c.outboundProxy === undefined ? {} : { outboundProxy: c.outboundProxy }),
      transport: this.#sipTransport ?? c.transport,
      ...(this.#options.platform === undefined ? {} : { transportFactory: this.#options.platform.transportFactory }),
      ...(this.#options.tls === undefined ? {} : { tls: this.#options.tls }),
      ...(this.#options.listen === undefined ? {} : { listen: this.#options.listen }),
      ...(this.#options.clock === undefined ? {} : { clock: this.#options.clock }),
      logger: { debug: (m) => this.#log.debug(m), warn: (m) => this.#log.warn(m) },
      automaton: this.#options.automaton ?? true,
      ...this.#options.userAgent,
    })
    // A connection that closes abandons the steps riding it (their answers cannot come back on
    // it, RFC 3261 §18.2.2) and, once online, starts the reconnect.
    ua.on('connection-closed', (id, reason) => {
      this.#inFlight.touch()
      if (reason === 'local') return
      const error = new MsrpBotError('SIP_CONNECTION_LOST', `the SIP connection ${id} closed (${reason})`)
      this.#steps.abortAll(error)
      this.connectionLost(error)
    })
    try {
      await ua.start()
      this.#ua = ua
      const direct = this.#newDirectChats(ua)
      this.#direct = direct
      ua.on('message', (message) => direct.onMessage(message))
      ua.on('invite', (invitation) => {
        if (!isRoomInvitation(invitation)) direct.onInvite(invitation)
        else if (offersFile(invitation.remoteSdp)) onRoomFilePush(this.#called, invitation, direct)
        else onRoomInvitation(this.#called, invitation)
      })
      if (c.registrar !== false) this.#registerer = new Registerer(ua, { expires: 600, random: () => 1 })
      else this.#log.info(`${this.uri}: no registrar configured; not registering (reachable only in the rooms it joins)`)
      await this.#register()
    } catch (error) {
      this.#state = 'idle'
      this.#ua = undefined
      this.#direct = undefined
      await ua.stop().catch(() => undefined)
      // A new transport for the next attempt (a closed one cannot listen again).
      this.#configureTransport(this.#options)
      throw error
    }
    this.#state = 'online'
    if (this.#publishes) await this.#publish(this.#presence)
    this.#log.debug(`${this.uri} started`)
  }

  async #register(): Promise<void> {
    if (this.#registerer === undefined) return // registrar: false
    try {
      await this.#steps.run('REGISTER', this.#registerer!.register())
    } catch (error) {
      const why =
        error instanceof SipAuthError
          ? `the registrar refused the credentials (${error.message})`
          : error instanceof SipResponseError
            ? `the registrar answered ${error.status} ${error.reason}`
            : `no answer from the registrar (${(error as Error).message})`
      throw new MsrpBotError('REGISTRATION_FAILED', `cannot register ${this.uri}: ${why}; check uri, password, registrar and outboundProxy`, { cause: error })
    }
  }

  async #publish(presence: PresenceState): Promise<void> {
    const ua = this.#ua
    if (ua === undefined) return
    this.#publisher ??= new PresencePublisher(ua)
    try {
      await this.#steps.run('PUBLISH', this.#publisher.setStatus(toPresenceStatus(presence)))
    } catch (error) {
      const status = (error as { status?: number }).status
      // RFC 3903 §6 / RFC 6665 §8.3.1: a registrar without a presence agent answers 489 (or 405/501).
      if (status === 489 || status === 405 || status === 501 || status === 404) {
        this.#log.info(`the registrar does not take presence (${status}); continuing without publishing it`)
        return
      }
      this.#log.warn(`publishing presence failed: ${(error as Error).message}`)
    }
  }

  stop(): Promise<void> {
    if (this.#state === 'idle') {
      this.#state = 'stopped'
      return Promise.resolve()
    }
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  #stopping: Promise<void> | undefined

  async #stop(): Promise<void> {
    if (this.#state === 'stopped') return
    const wasOnline = this.#state === 'online'
    // A reconnect attempt in progress gives up at once instead of finishing its step.
    if (!wasOnline) this.#steps.abortAll(new MsrpBotError('BACKEND_STOPPING', `${this.uri} is stopping`))
    // Leave while still online, so the rooms get their BYEs (RFC 3261 §15).
    await Promise.allSettled([...this.#rooms.values()].map((room) => room.leave()))
    this.#rooms.clear()
    this.#state = 'stopping'
    this.#reconnect.cancelWait()
    if (wasOnline) {
      await this.#watchers.stopAll()
      if (this.#publisher !== undefined) await this.#publisher.remove().catch(() => undefined)
      await this.#registerer?.unregister().catch(() => undefined)
    }
    this.#watchers.clear()
    await this.#direct?.close()
    await this.#ua?.stop().catch((error: unknown) => this.#log.warn(`stopping the user agent failed: ${String(error)}`))
    this.#state = 'stopped'
    this.#log.debug(`${this.uri} stopped`)
    this.#inFlight.checkIdle()
  }

  // ---- rooms -----------------------------------------------------------------------------

  async join(roomUri: string, options: JoinOptions): Promise<RoomHandle> {
    this.#assertStarted('join')
    const key = identityKeyOrText(roomUri)
    const existing = this.#rooms.get(key)
    if (existing !== undefined && existing.state !== 'left' && existing.state !== 'closed') return existing
    if (this.#state !== 'online') {
      throw new MsrpBotError('JOIN_FAILED', `cannot join ${roomUri} while reconnecting; try again after the 'reconnected' event`)
    }
    const room = new RoomClient(this.#host(), roomUri)
    this.#rooms.set(key, room)
    try {
      await this.#track(room.open(options.nickname))
    } catch (error) {
      const code = errorCode(error)
      if ((code === BackendErrorCode.nicknameTaken || code === BackendErrorCode.nicknameInvalid) && room.state === 'joined') {
        // The session is up without a nickname: the bot owns the room (contract: error.room).
        throw error
      }
      this.#rooms.delete(key)
      await room.leave().catch(() => undefined)
      throw error
    }
    // Contract rule 3a: the room's events flow once the caller has the handle.
    nextTurn(() => room.release())
    return room
  }

  // ---- presence --------------------------------------------------------------------------

  /** Presence goes out unless turned off, or there is no registrar (no home server to hold it). */
  get #publishes(): boolean {
    return this.#options.publishPresence !== false && this.config.registrar !== false
  }

  async setPresence(presence: PresenceState): Promise<void> {
    this.#assertStarted('setPresence')
    if (this.config.registrar === false) {
      throw new MsrpBotError('NOT_SUPPORTED', `cannot publish presence for ${this.uri}: it runs without a registrar (registrar: false), so no presence agent holds its state; configure a registrar to use presence`)
    }
    this.#presence = { ...presence }
    if (this.#state === 'online') await this.#track(this.#publish(presence))
  }

  async watch(contactUri: string): Promise<void> {
    this.#assertStarted('watch')
    return this.#watchers.watch(this.#ua!, contactUri)
  }

  async unwatch(contactUri: string): Promise<void> {
    return this.#watchers.unwatch(contactUri)
  }

  // ---- invitations to rooms ----------------------------------------------------------------

  /** Joins a room by answering its INVITE (an invitation accepted, see room-calls.ts). */
  async #acceptInvitation(invitation: Invitation, roomUri: string, options: JoinOptions): Promise<RoomHandle> {
    this.#assertStarted('accept an invitation')
    const key = identityKeyOrText(roomUri)
    const existing = this.#rooms.get(key)
    if (existing !== undefined && existing.state !== 'left' && existing.state !== 'closed') {
      invitation.reject(486, 'Already in the room')
      return existing
    }
    const room = new RoomClient(this.#host(), roomUri)
    this.#rooms.set(key, room)
    try {
      await room.accept(invitation, options.nickname)
    } catch (error) {
      const code = errorCode(error)
      // The session is up without a nickname: the caller owns the room, as with join (error.room).
      if ((code === BackendErrorCode.nicknameTaken || code === BackendErrorCode.nicknameInvalid) && room.state === 'joined') throw error
      this.#rooms.delete(key)
      await room.leave().catch(() => undefined)
      throw error
    }
    nextTurn(() => room.release())
    return room
  }

  // ---- direct chats (outside rooms) ---------------------------------------------------------

  /** Page-mode MESSAGE or a SEND on a 1:1 session (see direct-chats.ts). */
  async sendDirect(to: DirectAddress, content: OutgoingContent): Promise<SendReceipt> {
    this.#assertStarted('sendDirect')
    return this.#direct!.send(to, content)
  }

  /** Opens a 1:1 MSRP chat (see direct-session.ts). */
  async openDirect(peerUri: string): Promise<DirectChatHandle> {
    this.#assertStarted('openDirect')
    return this.#direct!.open(peerUri)
  }

  /** Pushes a file to a person or bot (RFC 5547, see direct-file.ts). */
  async sendFile(peerUri: string, file: OutgoingFileContent, options?: SendFileOptions): Promise<FileReceipt> {
    this.#assertStarted('sendFile')
    return this.#direct!.sendFile(peerUri, file, options)
  }

  /**
   * Pulls a file by its SHA-1 from `targetUri` (RFC 5547 §8.3: a chat room that stores it) into
   * `sink`; resolves with its name, type, size and checked hash.
   */
  async pullFile(targetUri: string, sha1: string, sink: FileSink, options?: { maxBytes?: number; startAt?: number; hash?: Sha1 }): Promise<ReceivedFileInfo & { name: string; type: string }> {
    this.#assertStarted('pullFile')
    return this.#direct!.pullFile(targetUri, sha1, sink, options)
  }

  #newDirectChats(ua: UserAgent): DirectChats {
    const clock = this.#clock
    const acceptor = this.#options.memory !== undefined ? memoryAcceptor(this.#options.memory.msrp) : this.#options.platform?.msrpAcceptor
    return new DirectChats(
      {
        ua,
        self: this.uri,
        displayName: this.config.displayName,
        dialer: this.#dialer,
        msrpTimeoutMs: this.#options.msrpTimeoutMs,
        maxMessageBytes: this.#options.maxDirectMessageBytes ?? DEFAULT_MAX_DIRECT_MESSAGE_BYTES,
        maxSessions: this.#options.maxDirectSessions ?? DEFAULT_MAX_DIRECT_SESSIONS,
        backlog: () => this.#events.length,
        maxBacklog: this.#options.maxDirectBacklog ?? DEFAULT_MAX_DIRECT_BACKLOG,
        bindTimeoutMs: this.#options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        mayDial: this.#options.directDial ?? false,
        setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
        clearTimeout: (handle) => clock.clearTimeout(handle),
        log: this.#log,
        emit: (event) => this.#emit(event),
        track: (work) => this.#track(work),
      },
      acceptor,
    )
  }

  // ---- events ----------------------------------------------------------------------------

  subscribe(listener: BackendListener): () => void {
    return this.#events.subscribe(listener)
  }

  #emit(event: BackendEvent): void {
    this.#inFlight.touch()
    this.#events.push(event)
    // A file the room announced (rooms/file-notice.ts) is also a 'file' event, pulled on demand;
    // unless the room pushes it to everyone: then its offer is the one 'file' event.
    const shared = event.type === 'notice' && this.#direct !== undefined ? parseFileNotice(event.text) : undefined
    if (shared !== undefined && shared.pushed !== true && event.type === 'notice') this.#events.push(this.#direct!.roomFile(event.room, shared))
    this.#events.deliver()
  }

  /** Counts `work` as in flight until it settles (for tests' settled()). */
  #track<T>(work: Promise<T>): Promise<T> {
    return this.#inFlight.track(work)
  }

  // ---- connection loss and reconnect -----------------------------------------------------

  /**
   * Reports the connection lost (transport closed, server unreachable): the backend emits
   * `disconnected`, drops its sessions locally and starts re-connecting. Idempotent.
   */
  connectionLost(error: Error): void {
    if (this.#state !== 'online') return
    this.#state = 'reconnecting'
    this.#log.debug(`${this.uri}: connection lost: ${error.message}`) // the bot logs the disconnected event (one line per event)
    this.#emit({ type: 'connection', state: 'disconnected', error })
    if (this.#options.reconnect === false) return
    this.#reconnect.start()
  }

  /** The reconnect loop's attempt succeeded: online again, and presence republished. */
  async #backOnline(): Promise<void> {
    this.#state = 'online'
    this.#backoff.reset()
    this.#log.info(`${this.uri} reconnected`)
    this.#emit({ type: 'connection', state: 'reconnected' })
    if (this.#publishes) await this.#publish(this.#presence)
  }

  /**
   * Fault injection for tests: cuts every connection this backend has (SIP and MSRP), as a
   * network failure would. Only meaningful on a memory network.
   */
  #dropConnections(): void {
    const transport = this.#ua?.transport as MemoryTransport | undefined
    if (transport !== undefined && typeof (transport as { fail?: unknown }).fail === 'function') {
      for (const id of this.#connectionIds()) transport.fail(id)
    }
    for (const room of this.#rooms.values()) testingHooksOf(room).dropMedia()
  }

  #connectionIds(): string[] {
    return (this.#ua?.transport as { connectionIds?: () => string[] } | undefined)?.connectionIds?.() ?? []
  }

  // ---- helpers ---------------------------------------------------------------------------

  #assertStarted(method: string): void {
    if (this.#state !== 'online' && this.#state !== 'reconnecting') throw new NotStartedError(method, this.#state)
  }

  #host(): RoomHost {
    const backend = this
    return {
      get ua() {
        return backend.#ua!
      },
      self: this.uri,
      displayName: this.config.displayName,
      dialer: this.#dialer,
      clock: this.#clock,
      log: this.#log,
      msrpTimeoutMs: this.#options.msrpTimeoutMs,
      mediaGraceMs: this.#options.mediaGraceMs ?? 2000,
      rosterWaitMs: 2000,
      joinNicknameWaitMs: this.#options.joinNicknameWaitMs ?? 1000,
      successReports: this.#options.successReports ?? false,
      online: () => this.#state === 'online',
      emit: (event) => this.#emit(event),
      connectionLost: (error) => this.connectionLost(error),
      roomClosed: (room, reason) => this.#roomClosed(room, reason),
      track: (work) => this.#track(work),
      step: (step, work, options) => this.#steps.run(step, work, options),
      newBackoff: () => new Backoff(this.#options.reconnect === false ? {} : this.#options.reconnect),
    }
  }

  #roomClosed(room: RoomClient, _reason: RoomClosedReason): void {
    const key = identityKeyOrText(room.uri)
    if (this.#rooms.get(key) === room) this.#rooms.delete(key)
  }
}
