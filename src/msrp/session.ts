/**
 * An MSRP session (RFC 4975 §5, §7): a local URI, the peer's path, and a connection.
 *
 * Sending chunks each message (RFC 4975 §5.1), pipelines the chunks, and resolves when every
 * chunk got its 200 — and, when asked for, the success REPORT arrived — or rejects with a typed
 * error: {@link MsrpRequestError} (failure response, failure REPORT, 408 timeout) or
 * {@link MsrpClosedError} (connection or session closed, send cancelled). Sends wait in a
 * bounded queue; a session never buffers without limit and never drops a message.
 *
 * Receiving reassembles chunks (in any order, interleaved), answers 413 for messages over the
 * size limit and 415 for types outside `acceptTypes`, sends REPORTs when the sender asked for
 * them, never answers a REPORT (§7.1.2), and handles RFC 7701 NICKNAME requests.
 *
 * The same session serves both ends of a chat room. A client answers each chunk at once and
 * emits the message; a focus passes a {@link MsrpDecider}, so the SEND that completes a message
 * is answered only after the room decided it (RFC 7701 §6), and relays each message to many
 * sessions with {@link MsrpSession.sendShared} (one serialization per fan-out, shared-send.ts).
 */
import { debugLog } from '../debug-log.ts'
import { EventEmitter } from 'eventemitter3'
import { acceptsType } from '../sdp/accept-types.ts'
import type { MessageChunk } from './chunker.ts'
import { abortChunk, chunkMessage, DEFAULT_CHUNK_SIZE } from './chunker.ts'
import { type Clock, systemClock } from '../clock.ts'
import type { MsrpRequestHandler, PreparedRequest } from './connection.ts'
import { DEFAULT_TRANSACTION_TIMEOUT_MS, MsrpConnection } from './connection.ts'
import { MsrpClosedError, MsrpRequestError, MsrpTimeoutError } from './errors.ts'
import type { MsrpListener, PassiveSession } from './listener.ts'
import { noDialError, type MsrpDial } from './dial.ts'
import type { MsrpHeaders, MsrpRequest, MsrpResponse, SuccessReport } from './message.ts'
import { MSRP_REASONS } from './message.ts'
import type { ByteInterval } from './reassembler.ts'
import { Reassembler } from './reassembler.ts'
import { generateTransactionId, serializeFrameParts, transactionIdFor } from './serializer.ts'
import { pathLines, serializeSharedSend, type CopyCallback, type CopyOutcome, type SharedSend } from './shared-send.ts'
import type { MsrpUri } from './uri.ts'
import { formatMsrpUri, parseMsrpPath, parseMsrpUri } from './uri.ts'
import { MIN_CHUNK_CAP_BYTES, type IncomingMsrpMessage, type MsrpDecider, type MsrpSessionEvents, type MsrpSessionOptions, type MsrpVerdict, type OutgoingMessage, type SendResult, type SessionState } from './session-options.ts'

export { MIN_CHUNK_CAP_BYTES } from './session-options.ts'
export type { IncomingMsrpMessage, MsrpDecider, MsrpSessionEvents, MsrpSessionOptions, MsrpVerdict, OutgoingMessage, SendResult, SessionState } from './session-options.ts'

const log = debugLog('msrp')
const EMPTY = Buffer.alloc(0)
const noop = (): void => {}
const NO_URIS: readonly MsrpUri[] = Object.freeze([])
const SETTLED: Promise<void> = Promise.resolve()
const DELIVERED: CopyOutcome = Object.freeze({ ok: true })
const SESSION_GONE: CopyOutcome = Object.freeze({ ok: false, status: 481, reason: 'Session does not exist' })

/** Deep-freezes a parsed URI, so its formatted text is cached (see formatMsrpUri). */
function frozenUri(uri: MsrpUri): MsrpUri {
  return Object.isFrozen(uri) ? uri : Object.freeze({ ...uri, params: Object.freeze([...uri.params]) })
}

/** A failed copy: the error's MSRP status (408 timeout, a refusal) or 481 when it has none. */
function copyFailure(error: unknown): CopyOutcome {
  if (error instanceof MsrpTimeoutError) return { ok: false, status: 408, reason: error.message, stalled: error.peerStalled }
  const status = (error as { status?: unknown }).status
  return { ok: false, status: typeof status === 'number' ? status : 481, reason: error instanceof Error ? error.message : String(error) }
}

/** How a shared copy went, from its transaction (one function for every copy: no closure per copy). */
function copyDone(response: MsrpResponse | undefined, error: Error | undefined, done: CopyCallback, index: number): void {
  if (error !== undefined) done(copyFailure(error), index)
  else if (response === undefined || response.status === 200) done(DELIVERED, index)
  else done(response.comment === undefined ? { ok: false, status: response.status } : { ok: false, status: response.status, reason: response.comment }, index)
}

interface Outgoing {
  readonly total: number
  failure: Error | undefined
  reported: ByteInterval[]
  report: Deferred<void> | undefined
}

interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: Error): void
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(noop)
  return { promise, resolve, reject }
}

