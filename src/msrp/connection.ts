/**
 * A framed MSRP connection (RFC 4975 §5.4, §7) over any {@link MsrpTransport}: TCP, TLS, an
 * in-memory pair, or a WebSocket (RFC 7977). It parses incoming frames, matches responses to
 * requests by transaction id, hands requests to the session named by the To-Path session id
 * (so several sessions can share one connection), answers 481 for unknown sessions, and
 * applies back-pressure: writers wait for the transport to drain instead of buffering.
 */
import { debugLog } from '../debug-log.ts'
import { EventEmitter } from 'eventemitter3'
import { ParseError } from '../errors.ts'
import { type Clock, systemClock } from '../clock.ts'
import { MsrpClosedError, MsrpRequestError, MsrpTimeoutError } from './errors.ts'
import type { ExtensionHeader, MsrpFrame, MsrpHeaders, MsrpRequest, MsrpResponse } from './message.ts'
import { MSRP_REASONS } from './message.ts'
import { MsrpParser } from './parser.ts'
import type { MsrpFrameHead, MsrpParserOptions } from './parser.ts'
import type { MsrpReadBudget } from './read-budget.ts'
import { serializeFrameParts, serializeStandardResponse } from './serializer.ts'
import { pathLines } from './shared-send.ts'
import type { MsrpUri } from './uri.ts'
import { DeadlineQueue, type Deadlined } from './deadline-queue.ts'
import { WaitingWrites } from './waiting-writes.ts'
import type { MsrpTransport, TransportListeners } from './transport.ts'

const log = debugLog('msrp')

/** RFC 4975 §7.1: a sender waits 30 seconds for a transaction response. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000

/** Default cap on a chunk body for a session this connection does not serve (see `unknownSessionMaxBodyBytes`). */
export const DEFAULT_UNKNOWN_SESSION_MAX_BODY_BYTES = 4 * 1024

/** Default time a frame's header block may take to arrive once it began (see `headerTimeoutMs`). */
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000

/** Named states of a connection. */
export type ConnectionState = 'open' | 'closing' | 'closed'

/** Who opened the TCP connection (RFC 6135 / RFC 4145 `a=setup`). */
export type ConnectionRole = 'active' | 'passive'

/** Receives the requests a connection routes to one session id. */
export interface MsrpRequestHandler {
  /** A request whose To-Path names this handler's session. */
  handleRequest(request: MsrpRequest, connection: MsrpConnection): void
  /**
   * The largest chunk body this session accepts; a bigger one closes the connection before it
   * is buffered (default: the connection's parser limit).
   */
  maxChunkBytes?(): number
  /** The connection closed (with the transport error, if any). */
  connectionClosed(connection: MsrpConnection, error: Error | undefined): void
}

/**
 * Finds the handler for a session id the connection does not know yet (passive side, RFC 4975
 * §5.4: the first request binds the connection). Return a handler, a status code to answer
 * with (e.g. 506 when the session is bound to another connection), or undefined for 481.
 */
export type SessionResolver = (sessionId: string, connection: MsrpConnection) => MsrpRequestHandler | number | undefined

/** Options of a connection. */
export interface MsrpConnectionOptions {
  /** Who opened the connection (default `active` for connect(), `passive` for accepted ones). */
  role?: ConnectionRole
  /** Clock for transaction timeouts (default: the system clock). */
  clock?: Clock
  /** How long to wait for a transaction response (default 30 s, RFC 4975 §7.1). */
  transactionTimeoutMs?: number
  /** Parser limits. */
  parser?: MsrpParserOptions
  /**
   * Close the connection when more than this many bytes of output pile up unread (default
   * 16 MiB): bytes handed to the transport and frames waiting for it to drain alike.
   */
  maxWriteBufferBytes?: number
  /**
   * Most body bytes buffered for a request whose To-Path names no session of this connection
   * (nor one the resolver binds), and for a response (RFC 4975 §7.2: responses carry no body):
   * default 4 KiB. Such a frame is answered 481 anyway; a bigger one closes the connection.
   */
  unknownSessionMaxBodyBytes?: number
  /**
   * Close the connection when a frame's start line and headers take longer than this to arrive
   * (default 10 s; 0 disables): a peer dribbling a byte every few seconds cannot hold a
   * partial header block forever.
   */
  headerTimeoutMs?: number
  /** Process-wide budget for incomplete frames, shared with other connections (default: none). */
  readBudget?: MsrpReadBudget
  /** Resolves unknown session ids (set by {@link MsrpListener}). */
  resolveSession?: SessionResolver
}

