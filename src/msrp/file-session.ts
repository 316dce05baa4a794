/**
 * An MSRP session that carries one file (RFC 5547): the media line of a push (`a=sendonly`
 * offer) or a pull (`a=recvonly` offer) opens it, and the file travels as one MSRP message.
 *
 * Sending streams the file from a {@link FileSource} in `Byte-Range` chunks (RFC 4975 §7.1.1),
 * with at most `window` chunks unacknowledged, so memory stays at a few chunks whatever the
 * file's size; progress comes from the receiver's success REPORTs and the send settles when a
 * REPORT confirms the whole file (RFC 4975 §7.1.2). A send can start at a later byte to resume
 * an interrupted transfer (RFC 5547 §8.6, `a=file-range`). Receiving is {@link FileReceiver}.
 */
import { EventEmitter } from 'eventemitter3'
import { type Clock, systemClock } from '../clock.ts'
import { debugLog } from '../debug-log.ts'
import { abortChunk, DEFAULT_CHUNK_SIZE } from './chunker.ts'
import type { MsrpConnection, MsrpRequestHandler } from './connection.ts'
import { DEFAULT_TRANSACTION_TIMEOUT_MS } from './connection.ts'
import { noDialError, type MsrpDial } from './dial.ts'
import { MsrpClosedError, MsrpRequestError } from './errors.ts'
import type { FileSource } from './file-io.ts'
import { FileReceiver, type FileReceiverOptions } from './file-receiver.ts'
import type { MsrpListener, PassiveSession } from './listener.ts'
import type { ByteRange, ContinuationFlag, MsrpHeaders, MsrpRequest } from './message.ts'
import { generateSessionId } from './session.ts'
import { generateTransactionId, transactionIdFor } from './serializer.ts'
import type { MsrpUri } from './uri.ts'
import { formatMsrpUri, parseMsrpPath, parseMsrpUri } from './uri.ts'

const log = debugLog('msrp')
const noop = (): void => {}

/** Options of {@link MsrpFileSession}. */
export interface MsrpFileSessionOptions {
  /** Our MSRP URI (the last a=path entry of our SDP). */
  localUri: MsrpUri | string
  /** The peer's a=path; learnt from its first request when absent. */
  remotePath?: readonly MsrpUri[] | string
  /** Passive side: register here so the peer's first request binds the session. */
  listener?: MsrpListener
  /** Bytes per chunk (default 2048, RFC 4975 §7.1). */
  chunkSize?: number
  /** Chunks sent and not yet answered at once (default 16). */
  window?: number
  /** Wait for each chunk's response (default 30 s). */
  transactionTimeoutMs?: number
  /** Wait for the final success REPORT after the last 200 (default 30 s). */
  reportTimeoutMs?: number
  clock?: Clock
}

/** Progress of a file being sent. */
export interface FileProgress {
  /** Bytes handed to the connection. */
  readonly sent: number
  /** Bytes the receiver confirmed with success REPORTs (RFC 4975 §7.1.2). */
  readonly confirmed: number
  readonly total: number
}

/** What {@link MsrpFileSession.sendFile} sends. */
export interface OutgoingFile {
  /** The file's bytes, read from a 0-based offset. */
  source: FileSource
  /** The file's size in bytes (a=file-selector size). */
  size: number
  /** Media type of the file (default application/octet-stream). */
  contentType?: string
  /** 1-based first byte to send, e.g. from the peer's a=file-range when resuming (default 1). */
  startAt?: number
  messageId?: string
  onProgress?: (progress: FileProgress) => void
  /** Cancels: the message is ended with a `#` chunk (RFC 4975 §7.1.1). */
  signal?: AbortSignal
}

/** What a confirmed send reports. */
export interface SentFile {
  readonly messageId: string
  /** Bytes this transfer carried. */
  readonly bytes: number
  readonly chunks: number
}