/**
 * A session id with 120 bits of randomness (RFC 4975 §14.1: hard to guess, at least 80 bits).
 */
export function generateSessionId(): string {
  return generateTransactionId(20)
}

/** Builds our MSRP URI from where we are reachable, e.g. `msrp://127.0.0.1:2855/<id>;tcp`. */
export function localMsrpUri(options: { host: string; port?: number; sessionId?: string; secure?: boolean; transport?: string }): MsrpUri {
  const uri: { -readonly [K in keyof MsrpUri]: MsrpUri[K] } = {
    scheme: options.secure ? 'msrps' : 'msrp',
    host: options.host,
    sessionId: options.sessionId ?? generateSessionId(),
    transport: options.transport ?? 'tcp',
    params: [],
  }
  if (options.port !== undefined) uri.port = options.port
  return uri
}

function coverage(intervals: ByteInterval[], add: ByteInterval): ByteInterval[] {
  const all = [...intervals, add].sort((a, b) => a.start - b.start)
  const out: { start: number; end: number }[] = []
  for (const r of all) {
    const last = out.at(-1)
    if (last !== undefined && r.start <= last.end + 1) last.end = Math.max(last.end, r.end)
    else out.push({ ...r })
  }
  return out
}

/**
 * One MSRP session.
 *
 * @example Active side (RFC 6135 `a=setup:active`): dial the peer's first hop and bind.
 * ```ts
 * const session = await MsrpSession.connect({ localUri, remotePath: 'msrp://10.0.0.2:2855/x;tcp' })
 * await session.send({ contentType: 'text/plain', body: 'hello' })
 * ```
 * @example Passive side: wait for the peer's first SEND on a listener.
 * ```ts
 * const session = new MsrpSession({ localUri, listener })
 * session.on('message', (m) => console.log(m.body.toString()))
 * await session.opened()
 * ```
 */
export class MsrpSession extends EventEmitter<MsrpSessionEvents> implements PassiveSession, MsrpRequestHandler {
  /** Our session id (the path of {@link localUri}). */
  readonly id: string
  /** Our MSRP URI, used as From-Path. */
  readonly localUri: MsrpUri
  readonly #relayPath: readonly MsrpUri[]
  #remotePath: MsrpUri[] | undefined
  readonly #acceptTypes: readonly string[]
  readonly #chunkSize: number
  readonly #maxPending: number
  readonly #transactionTimeoutMs: number
  readonly #reportTimeoutMs: number
  readonly #clock: Clock
  readonly #onNickname: MsrpSessionOptions['onNickname']
  readonly #listener: MsrpListener | undefined
  readonly #decider: MsrpDecider | undefined
  readonly #maxMessageBytes: number | undefined
  readonly #maxIncomplete: number | undefined
  // Made on first use (reassembler, queues, controller): a focus holds one session per
  // participant, most of them idle, so an idle session holds no more than its fields.
  #reassembler: Reassembler<{ contentType: string | undefined; headers: MsrpHeaders }> | undefined
  #outgoing: Map<string, Outgoing> | undefined
  #state: SessionState = 'connecting'
  #connection: MsrpConnection | undefined
  #ownsConnection: boolean
  #pending = 0
  #admitQueue: Array<Deferred<void>> | undefined
  #writeTail: Promise<void> = SETTLED
  /** Aborted (with the reason) when the session closes; interrupts every wait of the session. */
  #closing: AbortController | undefined
  /** Why the session ended (the reason #closing is aborted with, once it exists). */
  #endError: Error | undefined
  /** Decided messages whose SEND is not answered yet (decider mode). */
  #deciding: Set<Promise<void>> | undefined
  /**
   * Transaction ids: a random prefix per session and a counter (RFC 4975 §7.1 asks for
   * uniqueness within the session and enough randomness to avoid guessing; fresh random bytes
   * per request were a tenth of a focus's relay CPU time).
   */
  readonly #tidPrefix = generateTransactionId(8)
  #tidSeq = 0
  /** The `To-Path`/`From-Path` lines of shared copies, built on the first one. */
  #copyHead: Buffer | undefined

  constructor(options: MsrpSessionOptions) {
    super()
    // Frozen, so the From-Path text of every frame is formatted once (see formatMsrpUri).
    this.localUri = frozenUri(typeof options.localUri === 'string' ? parseMsrpUri(options.localUri) : options.localUri)
    if (this.localUri.sessionId === undefined) {
      throw new MsrpClosedError('MSRP_BAD_LOCAL_URI', `local MSRP URI ${formatMsrpUri(this.localUri)} needs a session id, e.g. msrp://host:port/${generateSessionId()};tcp`)
    }
    this.id = this.localUri.sessionId
    this.#remotePath = typeof options.remotePath === 'string' ? parseMsrpPath(options.remotePath) : options.remotePath ? [...options.remotePath] : undefined
    this.#relayPath = options.relayPath === undefined || options.relayPath.length === 0 ? NO_URIS : [...options.relayPath]
    this.#acceptTypes = options.acceptTypes ?? ['*']
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
    this.#maxPending = options.maxPendingSends ?? 16
    this.#transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS
    this.#reportTimeoutMs = options.reportTimeoutMs ?? 30_000
    this.#clock = options.clock ?? systemClock
    this.#onNickname = options.onNickname
    this.#decider = options.decider
    this.#maxMessageBytes = options.maxMessageBytes
    this.#maxIncomplete = options.maxIncompleteMessages
    this.#ownsConnection = options.closeIdleConnection === true
    this.#listener = options.listener
    this.#listener?.register(this)
  }