/** Events of a connection. */
export interface MsrpConnectionEvents {
  /** The state changed. */
  state: [state: ConnectionState]
  /** The connection closed; `error` says why when it was not a clean close. */
  close: [error: Error | undefined]
}

/**
 * How {@link MsrpConnection.sendPrepared} reports: the response, or undefined with the error
 * (or with none, for a request that expects no response and was written). `context` and `index`
 * are the values given with the request, so one shared function can serve every request of a
 * fan-out without an object or closure per request (index: e.g. the recipient's position).
 */
export type TransactionCallback<C> = (response: MsrpResponse | undefined, error: Error | undefined, context: C, index: number) => void

/** A request in flight: `written` settles when the transport took it, `response` with the answer. */
export interface OutgoingRequest {
  readonly written: Promise<void>
  /** The response, or undefined when none is expected (REPORT, Failure-Report no/partial). */
  readonly response: Promise<MsrpResponse | undefined>
}

/**
 * A request waiting for its response: in the connection's map by transaction id, and in the
 * deadline queue of its timeout once written. `settle` runs `done` once and lets go of it, so an
 * answered entry the queue still holds keeps nothing else alive.
 */
class Transaction implements Deadlined {
  settled = false
  /** The connection's progress count when the response timeout started (see MsrpConnection#progress). */
  progressMark = 0
  #done: TransactionCallback<unknown> | undefined
  #context: unknown
  readonly #index: number
  constructor(
    readonly tid: string,
    readonly method: string,
    done: TransactionCallback<unknown>,
    context?: unknown,
    index = 0,
  ) {
    this.#done = done
    this.#context = context
    this.#index = index
  }