/** Events of a file session. */
export interface MsrpFileSessionEvents {
  progress: [progress: FileProgress]
  close: [error: Error | undefined]
}

interface Outgoing {
  readonly messageId: string
  readonly total: number
  readonly from: number
  confirmed: number
  failure: Error | undefined
  wake: () => void
  onProgress: ((progress: FileProgress) => void) | undefined
  sent: number
}

/** One file-transfer MSRP session: sends a file, or receives one into a sink. */
export class MsrpFileSession extends EventEmitter<MsrpFileSessionEvents> implements PassiveSession, MsrpRequestHandler {
  readonly id: string
  readonly localUri: MsrpUri
  #remotePath: MsrpUri[] | undefined
  readonly #listener: MsrpListener | undefined
  readonly #chunkSize: number
  readonly #window: number
  readonly #transactionTimeoutMs: number
  readonly #reportTimeoutMs: number
  readonly #clock: Clock
  #connection: MsrpConnection | undefined
  #ownsConnection = false
  #closed = false
  #receiver: FileReceiver | undefined
  #outgoing: Outgoing | undefined
  readonly #openWaiters: Array<() => void> = []

  constructor(options: MsrpFileSessionOptions) {
    super()
    this.localUri = typeof options.localUri === 'string' ? parseMsrpUri(options.localUri) : options.localUri
    if (this.localUri.sessionId === undefined) {
      throw new MsrpClosedError('MSRP_BAD_LOCAL_URI', `local MSRP URI ${formatMsrpUri(this.localUri)} needs a session id, e.g. msrp://host:port/${generateSessionId()};tcp`)
    }
    this.id = this.localUri.sessionId
    this.#remotePath = typeof options.remotePath === 'string' ? parseMsrpPath(options.remotePath) : options.remotePath ? [...options.remotePath] : undefined
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
    if (!Number.isInteger(this.#chunkSize) || this.#chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${this.#chunkSize}`)
    this.#window = Math.max(1, options.window ?? 16)
    this.#transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS
    this.#reportTimeoutMs = options.reportTimeoutMs ?? 30_000
    this.#clock = options.clock ?? systemClock
    this.#listener = options.listener
    this.#listener?.register(this)
  }

  /** Active side: dial (or use `connection`), attach, and bind with an empty SEND (RFC 4975 §5.4). */
  static async connect(options: MsrpFileSessionOptions & { remotePath: readonly MsrpUri[] | string; connection?: MsrpConnection; dial?: MsrpDial }): Promise<MsrpFileSession> {
    const session = new MsrpFileSession(options)
    let connection = options.connection
    if (connection === undefined) {
      if (options.dial === undefined) throw noDialError('MsrpFileSession.connect()')
      connection = await options.dial(session.#route()[0]!, { transactionTimeoutMs: session.#transactionTimeoutMs, clock: session.#clock })
      session.#ownsConnection = true
    }
    session.bind(connection)
    await session.sendBinding()
    return session
  }

  /**
   * The empty SEND that binds the connection to the session (RFC 4975 §5.4), for an active side
   * bound by hand (call `receiveFile` first, then `bind`, then this). Closes and rejects when refused.
   */
  async sendBinding(): Promise<void> {
    const connection = this.#requireConnection()
    const bind = this.#request('SEND', { 'Message-ID': generateTransactionId(16), 'Byte-Range': { start: 1, end: 0, total: 0 } })
    const response = await connection.request(bind, { timeoutMs: this.#transactionTimeoutMs }).response
    if (response !== undefined && response.status !== 200) {
      await this.close()
      throw new MsrpRequestError('MSRP_REQUEST_FAILED', response.status, `MSRP peer refused to bind file session ${this.id}: ${response.status}`, response.comment)
    }
  }

  /** The connection, once bound. */
  get connection(): MsrpConnection | undefined {
    return this.#connection
  }

  /** Sets the peer's path (from the SDP answer). */
  setRemotePath(path: readonly MsrpUri[] | string): void {
    this.#remotePath = typeof path === 'string' ? parseMsrpPath(path) : [...path]
  }

  /** Binds to a connection (by `connect()` or the listener). */
  bind(connection: MsrpConnection): void {
    if (this.#closed || this.#connection !== undefined) throw new MsrpClosedError('MSRP_SESSION_CLOSED', `MSRP file session ${this.id} is already bound or closed`)
    connection.attach(this.id, this)
    this.#connection = connection
    for (const wake of this.#openWaiters.splice(0)) wake()
  }

  /** Resolves once bound (the passive side waits for the peer's first request). */
  opened(): Promise<void> {
    if (this.#connection !== undefined) return Promise.resolve()
    if (this.#closed) return Promise.reject(this.#closedError())
    return new Promise((resolve, reject) => this.#openWaiters.push(() => (this.#closed ? reject(this.#closedError()) : resolve())))
  }

  /**
   * Receives the file this session carries into `options.sink`. Call before the peer sends
   * (right after creating the session). The returned receiver's `done` settles when the whole
   * file is written and its SHA-1 checked.
   */
  receiveFile(options: FileReceiverOptions): FileReceiver {
    if (this.#receiver !== undefined) throw new MsrpClosedError('MSRP_FILE_BUSY', 'this file session already receives a file; one file per session (RFC 5547 §8)')
    this.#receiver = new FileReceiver(options)
    return this.#receiver
  }

  /**
   * Sends a file as one message, streamed from its source. Resolves when the receiver's success
   * REPORT covers every byte sent.
   *
   * @throws MsrpRequestError on a refusal (e.g. 413 over the receiver's limit), a failure REPORT (a hash mismatch), or 408.
   * @throws MsrpClosedError when the session closes or `signal` aborts.
   */
  async sendFile(file: OutgoingFile): Promise<SentFile> {
    await this.opened()
    if (this.#outgoing !== undefined) throw new MsrpClosedError('MSRP_FILE_BUSY', 'this file session is already sending a file; one file per session (RFC 5547 §8)')
    const connection = this.#requireConnection()
    const from = (file.startAt ?? 1) - 1
    if (!Number.isInteger(from) || from < 0 || from > file.size) throw new RangeError(`startAt must be between 1 and ${file.size + 1}, got ${file.startAt}`)
    const messageId = file.messageId ?? generateTransactionId(16)
    const out: Outgoing = { messageId, total: file.size, from, confirmed: 0, failure: undefined, wake: noop, onProgress: file.onProgress, sent: 0 }
    this.#outgoing = out
    const inFlight: Promise<void>[] = []
    let offset = from
    let chunks = 0
    const check = (response: { status: number; comment?: string } | undefined): void => {
      if (response !== undefined && response.status !== 200) {
        out.failure ??= new MsrpRequestError('MSRP_REQUEST_FAILED', response.status, `the receiver refused the file: ${response.status} ${response.comment ?? ''}`.trim(), response.comment)
        out.wake()
      }
    }
    const sendChunk = async (data: Uint8Array, continuation: ContinuationFlag): Promise<void> => {
      const range: ByteRange = { start: offset + 1, end: offset + data.length, total: file.size }
      const frame = this.#request('SEND', { 'Message-ID': messageId, 'Byte-Range': range, 'Success-Report': 'yes', 'Content-Type': file.contentType ?? 'application/octet-stream' }, data, continuation)
      const request = connection.request(frame, { timeoutMs: this.#transactionTimeoutMs })
      const answered = request.response.then(check, (error: Error) => {
        out.failure ??= error
      })
      inFlight.push(answered)
      offset += data.length
      out.sent = offset
      chunks++
      await request.written
      // At most `window` chunks wait for their 200: memory stays at a few chunks.
      while (inFlight.length >= this.#window) await inFlight.shift()
      this.#throwIfFailed(out, file.signal)
    }
    try {
      if (file.size === from) await sendChunk(new Uint8Array(0), '$')
      else {
        let pending: Uint8Array[] = []
        let pendingBytes = 0
        for await (const piece of file.source(from)) {
          this.#throwIfFailed(out, file.signal)
          let at = 0
          while (at < piece.length) {
            const take = Math.min(this.#chunkSize - pendingBytes, piece.length - at)
            pending.push(piece.subarray(at, at + take))
            pendingBytes += take
            at += take
            if (pendingBytes === this.#chunkSize || offset + pendingBytes === file.size) {
              const data = pending.length === 1 ? pending[0]! : concat(pending, pendingBytes)
              pending = []
              pendingBytes = 0
              if (offset + data.length > file.size) throw new MsrpClosedError('FILE_SOURCE_TOO_LONG', `the file source gave more than the ${file.size} bytes announced; announce the right size`)
              await sendChunk(data, offset + data.length === file.size ? '$' : '+')
            }
          }
          if (offset + pendingBytes > file.size) throw new MsrpClosedError('FILE_SOURCE_TOO_LONG', `the file source gave more than the ${file.size} bytes announced; announce the right size`)
        }
        if (offset < file.size) throw new MsrpClosedError('FILE_SOURCE_TOO_SHORT', `the file source ended after ${offset + pendingBytes} of the ${file.size} bytes announced; did the file change?`)
      }
      await Promise.all(inFlight)
      this.#throwIfFailed(out, file.signal)
      await this.#whenConfirmed(out, file.signal)
      log('file session %s sent %s (%d bytes from byte %d, %d chunks)', this.id, messageId, file.size - from, from + 1, chunks)
      return { messageId, bytes: file.size - from, chunks }
    } catch (error) {
      if (offset < file.size && offset > from && connection.state === 'open' && !this.#closed) {
        // RFC 4975 §7.1.1: "#" ends the message here, incomplete.
        const chunk = abortChunk(offset, file.size)
        const frame = this.#request('SEND', { 'Message-ID': messageId, 'Byte-Range': chunk.byteRange, 'Content-Type': file.contentType ?? 'application/octet-stream' }, chunk.data, '#')
        connection.request(frame, { timeoutMs: this.#transactionTimeoutMs }).response.catch(noop)
      }
      throw error
    } finally {
      this.#outgoing = undefined
    }
  }

  /** Closes the session: a send in progress rejects, a receive fails as interrupted (resumable). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#listener?.unregister(this.id)
    const out = this.#outgoing
    if (out !== undefined) {
      out.failure ??= this.#closedError()
      out.wake()
    }
    this.#receiver?.interrupted('the file session closed')
    for (const wake of this.#openWaiters.splice(0)) wake()
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
    this.emit('close', undefined)
  }

  /** @internal */
  handleRequest(request: MsrpRequest, connection: MsrpConnection): void {
    if (this.#closed) {
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
      default:
        connection.respond(request, 501)
    }
  }

  /** @internal */
  connectionClosed(connection: MsrpConnection, error: Error | undefined): void {
    if (connection !== this.#connection || this.#closed) return
    this.#closed = true
    this.#listener?.unregister(this.id)
    const cause = new MsrpClosedError('MSRP_CONNECTION_CLOSED', `the MSRP connection of file session ${this.id} closed${error ? `: ${error.message}` : ''}`, error ? { cause: error } : undefined)
    const out = this.#outgoing
    if (out !== undefined) {
      out.failure ??= cause
      out.wake()
    }
    this.#receiver?.interrupted('the connection closed')
    this.emit('close', error)
  }

  #onSend(request: MsrpRequest, connection: MsrpConnection): void {
    if (request.headers['Message-ID'] === undefined) {
      connection.respond(request, 400, 'Message-ID required')
      return
    }
    // The binding SEND (RFC 4975 §5.4) has no body and no Content-Type; an empty file has a type.
    if (request.body === undefined && request.continuation === '$' && request.headers['Content-Type'] === undefined) {
      connection.respond(request, 200)
      return
    }
    if (this.#receiver === undefined) {
      connection.respond(request, 403, 'Forbidden: this file session does not receive')
      return
    }
    this.#receiver.handleSend(request, connection, this.localUri)
  }

  #onReport(request: MsrpRequest): void {
    const out = this.#outgoing
    const status = request.headers.Status
    if (out === undefined || status === undefined || request.headers['Message-ID'] !== out.messageId) return
    if (status.code !== 200) {
      out.failure ??= new MsrpRequestError('MSRP_REPORT_FAILURE', status.code, `the receiver failed the file: ${status.code} ${status.comment ?? ''}`.trim(), status.comment)
      out.wake()
      return
    }
    const range = request.headers['Byte-Range']
    const end = range === undefined || range.end === '*' ? out.total : range.end
    // A receiver reports what it holds from byte 1 (RFC 4975 §7.1.2), also after a resume; some
    // (SylkServer) report each chunk's own range instead: a range that continues what was
    // confirmed extends it. A range past a gap confirms nothing until the gap is covered.
    if ((range?.start ?? 1) <= Math.max(out.from, out.confirmed) + 1 && end > out.confirmed) {
      out.confirmed = end
      const progress: FileProgress = { sent: out.sent, confirmed: end, total: out.total }
      out.onProgress?.(progress)
      this.emit('progress', progress)
      out.wake()
    }
  }

  async #whenConfirmed(out: Outgoing, signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => finish(new MsrpRequestError('MSRP_TIMEOUT', 408, `no success REPORT for the whole file within ${this.#reportTimeoutMs} ms`)), this.#reportTimeoutMs)
      const onAbort = (): void => finish(new MsrpClosedError('MSRP_SEND_ABORTED', 'the file send was cancelled by its AbortSignal', { cause: signal?.reason }))
      const finish = (error?: Error): void => {
        this.#clock.clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        out.wake = noop
        if (error) reject(error)
        else resolve()
      }
      out.wake = () => {
        if (out.failure !== undefined) finish(out.failure)
        else if (out.confirmed >= out.total) finish()
      }
      signal?.addEventListener('abort', onAbort)
      if (signal?.aborted) onAbort()
      else out.wake()
    })
  }

  #throwIfFailed(out: Outgoing, signal: AbortSignal | undefined): void {
    if (out.failure !== undefined) throw out.failure
    if (signal?.aborted) throw new MsrpClosedError('MSRP_SEND_ABORTED', 'the file send was cancelled by its AbortSignal', { cause: signal.reason })
    if (this.#closed) throw this.#closedError()
  }

  #request(method: string, headers: Partial<MsrpHeaders>, body?: Uint8Array, continuation: ContinuationFlag = '$'): MsrpRequest {
    const buf = body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    const frame: MsrpRequest = {
      type: 'request',
      method,
      transactionId: transactionIdFor(buf),
      headers: { 'To-Path': this.#route(), 'From-Path': [this.localUri], ...headers },
      extensionHeaders: [],
      continuation,
    }
    if (buf !== undefined && (buf.length > 0 || continuation !== '$')) frame.body = buf
    return frame
  }

  #route(): MsrpUri[] {
    if (this.#remotePath === undefined || this.#remotePath.length === 0) {
      throw new MsrpClosedError('MSRP_NO_REMOTE_PATH', `MSRP file session ${this.id} does not know the peer's path yet; pass remotePath (from the SDP a=path)`)
    }
    return this.#remotePath
  }

  #requireConnection(): MsrpConnection {
    if (this.#connection === undefined || this.#closed) throw this.#closedError()
    return this.#connection
  }

  #closedError(): MsrpClosedError {
    return new MsrpClosedError('MSRP_SESSION_CLOSED', `MSRP file session ${this.id} is closed`)
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