  /**
   * Active side (RFC 6135): connects to the first hop of `relayPath ++ remotePath` (or uses
   * `connection`), attaches, and — unless `bind: false` — sends the empty SEND that binds the
   * connection to the session (RFC 4975 §5.4) and waits for its 200.
   */
  static async connect(options: MsrpSessionOptions & { remotePath: readonly MsrpUri[] | string; connection?: MsrpConnection; dial?: MsrpDial; bind?: boolean }): Promise<MsrpSession> {
    const session = new MsrpSession(options)
    const route = session.#route()
    let connection = options.connection
    if (connection === undefined) {
      if (options.dial === undefined) throw noDialError('MsrpSession.connect()')
      connection = await options.dial(route[0] as MsrpUri, {
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: options.transactionTimeoutMs }),
      })
      session.#ownsConnection = true
    }
    session.bind(connection)
    if (options.bind !== false) {
      try {
        await session.#bindingSend()
      } catch (error) {
        await session.close()
        throw error
      }
    }
    return session
  }

  /** The current state. */
  get state(): SessionState {
    return this.#state
  }

  /** The connection in use, once bound. */
  get connection(): MsrpConnection | undefined {
    return this.#connection
  }

  /** The peer's path (as known so far). */
  get remotePath(): readonly MsrpUri[] | undefined {
    return this.#remotePath
  }

  /** Sets the peer's path, e.g. after the SDP answer arrived. */
  setRemotePath(path: readonly MsrpUri[] | string): void {
    this.#remotePath = typeof path === 'string' ? parseMsrpPath(path) : [...path]
    this.#copyHead = undefined
  }

  /** Resolves once the session is open (bound to a connection); rejects if it closes first. */
  opened(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve()
    if (this.#state !== 'connecting') return Promise.reject(this.#closedError())
    return new Promise<void>((resolve, reject) => {
      const onState = (state: SessionState): void => {
        if (state === 'connecting') return
        this.off('state', onState)
        if (state === 'open') resolve()
        else reject(this.#closedError())
      }
      this.on('state', onState)
    })
  }

  /** Binds the session to a connection (done by `connect()` or by the listener). */
  bind(connection: MsrpConnection): void {
    if (this.#state !== 'connecting') throw new MsrpClosedError('MSRP_SESSION_CLOSED', `MSRP session ${this.id} is ${this.#state}; cannot bind it`)
    connection.attach(this.id, this)
    this.#connection = connection
    this.#setState('open')
  }

  /**
   * Sends a message; resolves when every chunk was acknowledged (and the success REPORT came,
   * if requested). Waits while `maxPendingSends` messages are in progress.
   *
   * @throws MsrpRequestError on a failure response or REPORT, or 408 on timeout.
   * @throws MsrpClosedError when the session or connection closes, or the send is cancelled.
   */
  async send(message: OutgoingMessage): Promise<SendResult> {
    const body = typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength)
    this.#checkAbort(message.signal)
    await this.#admit(message.signal)
    try {
      await this.#interruptible(this.opened(), message.signal)
      return await this.#transmit(message, body)
    } finally {
      this.#release()
    }
  }

  /**
   * Sends one copy of a message serialized once for many sessions (the fan-out of a chat-room
   * focus: {@link SharedSend}) as one SEND, and reports how it went through `done` rather than
   * a promise (a fan-out makes one copy per recipient): on the copy's 200 or failure response;
   * 408 when no answer came within `transactionTimeoutMs` (counted from now, so a copy stuck
   * behind a peer that stopped reading still ends in time); with `Failure-Report: partial`,
   * once the connection took the bytes; 481 at once when the session is not open. Copies skip
   * the send queue of {@link send}; the bytes are those of `serializeFrameParts` for the same
   * frame (test/msrp/session-shared-send.test.ts). `index` is passed back to `done`, so a
   * fan-out can give every copy the same function (no closure per copy, which would live until
   * the copy's 200 and be promoted by the garbage collector under load).
   */
  sendShared(message: SharedSend, done: CopyCallback, index = 0): void {
    const connection = this.#connection
    if (connection === undefined || connection.state !== 'open' || this.#state !== 'open') {
      done(SESSION_GONE, index)
      return
    }
    let prepared: PreparedRequest
    try {
      prepared = message.rest === undefined ? this.#copyFrame(message) : this.#sharedCopy(message)
      connection.sendPrepared(prepared, this.#transactionTimeoutMs, copyDone, done, index)
    } catch (error) {
      done(copyFailure(error), index)
    }
  }

  /** One copy from the shared bytes: start line, this session's path lines, the shared rest. */
  #sharedCopy(message: SharedSend): PreparedRequest {
    const tid = this.#nextTransactionId(message.mayHoldEndLine ? message.body : undefined)
    const head = (this.#copyHead ??= pathLines(this.#route(), [this.localUri]))
    return { transactionId: tid, method: 'SEND', bytes: [serializeSharedSend(message, tid, head)], expectResponse: !message.partial }
  }

  /**
   * A copy with no shared form (an empty body, or an id or type the serializer must check):
   * the same frame through the checked serializer, which throws on what it refuses.
   */
  #copyFrame(message: SharedSend): PreparedRequest {
    const body = message.body
    const headers: Partial<MsrpHeaders> = { 'Message-ID': message.messageId, 'Byte-Range': { start: 1, end: body.length, total: body.length } }
    const partial = message.partial && body.length > 0
    // RFC 4975 §7.1.1: with "partial" the recipient answers failures only.
    if (partial) headers['Failure-Report'] = 'partial'
    if (body.length > 0) headers['Content-Type'] = message.contentType
    const frame = this.#request('SEND', headers, body.length > 0 ? body : undefined)
    return { transactionId: frame.transactionId, method: 'SEND', bytes: serializeFrameParts(frame), expectResponse: !partial }
  }

  /**
   * Asks the chat room for a nickname (RFC 7701 §7): sends NICKNAME with `Use-Nickname` and
   * resolves with the 200 response.
   *
   * @throws MsrpRequestError `MSRP_NICKNAME_REJECTED` with `status` 425 (in use), 424 (too
   *   long), 403 or 501; `MSRP_TIMEOUT` (408) when the focus does not answer.
   */
  async setNickname(nickname: string): Promise<MsrpResponse> {
    await this.opened()
    const connection = this.#requireConnection()
    const frame = this.#request('NICKNAME', { 'Use-Nickname': nickname })
    const response = (await this.#interruptible(connection.request(frame, { timeoutMs: this.#transactionTimeoutMs }).response)) as MsrpResponse
    if (response.status !== 200) {
      throw new MsrpRequestError('MSRP_NICKNAME_REJECTED', response.status, `nickname "${nickname}" refused: ${response.status} ${response.comment ?? ''}`.trim(), response.comment)
    }
    return response
  }

  /**
   * Closes the session: queued and in-progress sends reject with `MSRP_SESSION_CLOSED`, the
   * session leaves its connection, and a connection it opened itself is closed when no other
   * session uses it.
   */
  async close(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return
    this.#setState('closing')
    this.#terminate(undefined)
    const connection = this.#connection
    if (connection !== undefined) {
      connection.detach(this.id)
      if (this.#ownsConnection && connection.sessionCount === 0 && connection.state === 'open') {
        await new Promise<void>((resolve) => {
          connection.once('close', () => resolve())
          connection.close()
        })
      }
    }
    this.#finish(undefined)
  }

  // ---- MsrpRequestHandler ----------------------------------------------------------------

  /** @internal Called by the connection for requests naming this session. */
  handleRequest(request: MsrpRequest, connection: MsrpConnection): void {
    try {
      this.#handleRequest(request, connection)
    } catch (error) {
      // A fault of a handler (a listener, the decider) must not reach the connection's read loop.
      log('session %s: handling %s %s failed: %s', this.id, request.method, request.transactionId, String(error))
      connection.respond(request, 403, 'Request failed')
    }
  }

  /**
   * @internal The largest chunk body the connection buffers for this session: the message limit
   * with headroom (at least {@link MIN_CHUNK_CAP_BYTES}); a bigger chunk closes the connection.
   */
  maxChunkBytes(): number {
    return Math.max(this.#messageLimit(), MIN_CHUNK_CAP_BYTES)
  }

  #messageLimit(): number {
    return this.#decider?.maxMessageBytes() ?? this.#maxMessageBytes ?? 16 * 1024 * 1024
  }

  #handleRequest(request: MsrpRequest, connection: MsrpConnection): void {
    if (this.#state === 'closing' || this.#state === 'closed') {
      connection.respond(request, 481)
      return
    }
    this.#remotePath ??= [...request.headers['From-Path']]
    switch (request.method) {
      case 'SEND':
        this.#onSend(request, connection)
        return
      case 'REPORT':
        this.#onReport(request)
        return
      case 'NICKNAME':
        this.#onNicknameRequest(request, connection)
        return
      default:
        // RFC 4975 §7.3: unknown methods get 501.
        connection.respond(request, 501)
    }
  }

  /** @internal Called by the connection when it closes. */
  connectionClosed(connection: MsrpConnection, error: Error | undefined): void {
    if (connection !== this.#connection || this.#state === 'closed') return
    const cause = new MsrpClosedError('MSRP_CONNECTION_CLOSED', `the MSRP connection of session ${this.id} closed${error ? `: ${error.message}` : ''}`, error ? { cause: error } : undefined)
    this.#terminate(cause)
    this.#finish(error)
  }

  // ---- sending ---------------------------------------------------------------------------

  async #transmit(message: OutgoingMessage, body: Buffer): Promise<SendResult> {
    const connection = this.#requireConnection()
    const messageId = message.messageId ?? generateTransactionId(16)
    const signal = message.signal
    const wantReport = message.successReport === true
    const chunks = chunkMessage(body, { chunkSize: this.#chunkSize })
    const out: Outgoing = { total: body.length, failure: undefined, reported: [], report: wantReport ? deferred<void>() : undefined }
    ;(this.#outgoing ??= new Map()).set(messageId, out)
    try {
      const responses: Promise<unknown>[] = []
      let issued = 0
      const unlock = await this.#lockWrites()
      try {
        for (const chunk of chunks) {
          if (out.failure !== undefined) break
          this.#checkAbort(signal)
          if (this.#state !== 'open') throw this.#closedError()
          const request = connection.request(this.#chunkFrame(messageId, message, chunk), { timeoutMs: this.#transactionTimeoutMs })
          issued += chunk.data.length
          const checked = request.response.then((response) => {
            if (response !== undefined && response.status !== 200) {
              const error = new MsrpRequestError('MSRP_REQUEST_FAILED', response.status, `MSRP peer refused message ${messageId}: ${response.status} ${response.comment ?? ''}`.trim(), response.comment)
              out.failure ??= error
              throw error
            }
          })
          checked.catch(noop)
          responses.push(checked)
          await this.#interruptible(request.written, signal)
        }
      } catch (error) {
        const interrupted = signal?.aborted === true || this.#state !== 'open'
        if (interrupted && issued > 0 && issued < body.length && connection.state === 'open') this.#sendAbort(connection, messageId, message, issued, body.length)
        throw error
      } finally {
        unlock()
      }
      const settled = await this.#interruptible(Promise.allSettled(responses), signal)
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
      if (failed !== undefined) throw failed.reason
      if (out.failure !== undefined) throw out.failure
      if (out.report !== undefined) await this.#interruptible(this.#withTimeout(out.report.promise, this.#reportTimeoutMs, messageId), signal)
      if (out.failure !== undefined) throw out.failure
      log('session %s sent message %s (%d bytes, %d chunks)', this.id, messageId, body.length, chunks.length)
      return { messageId, bytes: body.length, chunks: chunks.length }
    } finally {
      this.#outgoing?.delete(messageId)
    }
  }

  #chunkFrame(messageId: string, message: OutgoingMessage, chunk: MessageChunk): MsrpRequest {
    const headers: Partial<MsrpHeaders> = { 'Message-ID': messageId, 'Byte-Range': chunk.byteRange }
    if (message.successReport === true) headers['Success-Report'] = 'yes' satisfies SuccessReport
    if (message.failureReport !== undefined && message.failureReport !== 'yes') headers['Failure-Report'] = message.failureReport
    headers['Content-Type'] = message.contentType
    const frame = this.#request('SEND', headers, chunk.data, chunk.continuation)
    if (message.extensionHeaders) frame.extensionHeaders = [...message.extensionHeaders]
    return frame
  }

  #sendAbort(connection: MsrpConnection, messageId: string, message: OutgoingMessage, sent: number, total: number): void {
    const chunk = abortChunk(sent, total)
    const frame = this.#chunkFrame(messageId, message, chunk)
    // RFC 4975 §7.1.1: "#" tells the receiver the message ends here, incomplete.
    const request = connection.request(frame, { timeoutMs: this.#transactionTimeoutMs })
    request.response.catch(noop)
    log('session %s aborted message %s after %d bytes', this.id, messageId, sent)
  }

  /**
   * Binds the connection with the empty SEND (RFC 4975 §5.4), for a session made with
   * `connect({ bind: false })`: attach the `message` listener first, then call this, so nothing
   * the peer sends right after the binding (a room's welcome) arrives before anyone listens.
   * Closes the session and rejects when the peer refuses.
   */
  async sendBinding(): Promise<void> {
    try {
      await this.#bindingSend()
    } catch (error) {
      await this.close()
      throw error
    }
  }

  async #bindingSend(): Promise<void> {
    const connection = this.#requireConnection()
    // RFC 4975 §5.4 / §7.1: the active side's first request binds the connection; an empty SEND
    // (no body, Byte-Range 1-0/0) does it without delivering anything.
    const frame = this.#request('SEND', { 'Message-ID': generateTransactionId(16), 'Byte-Range': { start: 1, end: 0, total: 0 } })
    const response = await this.#interruptible(connection.request(frame, { timeoutMs: this.#transactionTimeoutMs }).response)
    if (response !== undefined && response.status !== 200) {
      throw new MsrpRequestError('MSRP_REQUEST_FAILED', response.status, `MSRP peer refused to bind session ${this.id}: ${response.status} ${response.comment ?? ''}`.trim(), response.comment)
    }
  }

  #request(method: string, headers: Partial<MsrpHeaders>, body?: Buffer, continuation: '$' | '+' | '#' = '$'): MsrpRequest {
    const frame: MsrpRequest = {
      type: 'request',
      method,
      transactionId: this.#nextTransactionId(body),
      headers: { 'To-Path': this.#route(), 'From-Path': [this.localUri], ...headers },
      extensionHeaders: [],
      continuation,
    }
    if (body !== undefined) frame.body = body
    return frame
  }

  #route(): MsrpUri[] {
    if (this.#remotePath === undefined || this.#remotePath.length === 0) {
      throw new MsrpClosedError('MSRP_NO_REMOTE_PATH', `MSRP session ${this.id} does not know the peer's path yet; pass remotePath (from the SDP a=path)`)
    }
    return [...this.#relayPath, ...this.#remotePath]
  }

  /** Serialises chunk writing per session, so messages go out whole and in order. */
  async #lockWrites(): Promise<() => void> {
    const previous = this.#writeTail
    let unlock = noop
    this.#writeTail = new Promise<void>((resolve) => {
      unlock = resolve
    })
    await previous
    return unlock
  }

  async #admit(signal: AbortSignal | undefined): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') throw this.#closedError()
    if (this.#pending < this.#maxPending) {
      this.#pending++
      return
    }
    const waiter = deferred<void>()
    ;(this.#admitQueue ??= []).push(waiter)
    try {
      await this.#interruptible(waiter.promise, signal)
    } catch (error) {
      const i = this.#admitQueue?.indexOf(waiter) ?? -1
      if (i >= 0) this.#admitQueue?.splice(i, 1)
      else this.#release() // the slot was handed over just as we gave up
      throw error
    }
  }

  #release(): void {
    const next = this.#admitQueue?.shift()
    if (next !== undefined) next.resolve()
    else this.#pending--
  }

  #withTimeout<T>(promise: Promise<T>, ms: number, messageId: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => reject(new MsrpRequestError('MSRP_TIMEOUT', 408, `no success REPORT for message ${messageId} within ${ms} ms`)), ms)
      promise.then(
        (value) => {
          this.#clock.clearTimeout(timer)
          resolve(value)
        },
        (error: Error) => {
          this.#clock.clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  /**
   * Races `promise` with the session closing and the caller's abort signal. Listeners are
   * removed when `promise` settles, so long-lived signals do not accumulate them.
   */
  #interruptible<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
    const closing = this.#closingSignal()
    const reasonOf = (s: AbortSignal): Error => (s === closing ? (closing.reason as Error) : this.#abortError(s))
    const signals = signal === undefined ? [closing] : [closing, signal]
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        for (const s of signals) s.removeEventListener('abort', onAbort)
      }
      const onAbort = (event: Event): void => {
        cleanup()
        reject(reasonOf(event.target as AbortSignal))
      }
      for (const s of signals) {
        if (s.aborted) {
          promise.catch(() => undefined) // abandoned: its own failure must not go unhandled
          reject(reasonOf(s))
          return
        }
      }
      for (const s of signals) s.addEventListener('abort', onAbort)
      promise.then(
        (value) => {
          cleanup()
          resolve(value)
        },
        (error: unknown) => {
          cleanup()
          reject(error)
        },
      )
    })
  }

  /** The signal aborted when the session ends (made on first use, aborted at once if it already ended). */
  #closingSignal(): AbortSignal {
    if (this.#closing === undefined) {
      this.#closing = new AbortController()
      if (this.#endError !== undefined) this.#closing.abort(this.#endError)
    }
    return this.#closing.signal
  }

  /** The next transaction id; RFC 4975 §7.1: its end-line must not occur in `body` (a random one then). */
  #nextTransactionId(body: Uint8Array | undefined): string {
    const tid = `${this.#tidPrefix}${(this.#tidSeq++).toString(36)}`
    return body !== undefined && Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(tid) ? transactionIdFor(body) : tid
  }

  #checkAbort(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw this.#abortError(signal)
  }

  #abortError(signal: AbortSignal): MsrpClosedError {
    return new MsrpClosedError('MSRP_SEND_ABORTED', 'the MSRP send was cancelled by its AbortSignal', { cause: signal.reason })
  }

  #closedError(): MsrpClosedError {
    return new MsrpClosedError('MSRP_SESSION_CLOSED', `MSRP session ${this.id} is ${this.#state}`)
  }

  #requireConnection(): MsrpConnection {
    const connection = this.#connection
    if (connection === undefined || this.#state !== 'open') throw this.#closedError()
    return connection
  }

  // ---- receiving -------------------------------------------------------------------------

  /** The Content-Type last found in accept-types: a session's chunks nearly always repeat it. */
  #lastAcceptedType: string | undefined

  #accepts(contentType: string): boolean {
    if (!acceptsType(this.#acceptTypes, contentType)) return false
    this.#lastAcceptedType = contentType
    return true
  }

  #onSend(request: MsrpRequest, connection: MsrpConnection): void {
    const headers = request.headers
    const messageId = headers['Message-ID']
    if (messageId === undefined) {
      connection.respond(request, 400, 'Message-ID required')
      return
    }
    const reassembler = this.#reassembler
    const fresh = reassembler === undefined || reassembler.received(messageId).length === 0
    // An empty SEND binds or keeps the connection alive (RFC 4975 §5.4); nothing to deliver.
    if (request.body === undefined && request.continuation === '$' && fresh) {
      connection.respond(request, 200)
      return
    }
    const contentType = headers['Content-Type']
    // RFC 4975 §7.3.1: a type outside a=accept-types is refused with 415.
    if (contentType !== undefined && contentType !== this.#lastAcceptedType && !this.#accepts(contentType)) {
      reassembler?.discard(messageId)
      this.#refuse(request, connection, 415, `${contentType} is not accepted here (accept-types: ${this.#acceptTypes.join(' ')})`)
      return
    }
    const range = headers['Byte-Range'] ?? { start: 1, end: '*', total: '*' }
    const data = request.body === undefined ? EMPTY : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
    const limit = this.#messageLimit()
    // RFC 4975 §10: a message over the limit is refused on its first chunk that says so.
    if (typeof range.total === 'number' && range.total > limit) {
      reassembler?.discard(messageId)
      this.#refuse(request, connection, 413, `message of ${range.total} bytes exceeds the limit of ${limit}`)
      return
    }
    // A whole message in one chunk (the common case, RFC 4975 §5.1): no reassembly state.
    if (fresh && request.continuation === '$' && range.start === 1 && (range.total === '*' || range.total === data.length) && data.length > 0 && data.length <= limit) {
      this.#complete(request, connection, data, { contentType, headers })
      return
    }
    const result = (this.#reassembler ??= new Reassembler({ maxMessageBytes: limit, maxIncomplete: this.#maxIncomplete })).accept(
      { messageId, byteRange: range, continuation: request.continuation, data },
      { contentType, headers },
    )
    switch (result.kind) {
      case 'rejected':
        this.#refuse(request, connection, result.status, result.reason)
        return
      case 'partial':
        connection.respond(request, 200)
        return
      case 'aborted':
        connection.respond(request, 200)
        this.emit('aborted', { messageId, received: result.received })
        return
      case 'complete':
        this.#complete(request, connection, result.body, result.meta)
    }
  }

  /** The chunk `request` completed a message: answer it (now, or once decided) and hand the message on. */
  #complete(request: MsrpRequest, connection: MsrpConnection, body: Buffer, meta: { contentType: string | undefined; headers: MsrpHeaders }): void {
    const message: IncomingMsrpMessage = {
      messageId: request.headers['Message-ID'] as string,
      contentType: meta.contentType ?? request.headers['Content-Type'] ?? 'application/octet-stream',
      body,
      fromPath: meta.headers['From-Path'],
      headers: meta.headers,
    }
    const decider = this.#decider
    if (decider !== undefined) {
      this.#decide(decider, request, connection, message)
      return
    }
    connection.respond(request, 200)
    if ((meta.headers['Success-Report'] ?? request.headers['Success-Report']) === 'yes') {
      // RFC 4975 §7.1.3: one success REPORT for the whole message.
      this.#report(request, connection, { start: 1, end: body.length, total: body.length }, 200)
    }
    this.emit('message', message)
  }

  /** Decider mode: the completing SEND is answered with the verdict, and the REPORT follows it. */
  #decide(decider: MsrpDecider, request: MsrpRequest, connection: MsrpConnection, message: IncomingMsrpMessage): void {
    const answer = (verdict: MsrpVerdict): void => {
      connection.respond(request, verdict.status, verdict.comment)
      this.#decidedReport(request, connection, message.body.length, verdict)
    }
    const verdict = decider.message(message)
    if (!(verdict instanceof Promise)) {
      answer(verdict)
      return
    }
    const deciding = (this.#deciding ??= new Set())
    const pending: Promise<void> = verdict
      .then(answer, () => answer({ status: 403, comment: 'Relay failed' }))
      .catch(noop) // the connection may have closed meanwhile
      .finally(() => deciding.delete(pending))
    deciding.add(pending)
  }

  /**
   * Resolves once every decided message has been answered (decider mode), so the session can be
   * closed without leaving its last SENDs unanswered: the sender learns how its message went
   * first. A decider that always answers in bounded time makes this bounded too.
   */
  async settle(): Promise<void> {
    const deciding = this.#deciding
    if (deciding === undefined) return
    while (deciding.size > 0) await Promise.all([...deciding])
  }

  /**
   * The end-to-end REPORT of a decided message (RFC 4975 §7.1.2), sent after the transaction
   * response. "Delivered" means the decider's verdict (for a room: the fan-out's aggregate):
   * - `Success-Report: yes` and 200: a success REPORT (`Status: 000 200`), 1-N/N.
   * - `Success-Report: yes` and refused: a failure REPORT with the verdict's status, unless
   *   `Failure-Report: no`, so a sender that waits for a REPORT always gets one.
   * - no success REPORT asked: the failure travels in the transaction response alone (the
   *   answer waits for the decision, so no failure can surface after a 200).
   */
  #decidedReport(request: MsrpRequest, connection: MsrpConnection, size: number, verdict: MsrpVerdict): void {
    if (request.headers['Success-Report'] !== 'yes' || connection.state !== 'open') return
    if (verdict.status !== 200 && request.headers['Failure-Report'] === 'no') return
    this.#report(request, connection, { start: 1, end: size, total: size }, verdict.status, verdict.comment)
  }

  /**
   * Answers a refused chunk and — unless the sender said `Failure-Report: no` — also sends a
   * failure REPORT for it (RFC 4975 §7.1.4), so a sender that pipelined further chunks learns
   * of the failure even when it does not match the response to this one.
   */
  #refuse(request: MsrpRequest, connection: MsrpConnection, status: number, reason: string): void {
    log('session %s refuses %s: %d %s', this.id, request.headers['Message-ID'], status, reason)
    connection.respond(request, status, MSRP_REASONS[status] ?? reason)
    const fr = request.headers['Failure-Report'] ?? 'yes'
    const range = request.headers['Byte-Range']
    if (fr !== 'no' && range !== undefined) {
      const end = range.start + (request.body?.length ?? 0) - 1
      this.#report(request, connection, { start: range.start, end, total: range.total }, status)
    }
  }

  /** Sends the REPORT for `request` with `status` over `range`; nothing if the connection is gone. */
  #report(request: MsrpRequest, connection: MsrpConnection, range: { start: number; end: number; total: number | '*' }, status: number, comment?: string): void {
    const report: MsrpRequest = {
      type: 'request',
      method: 'REPORT',
      transactionId: this.#nextTransactionId(undefined),
      headers: {
        'To-Path': request.headers['From-Path'],
        'From-Path': [this.localUri],
        'Message-ID': request.headers['Message-ID'] as string,
        'Byte-Range': range,
        Status: { namespace: 0, code: status, comment: comment ?? MSRP_REASONS[status] ?? 'Failed' },
      },
      extensionHeaders: [],
      continuation: '$',
    }
    if (connection.state !== 'open') return
    try {
      connection.request(report).written.catch(noop)
    } catch {
      // The connection went away between the response and the REPORT: nothing left to tell.
    }
  }

  #onReport(request: MsrpRequest): void {
    // RFC 4975 §7.1.2: REPORTs are never answered.
    this.emit('report', request)
    const messageId = request.headers['Message-ID']
    const status = request.headers.Status
    const out = messageId === undefined ? undefined : this.#outgoing?.get(messageId)
    if (out === undefined || status === undefined) return
    if (status.code === 200) {
      const range = request.headers['Byte-Range']
      const start = range?.start ?? 1
      const end = range === undefined || range.end === '*' ? out.total : range.end
      out.reported = coverage(out.reported, { start, end })
      const first = out.reported[0]
      if (out.total === 0 || (first !== undefined && first.start <= 1 && first.end >= out.total)) out.report?.resolve()
      return
    }
    const error = new MsrpRequestError('MSRP_REPORT_FAILURE', status.code, `failure REPORT for message ${messageId}: ${status.code} ${status.comment ?? ''}`.trim(), status.comment)
    out.failure ??= error
    out.report?.reject(error)
  }

  #onNicknameRequest(request: MsrpRequest, connection: MsrpConnection): void {
    const nickname = request.headers['Use-Nickname']
    const decider = this.#decider
    if (decider !== undefined) {
      // A focus decides at once; no Use-Nickname asks it to drop the nickname (RFC 7701 §7).
      const verdict = decider.nickname(nickname)
      connection.respond(request, verdict.status, verdict.comment)
      if (nickname !== undefined) this.emit('nickname', nickname, verdict.status)
      return
    }
    if (nickname === undefined) {
      connection.respond(request, 400, 'Use-Nickname required')
      return
    }
    const handler = this.#onNickname
    if (handler === undefined) {
      connection.respond(request, 501)
      return
    }
    Promise.resolve()
      .then(() => handler(nickname, request))
      .then(
        (status) => status,
        () => 425,
      )
      .then((status) => {
        connection.respond(request, status)
        this.emit('nickname', nickname, status)
      })
  }

  // ---- state -------------------------------------------------------------------------------

  #setState(state: SessionState): void {
    const previous = this.#state
    if (previous === state) return
    log('session %s: %s -> %s', this.id, previous, state)
    this.#state = state
    this.emit('state', state, previous)
  }

  /** Rejects everything waiting on the session. */
  #terminate(cause: Error | undefined): void {
    const error = cause ?? this.#closedError()
    this.#endError = error
    this.#closing?.abort(error)
    for (const waiter of this.#admitQueue?.splice(0) ?? []) waiter.reject(error)
    for (const out of this.#outgoing?.values() ?? []) {
      out.failure ??= error
      out.report?.reject(error)
    }
  }

  #finish(error: Error | undefined): void {
    this.#listener?.unregister(this.id)
    this.#setState('closed')
    this.emit('close', error)
  }
}