  settle(response: MsrpResponse | undefined, error?: Error): void {
    const done = this.#done
    if (done === undefined) return
    const context = this.#context
    this.settled = true
    this.#done = undefined
    this.#context = undefined
    done(response, error, context, this.#index)
  }
}

const noop = (): void => {}

function isEmpty(headers: Partial<MsrpHeaders>): boolean {
  for (const _ in headers) return false
  return true
}

/** A URI that can never change: frozen, with frozen parameters. */
function isDeepFrozen(uri: MsrpUri): boolean {
  return Object.isFrozen(uri) && Object.isFrozen(uri.params)
}

/** Deadline queues (one per timeout in use) a connection keeps when they are empty. */
const MAX_IDLE_DEADLINE_QUEUES = 8

/**
 * Key of a permanent entry in a connection's transaction map (no transaction id is empty:
 * RFC 4975 §9 idents have 4 to 32 characters). V8 shrinks a Map that empties and grows it
 * again on the next insert, so a connection with one request in flight at a time paid for a
 * new hash table every few transactions; the permanent entry keeps the table, which made a
 * request/response pair's map work about 2.5 times cheaper.
 */
const KEEP_TABLE = ''
const KEEP_TABLE_VALUE = new Transaction(KEEP_TABLE, 'NONE', noop)
/** Shared settled promises: most writes complete at once and need no promise of their own. */
const WRITTEN: Promise<void> = Promise.resolve()
const NO_RESPONSE: Promise<undefined> = Promise.resolve(undefined)

function isWireForm(frame: MsrpFrame | readonly Buffer[]): frame is readonly Buffer[] {
  return Array.isArray(frame)
}

/** Bytes a frame takes on the wire (a frame object: its body plus a typical header block). */
function frameSize(frame: MsrpFrame | readonly Buffer[]): number {
  if (!isWireForm(frame)) return (frame.body?.length ?? 0) + 512
  let n = 0
  for (const part of frame) n += part.length
  return n
}

/**
 * A request in wire form, for {@link MsrpConnection.requestPrepared}: `bytes` holds exactly one
 * frame whose transaction id is `transactionId` (its end-line must not occur in the body,
 * RFC 4975 §7.1.1). `expectResponse` is false for REPORT and for `Failure-Report: no/partial`.
 */
export interface PreparedRequest {
  readonly transactionId: string
  readonly method: string
  readonly bytes: readonly Buffer[]
  readonly expectResponse: boolean
}

/** One MSRP connection. */
export class MsrpConnection extends EventEmitter<MsrpConnectionEvents> {
  readonly #transport: MsrpTransport
  readonly #parser: MsrpParser
  /**
   * Evidence that the peer reads what we write: responses received plus drains of our output.
   * A request that times out while this has not moved since it was written names a stalled peer
   * ({@link MsrpTimeoutError.peerStalled}).
   */
  #progress = 0
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #maxWriteBuffer: number
  readonly #resolve: SessionResolver | undefined
  readonly #sessions = new Map<string, MsrpRequestHandler>()
  /** Requests waiting for a response, by transaction id; holds {@link KEEP_TABLE} for good. */
  readonly #transactions = new Map<string, Transaction>([[KEEP_TABLE, KEEP_TABLE_VALUE]])
  /** Response deadlines, one queue per timeout in use (usually one); see deadline-queue.ts. */
  readonly #deadlines = new Map<number, DeadlineQueue<Transaction>>()
  /** See #responsePaths. */
  #lastResponsePaths: { readonly to: readonly MsrpUri[]; readonly self: MsrpUri; readonly lines: Buffer | undefined } | undefined
  /** The queue used last: a connection's requests nearly always share one timeout. */
  #lastDeadlines: DeadlineQueue<Transaction> | undefined
  readonly role: ConnectionRole
  #state: ConnectionState = 'open'
  #congested = false
  /** Frames waiting for the transport to drain, in order (counted against maxWriteBufferBytes). */
  readonly #waiting = new WaitingWrites<MsrpFrame | readonly Buffer[]>()
  #closeError: Error | undefined
  readonly #unknownMaxBody: number
  readonly #headerTimeoutMs: number
  readonly #budget: MsrpReadBudget | undefined
  /** Bytes of this connection counted against the read budget. */
  #held = 0
  /** Frames received so far (the header timer tells a stuck header from a new one). */
  #framesIn = 0
  #headerTimer: unknown = undefined

  /** Wraps a transport that is already connected. */
  constructor(transport: MsrpTransport, options: MsrpConnectionOptions = {}) {
    super()
    this.#transport = transport
    this.#unknownMaxBody = options.unknownSessionMaxBodyBytes ?? DEFAULT_UNKNOWN_SESSION_MAX_BODY_BYTES
    this.#headerTimeoutMs = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS
    this.#budget = options.readBudget
    this.#parser = new MsrpParser({ ...options.parser, bodyLimit: (head) => this.#bodyLimitFor(head) })
    this.#clock = options.clock ?? systemClock
    this.#timeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS
    this.#maxWriteBuffer = options.maxWriteBufferBytes ?? 16 * 1024 * 1024
    this.#resolve = options.resolveSession
    this.role = options.role ?? 'active'
    transport.start({
      data: (chunk) => this.#onData(chunk),
      drain: () => this.#onDrain(),
      close: (error) => this.#shutdown(error ?? this.#closeError),
    })
    log('connection %s %s open (%s)', this.role, this.describe(), transport.kind)
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state
  }

  /** The transport underneath (addresses, kind). */
  get transport(): MsrpTransport {
    return this.#transport
  }

  /** Number of sessions attached. */
  get sessionCount(): number {
    return this.#sessions.size
  }

  /** `local -> remote` addresses, for logs and errors. */
  describe(): string {
    const a = this.#transport.local
    const b = this.#transport.remote
    return `${a ? `${a.address}:${a.port}` : '?'} -> ${b ? `${b.address}:${b.port}` : '?'}`
  }

  /** Routes requests whose To-Path session id is `sessionId` to `handler`. */
  attach(sessionId: string, handler: MsrpRequestHandler): void {
    if (this.#state !== 'open') throw new MsrpClosedError('MSRP_CONNECTION_CLOSED', 'cannot attach a session to a closed MSRP connection')
    const existing = this.#sessions.get(sessionId)
    if (existing !== undefined && existing !== handler) {
      throw new MsrpClosedError('MSRP_SESSION_CONFLICT', `session id ${sessionId} is already attached to this connection`)
    }
    this.#sessions.set(sessionId, handler)
  }

  /** Stops routing `sessionId` here. */
  detach(sessionId: string): void {
    this.#sessions.delete(sessionId)
  }

  /**
   * Writes a frame, waiting first while the transport is congested (back-pressure).
   *
   * @throws MsrpClosedError when the connection is closed.
   */
  async write(frame: MsrpFrame): Promise<void> {
    await this.#writeWhenDrained(frame)
  }

  /**
   * Writes once the transport drained. The waiting frame counts against maxWriteBufferBytes
   * with what the transport holds: a peer that stops reading gets its connection closed
   * (`MSRP_WRITE_OVERFLOW`) instead of a queue that grows without limit. `stale` is asked after
   * the wait: true drops the frame (e.g. its transaction already timed out).
   */
  #writeWhenDrained(frame: MsrpFrame | readonly Buffer[], stale?: () => boolean): Promise<void> {
    if ((!this.#congested && this.#waiting.length === 0) || this.#state !== 'open') {
      try {
        this.#writeNow(frame)
      } catch (error) {
        return Promise.reject(error as Error)
      }
      return WRITTEN
    }
    const size = frameSize(frame)
    if (this.#transport.bufferedBytes + this.#waiting.bytes + size > this.#maxWriteBuffer) {
      this.#overflow()
      return Promise.reject(this.#closedError(this.#closeError))
    }
    return new Promise<void>((resolve, reject) => this.#waiting.push({ frame, size, stale, resolve, reject }))
  }

  /** Writes waiting frames in order until the transport is congested again or none waits. */
  #writeWaiting(): void {
    while (!this.#congested && this.#state === 'open') {
      const next = this.#waiting.shift()
      if (next === undefined) return
      if (next.stale?.() === true) {
        next.resolve()
        continue
      }
      try {
        this.#writeNow(next.frame)
        next.resolve()
      } catch (error) {
        next.reject(error as Error)
      }
    }
  }

  /** Bytes waiting to be written: held by the transport plus frames waiting for a drain. */
  get pendingWriteBytes(): number {
    return this.#transport.bufferedBytes + this.#waiting.bytes
  }

  #overflow(): void {
    this.abort(new MsrpClosedError('MSRP_WRITE_OVERFLOW', `MSRP peer ${this.describe()} stopped reading; more than ${this.#maxWriteBuffer} bytes of output piled up`))
  }

  /**
   * Sends a request. A response is expected unless the request is a REPORT (RFC 4975 §7.1.2)
   * or says `Failure-Report: no` or `partial` (§7.1.1: no 200 comes back); it times out with
   * status 408 after `timeoutMs` counted from the write.
   */
  request(frame: MsrpRequest, options: { expectResponse?: boolean; timeoutMs?: number } = {}): OutgoingRequest {
    const fr = frame.headers['Failure-Report']
    const expect = options.expectResponse ?? (frame.method !== 'REPORT' && fr !== 'no' && fr !== 'partial')
    return this.#issue(frame.transactionId, frame.method, frame, expect, options.timeoutMs)
  }

  /**
   * Sends a request that is already in wire form, e.g. one of many copies built from a shared
   * template (see {@link PreparedRequest}); otherwise exactly like {@link request}. The caller
   * vouches that `bytes` is one valid frame with transaction id `transactionId`.
   */
  requestPrepared(prepared: PreparedRequest, options: { timeoutMs?: number } = {}): OutgoingRequest {
    return this.#issue(prepared.transactionId, prepared.method, prepared.bytes, prepared.expectResponse, options.timeoutMs)
  }

  #issue(tid: string, method: string, frame: MsrpFrame | readonly Buffer[], expect: boolean, timeoutOption: number | undefined): OutgoingRequest {
    let tx: Transaction | undefined
    let response: Promise<MsrpResponse | undefined> | undefined
    if (expect) {
      if (this.#transactions.has(tid)) throw new MsrpClosedError('MSRP_DUPLICATE_TRANSACTION', `transaction id ${tid} is already in use`)
      response = new Promise<MsrpResponse>((resolve, reject) => {
        tx = new Transaction(tid, method, (r, error) => (error === undefined ? resolve(r as MsrpResponse) : reject(error)))
      })
      this.#transactions.set(tid, tx as unknown as Transaction)
    }
    let written: Promise<void>
    if (!this.#congested || this.#state !== 'open') {
      // Not congested: the frame goes to the transport now (as write() would do before its first
      // await), without the promise round trip.
      try {
        this.#writeNow(frame)
        if (tx !== undefined) this.#armTimer(tx, timeoutOption)
        written = WRITTEN
      } catch (error) {
        written = this.#writeFailed(tid, tx, error as Error)
      }
    } else {
      const t = tx
      written = this.#writeWhenDrained(frame).then(
        () => {
          if (t !== undefined) this.#armTimer(t, timeoutOption)
        },
        (error: Error) => this.#writeFailed(tid, t, error),
      )
    }
    const result = response ?? (written === WRITTEN ? NO_RESPONSE : written.then(() => undefined))
    // Callers may await only one of the two; the other must not become an unhandled rejection.
    if (written !== WRITTEN) written.catch(noop)
    if (result !== NO_RESPONSE) result.catch(noop)
    return { written, response: result }
  }

  /** Starts the response timeout of a written request (RFC 4975 §7.1: no answer counts as 408). */
  #armTimer(tx: Transaction, timeoutOption: number | undefined): void {
    if (this.#transactions.get(tx.tid) !== tx) return
    const timeoutMs = timeoutOption ?? this.#timeoutMs
    let queue = this.#lastDeadlines
    if (queue === undefined || queue.timeoutMs !== timeoutMs) {
      queue = this.#deadlines.get(timeoutMs)
      if (queue === undefined) {
        // Callers with many different timeouts: empty queues go first, so there are never more
        // queues than MAX_IDLE_DEADLINE_QUEUES plus those holding a waiting request.
        if (this.#deadlines.size >= MAX_IDLE_DEADLINE_QUEUES) {
          for (const [ms, idle] of this.#deadlines) {
            if (!idle.isIdle()) continue
            idle.clear()
            this.#deadlines.delete(ms)
            if (idle === this.#lastDeadlines) this.#lastDeadlines = undefined
          }
        }
        queue = new DeadlineQueue<Transaction>(this.#clock, timeoutMs, (expired) => this.#expire(expired, timeoutMs))
        this.#deadlines.set(timeoutMs, queue)
      }
      this.#lastDeadlines = queue
    }
    tx.progressMark = this.#progress
    queue.push(tx)
  }

  /** A written request got no response within `timeoutMs`. */
  #expire(tx: Transaction, timeoutMs: number): void {
    if (this.#transactions.get(tx.tid) !== tx) return
    this.#transactions.delete(tx.tid)
    tx.settle(undefined, new MsrpTimeoutError(`no response to MSRP ${tx.method} ${tx.tid} within ${timeoutMs} ms (RFC 4975 §7.1: treated as 408)`, this.#progress === tx.progressMark))
  }

  #writeFailed(tid: string, tx: Transaction | undefined, error: Error): Promise<never> {
    this.#dropFailed(tid, tx, error)
    return Promise.reject(error)
  }

  /** A request could not be written: its transaction (if still pending) fails with `error`. */
  #dropFailed(tid: string, tx: Transaction | undefined, error: Error): void {
    if (tx !== undefined && this.#transactions.get(tid) === tx) {
      this.#transactions.delete(tid)
      tx.settle(undefined, error)
    }
  }

  /**
   * Like {@link requestPrepared}, but reports through `done` instead of promises — for a
   * fan-out to many peers, where two promises per copy add up: `done(response)` when the
   * response arrives, or, for a request that expects none, once written; `done(undefined,
   * error)` on timeout (408), a failed write or a closed connection. `context` and `index` are
   * passed to `done` as its third and fourth arguments: a fan-out can pass one shared function,
   * one value for the whole fan-out and each copy's position, instead of a closure per copy.
   *
   * @throws MsrpClosedError `MSRP_DUPLICATE_TRANSACTION` when the transaction id is in use.
   */
  sendPrepared<C = undefined>(prepared: PreparedRequest, timeoutMs: number | undefined, done: TransactionCallback<C>, context?: C, index = 0): void {
    const tid = prepared.transactionId
    let tx: Transaction | undefined
    if (prepared.expectResponse) {
      if (this.#transactions.has(tid)) throw new MsrpClosedError('MSRP_DUPLICATE_TRANSACTION', `transaction id ${tid} is already in use`)
      tx = new Transaction(tid, prepared.method, done as TransactionCallback<unknown>, context, index)
      this.#transactions.set(tid, tx)
    }
    if (!this.#congested || this.#state !== 'open') {
      try {
        this.#writeNow(prepared.bytes)
      } catch (error) {
        if (tx !== undefined) this.#dropFailed(tid, tx, error as Error)
        else done(undefined, error as Error, context as C, index)
        return
      }
      if (tx !== undefined) this.#armTimer(tx, timeoutMs)
      else done(undefined, undefined, context as C, index)
      return
    }
    // Congested: the response timeout runs from now, not from the write, so a copy stuck behind
    // a receiver that stopped reading still ends in time (408) for the fan-out waiting on it.
    if (tx !== undefined) this.#armTimer(tx, timeoutMs)
    const waiting = tx
    this.#writeWhenDrained(prepared.bytes, waiting === undefined ? undefined : () => this.#transactions.get(tid) !== waiting).then(
      () => {
        if (tx === undefined) done(undefined, undefined, context as C, index)
      },
      (error: Error) => {
        if (tx !== undefined) this.#dropFailed(tid, tx, error)
        else done(undefined, error, context as C, index)
      },
    )
  }

  /**
   * Answers a request (RFC 4975 §7.2): To-Path is the request's From-Path, From-Path our URI
   * (the first of the request's To-Path). Nothing is sent for a REPORT (§7.1.2), for
   * `Failure-Report: no`, or for a 200 under `Failure-Report: partial` (§7.1.1).
   */
  respond(request: MsrpRequest, status: number, comment: string | undefined = MSRP_REASONS[status], extra: Partial<MsrpHeaders> = {}, extensionHeaders: ExtensionHeader[] = []): void {
    if (request.method === 'REPORT') return
    const fr = request.headers['Failure-Report']
    if (fr === 'no' || (fr === 'partial' && status === 200)) return
    if (this.#state !== 'open') return
    const self = request.headers['To-Path'][0]
    if (self !== undefined && extensionHeaders.length === 0 && isEmpty(extra)) {
      // The common answer (200 OK to a peer's SEND): built from cached pieces, not formatted.
      const paths = this.#responsePaths(request.headers['From-Path'], self)
      const bytes = paths === undefined ? undefined : serializeStandardResponse(request.transactionId, status, comment, paths)
      if (bytes !== undefined) {
        if (log.enabled) log('respond %d to %s %s', status, request.method, request.transactionId)
        this.#writeNow([bytes])
        return
      }
    }
    const response: MsrpResponse = {
      type: 'response',
      transactionId: request.transactionId,
      status,
      headers: { 'To-Path': request.headers['From-Path'], 'From-Path': self === undefined ? [] : [self], ...extra },
      extensionHeaders,
      continuation: '$',
    }
    if (comment !== undefined) response.comment = comment
    if (log.enabled) log('respond %d to %s %s', status, request.method, request.transactionId)
    this.#writeNow(response)
  }

  /**
   * The To-Path and From-Path lines of a response to a request from `toPath` to `self`. The last
   * pair is kept while both are frozen (the parser shares one frozen path per session), so a
   * peer's SENDs are answered without formatting their paths again. Undefined for an empty path.
   */
  #responsePaths(toPath: readonly MsrpUri[], self: MsrpUri): Buffer | undefined {
    const memo = this.#lastResponsePaths
    if (memo !== undefined && memo.to === toPath && memo.self === self && memo.lines !== undefined) return memo.lines
    if (toPath.length === 0) return undefined
    const lines = pathLines(toPath, [self])
    // Kept from the second answer on the same paths: a session answered once (a participant's
    // binding SEND) and then idle holds no buffer of its own.
    if (memo !== undefined && memo.to === toPath && memo.self === self) this.#lastResponsePaths = { to: toPath, self, lines }
    else if (isDeepFrozen(self) && toPath.every(isDeepFrozen) && Object.isFrozen(toPath)) this.#lastResponsePaths = { to: toPath, self, lines: undefined }
    return lines
  }

  /** Closes the connection; pending requests reject with `MSRP_CONNECTION_CLOSED`. */
  close(error?: Error): void {
    if (this.#state !== 'open') return
    this.#closeError = error
    this.#setState('closing')
    this.#failPending(error)
    this.#transport.close()
  }

  /**
   * Closes the connection at once, dropping unsent output: for a peer that stopped reading or
   * broke a limit, whose graceful close could wait forever for a flush (RFC 4975 §7.2 has no
   * recovery for such a stream either). Otherwise like {@link close}.
   */
  abort(error: Error): void {
    if (this.#state === 'closed') return
    this.close(error)
    if (this.#transport.destroy !== undefined) this.#transport.destroy()
  }

  // ---- internals ---------------------------------------------------------------------------


  #setState(state: ConnectionState): void {
    if (this.#state === state) return
    log('connection %s: %s -> %s', this.describe(), this.#state, state)
    this.#state = state
    this.emit('state', state)
  }

  #closedError(cause: Error | undefined): MsrpClosedError {
    return new MsrpClosedError(
      'MSRP_CONNECTION_CLOSED',
      `MSRP connection ${this.describe()} closed${cause ? `: ${cause.message}` : ''}`,
      cause ? { cause } : undefined,
    )
  }

  /** Writes a frame, or the wire form of one (prepared requests). */
  #writeNow(frame: MsrpFrame | readonly Buffer[]): void {
    if (this.#state !== 'open') throw this.#closedError(this.#closeError)
    const ok = this.#transport.write(isWireForm(frame) ? frame : serializeFrameParts(frame))
    if (!ok) {
      this.#congested = true
      if (this.#transport.bufferedBytes + this.#waiting.bytes > this.#maxWriteBuffer) this.#overflow()
    }
  }

  #onDrain(): void {
    this.#progress++
    this.#congested = false
    this.#writeWaiting()
  }

  #onData(chunk: Buffer): void {
    if (this.#state !== 'open') return
    try {
      this.#parser.feed(chunk, this.#frameArrived)
    } catch (error) {
      if (error instanceof ParseError) {
        // RFC 4975 gives no way to resynchronise a broken stream: close it.
        log('connection %s: parse error %s', this.describe(), error.message)
        this.close(error)
      } else {
        throw error
      }
    }
    this.#account()
    if (this.#headerTimer === undefined && this.#headerTimeoutMs > 0 && this.#state === 'open' && this.#parser.inHeader) this.#armHeaderTimer()
  }

  /** Counts what the parser holds against the shared read budget; closes this connection when it is spent. */
  #account(): void {
    const budget = this.#budget
    if (budget === undefined) return
    const now = this.#state === 'open' ? this.#parser.buffered : 0
    const delta = now - this.#held
    if (delta === 0) return
    this.#held = now
    if (delta < 0) {
      budget.release(-delta)
      return
    }
    if (!budget.take(delta)) {
      this.abort(new MsrpClosedError('MSRP_READ_BUDGET', `closed MSRP connection ${this.describe()}: incomplete frames of all connections exceed the ${budget.limitBytes}-byte read budget`))
      this.#parser.reset()
      budget.release(this.#held)
      this.#held = 0
    }
  }

  /** Closes the connection if the header block in progress is still incomplete after headerTimeoutMs. */
  #armHeaderTimer(): void {
    const frames = this.#framesIn
    this.#headerTimer = this.#clock.setTimeout(() => {
      this.#headerTimer = undefined
      if (this.#state !== 'open' || !this.#parser.inHeader) return
      if (this.#framesIn !== frames) {
        this.#armHeaderTimer() // a later frame's header: it gets its own full period
        return
      }
      this.abort(new MsrpClosedError('MSRP_HEADER_TIMEOUT', `closed MSRP connection ${this.describe()}: a frame's header block was still incomplete after ${this.#headerTimeoutMs} ms`))
    }, this.#headerTimeoutMs)
  }

  /**
   * The body limit of a request about to be buffered (the parser asks once its header block is
   * complete): the session's own limit, or a few KiB for a session this connection does not
   * serve. The resolver runs here, so the first request of a passive connection binds it
   * before its body arrives (RFC 4975 §5.4); #onFrame finds the session attached.
   */
  #bodyLimitFor(head: MsrpFrameHead): number | undefined {
    if (head.method === undefined) return this.#unknownMaxBody
    const sessionId = head.headers['To-Path']?.[0]?.sessionId
    if (sessionId === undefined) return this.#unknownMaxBody
    let handler = this.#sessions.get(sessionId)
    if (handler === undefined && this.#resolve !== undefined) {
      const resolved = this.#resolve(sessionId, this)
      if (typeof resolved === 'object') handler = resolved
    }
    if (handler === undefined) return this.#unknownMaxBody
    return handler.maxChunkBytes?.()
  }

  /** The parser's callback, made once (not per chunk read). */
  readonly #frameArrived = (frame: MsrpFrame): void => this.#onFrame(frame)

  #onFrame(frame: MsrpFrame): void {
    this.#framesIn++
    if (frame.type === 'response') {
      this.#progress++
      const tx = this.#transactions.get(frame.transactionId)
      if (tx === undefined) {
        // A relay may answer a SEND itself and then forward the endpoint's answer too
        // (RFC 4976 §7.3 hop-by-hop); the second one lands here.
        log('ignoring response %d for %s: no pending transaction', frame.status, frame.transactionId)
        return
      }
      this.#transactions.delete(frame.transactionId)
      tx.settle(frame)
      return
    }
    // A request read while we close (bytes already in flight) can be neither bound nor answered.
    if (this.#state !== 'open') {
      log('ignoring %s %s: the connection is closing', frame.method, frame.transactionId)
      return
    }
    if (frame.invalid !== undefined) {
      // One bad request gets its error response; the connection and its sessions go on.
      log('connection %s: %s %s has a malformed header (%s): 400', this.describe(), frame.method, frame.transactionId, frame.invalid.message)
      // The comment is utf8text (RFC 4975 §9): the peer's bytes are echoed without control characters.
      this.respond(frame, 400, `Bad Request: ${frame.invalid.message.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ').slice(0, 200)}`)
      return
    }
    const sessionId = frame.headers['To-Path'][0]?.sessionId
    let handler = sessionId === undefined ? undefined : this.#sessions.get(sessionId)
    if (handler === undefined && sessionId !== undefined && this.#resolve !== undefined) {
      const resolved = this.#resolve(sessionId, this)
      if (typeof resolved === 'number') {
        this.respond(frame, resolved)
        return
      }
      handler = resolved
    }
    if (handler === undefined) {
      log('no session %s on %s: 481', sessionId, this.describe())
      this.respond(frame, 481)
      return
    }
    handler.handleRequest(frame, this)
  }

  #failPending(cause: Error | undefined): void {
    const error = this.#closedError(cause)
    for (const queue of this.#deadlines.values()) queue.clear()
    for (const [tid, tx] of this.#transactions) {
      if (tid === KEEP_TABLE) continue
      this.#transactions.delete(tid)
      tx.settle(undefined, error)
    }
    this.#waiting.rejectAll(error)
  }

  #shutdown(cause: Error | undefined): void {
    if (this.#state === 'closed') return
    if (this.#headerTimer !== undefined) {
      this.#clock.clearTimeout(this.#headerTimer)
      this.#headerTimer = undefined
    }
    this.#parser.reset()
    this.#budget?.release(this.#held)
    this.#held = 0
    this.#failPending(cause)
    this.#setState('closed')
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    for (const handler of new Set(sessions)) handler.connectionClosed(this, cause)
    this.emit('close', cause)
  }
}
