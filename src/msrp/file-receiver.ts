/**
 * The receiving side of an RFC 5547 file transfer: takes the SEND chunks of the one message
 * that carries the file, writes them in order to a {@link FileSink}, hashes them as they pass
 * (SHA-1, RFC 5547 §6), acknowledges each chunk only once it is written (so a fast sender is
 * held back by the disk, not buffered), reports progress with success REPORTs (RFC 4975
 * §7.1.2), and checks size and hash when the last byte arrived.
 */
import { MsrpBotError } from '../errors.ts'
import type { MsrpConnection } from './connection.ts'
import type { FileSink } from './file-io.ts'
import type { ByteRange, MsrpRequest } from './message.ts'
import { MSRP_REASONS } from './message.ts'
import { generateTransactionId } from './serializer.ts'
import { Sha1 } from './sha1.ts'
import type { MsrpUri } from './uri.ts'

/** A file transfer that did not complete. Codes below; `received` says how many bytes are safely in the sink. */
export class FileTransferError extends MsrpBotError {
  /**
   * @param code `FILE_TOO_LARGE` (over the cap: 413), `FILE_SIZE_MISMATCH`, `FILE_HASH_MISMATCH`,
   *   `FILE_OUT_OF_ORDER`, `FILE_INTERRUPTED` (the sender stopped or the connection closed:
   *   resume from `received`), `FILE_SINK_FAILED` (the sink threw).
   */
  constructor(
    code: string,
    message: string,
    readonly received: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}

/** Options of {@link FileReceiver}. */
export interface FileReceiverOptions {
  /** Where the bytes go, in order. */
  sink: FileSink
  /** The size the SDP file-selector announced; a different total fails the transfer. */
  size?: number
  /** The SHA-1 the file-selector announced (hex, no colons); a different digest fails the transfer. */
  sha1?: string
  /** Largest file accepted; a bigger one is refused with 413 (default 100 MiB). */
  maxBytes?: number
  /** Bytes the sink already holds from an interrupted transfer (RFC 5547 §8.6); default 0. */
  resumeFrom?: number
  /** A hash already fed those `resumeFrom` bytes (required when resuming with `sha1`). */
  hash?: Sha1
  /** Send a progress REPORT every this many bytes (default 256 KiB). */
  reportEveryBytes?: number
  /**
   * Runs once the whole file is written and checked, before the success REPORT tells the sender
   * (e.g. close the file and move it into place): the sender's confirmation means "kept". A
   * rejection fails the transfer with a failure REPORT (500).
   */
  beforeConfirm?: (file: ReceivedFile) => Promise<void>
  /** Chunks written but not yet acknowledged before further ones are refused (default 256). */
  maxQueuedChunks?: number
}

/** A completed transfer. */
export interface ReceivedFile {
  /** The whole file's size. */
  readonly size: number
  /** Bytes this transfer carried (less than `size` when it resumed). */
  readonly transferred: number
  /** SHA-1 of the whole file, hex. */
  readonly sha1: string
  readonly messageId: string
}

/** Receives one file; `done` settles when it is complete and verified, or failed. */
export class FileReceiver {
  /** Settles with the file once the last chunk is written and the hash checked. */
  readonly done: Promise<ReceivedFile>
  readonly #options: FileReceiverOptions
  readonly #maxBytes: number
  readonly #hash: Sha1
  readonly #resumeFrom: number
  #received: number
  #queued = 0
  #nextStart: number
  #lastReport: number
  #messageId: string | undefined
  #settled = false
  #tail: Promise<void> = Promise.resolve()
  #resolve!: (file: ReceivedFile) => void
  #reject!: (error: FileTransferError) => void

  constructor(options: FileReceiverOptions) {
    this.#options = options
    this.#maxBytes = options.maxBytes ?? 100 * 1024 * 1024
    this.#resumeFrom = options.resumeFrom ?? 0
    if (this.#resumeFrom > 0 && options.sha1 !== undefined && (options.hash === undefined || options.hash.length !== this.#resumeFrom)) {
      throw new MsrpBotError('FILE_RESUME_NEEDS_HASH', `resuming at byte ${this.#resumeFrom + 1} with a hash to check needs options.hash fed the ${this.#resumeFrom} bytes already received (e.g. hashFile() of the partial file)`)
    }
    this.#hash = options.hash ?? new Sha1()
    this.#received = this.#resumeFrom
    this.#nextStart = this.#resumeFrom + 1
    this.#lastReport = this.#resumeFrom
    this.done = new Promise<ReceivedFile>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.done.catch(() => undefined)
  }

  /** Bytes safely in the sink (including those of an earlier, resumed transfer). */
  get received(): number {
    return this.#received
  }

  /** True once `done` settled. */
  get settled(): boolean {
    return this.#settled
  }

  /** @internal Handles one SEND of the file's message; answers it. */
  handleSend(request: MsrpRequest, connection: MsrpConnection, localUri: MsrpUri): void {
    const messageId = request.headers['Message-ID']!
    const range = request.headers['Byte-Range'] ?? { start: 1, end: '*', total: '*' }
    const body = request.body ?? new Uint8Array(0)
    if (this.#settled) {
      connection.respond(request, 403, 'Forbidden: this file transfer is over')
      return
    }
    if (this.#messageId !== undefined && messageId !== this.#messageId) {
      connection.respond(request, 403, 'Forbidden: one file per transfer session (RFC 5547 §8.2)')
      return
    }
    this.#messageId = messageId
    const total = range.total
    if (typeof total === 'number' && total > this.#maxBytes) {
      this.#refuse(request, connection, localUri, 413, new FileTransferError('FILE_TOO_LARGE', `the file has ${total} bytes, over the ${this.#maxBytes}-byte limit`, this.#received))
      return
    }
    if (typeof total === 'number' && this.#options.size !== undefined && total !== this.#options.size) {
      this.#refuse(request, connection, localUri, 400, new FileTransferError('FILE_SIZE_MISMATCH', `the file is sent with ${total} bytes but its file-selector said size:${this.#options.size}`, this.#received))
      return
    }
    if (request.continuation === '#') {
      connection.respond(request, 200)
      this.#tail = this.#tail.then(() => this.#fail(new FileTransferError('FILE_INTERRUPTED', `the sender interrupted the file after ${this.#received} bytes; resume from byte ${this.#received + 1} (RFC 5547 §8.6)`, this.#received)))
      return
    }
    if (range.start !== this.#nextStart) {
      this.#refuse(request, connection, localUri, 400, new FileTransferError('FILE_OUT_OF_ORDER', `chunk starts at byte ${range.start}, expected ${this.#nextStart}: a file's chunks must arrive in order`, this.#received))
      return
    }
    if (this.#received + body.length > this.#maxBytes) {
      this.#refuse(request, connection, localUri, 413, new FileTransferError('FILE_TOO_LARGE', `the file grew past the ${this.#maxBytes}-byte limit`, this.#received))
      return
    }
    if (++this.#queued > (this.#options.maxQueuedChunks ?? 256)) {
      this.#refuse(request, connection, localUri, 400, new FileTransferError('FILE_FLOODED', 'the sender did not wait for its chunks to be acknowledged', this.#received))
      return
    }
    this.#nextStart += body.length
    const last = request.continuation === '$'
    this.#tail = this.#tail.then(() => this.#write(request, connection, localUri, body, last, total))
  }

  /** @internal The connection or session ended. */
  interrupted(reason: string): void {
    this.#tail = this.#tail.then(() => this.#fail(new FileTransferError('FILE_INTERRUPTED', `${reason} after ${this.#received} bytes; resume from byte ${this.#received + 1} (RFC 5547 §8.6)`, this.#received)))
  }

  async #write(request: MsrpRequest, connection: MsrpConnection, localUri: MsrpUri, body: Uint8Array, last: boolean, total: number | '*'): Promise<void> {
    if (this.#settled) return
    try {
      if (body.length > 0) await this.#options.sink.write(body)
    } catch (cause) {
      this.#queued--
      this.#refuse(request, connection, localUri, 500, new FileTransferError('FILE_SINK_FAILED', `could not store the file: ${(cause as Error).message}`, this.#received, { cause }))
      return
    }
    this.#queued--
    this.#hash.update(body)
    this.#received += body.length
    if (connection.state === 'open') connection.respond(request, 200)
    if (!last) {
      if (this.#received - this.#lastReport >= (this.#options.reportEveryBytes ?? 256 * 1024)) {
        this.#lastReport = this.#received
        this.#report(request, connection, localUri, { start: 1, end: this.#received, total }, 200)
      }
      return
    }
    const size = this.#received
    if (this.#options.size !== undefined && size !== this.#options.size) {
      return this.#failReported(request, connection, localUri, 400, new FileTransferError('FILE_SIZE_MISMATCH', `the file ended after ${size} bytes but its file-selector said size:${this.#options.size}`, size))
    }
    const sha1 = this.#hash.digestHex()
    if (this.#options.sha1 !== undefined && sha1 !== this.#options.sha1.toLowerCase()) {
      return this.#failReported(request, connection, localUri, 400, new FileTransferError('FILE_HASH_MISMATCH', `the file's SHA-1 is ${sha1} but its file-selector said ${this.#options.sha1}; the file is damaged, ask for it again`, size))
    }
    const file: ReceivedFile = { size, transferred: size - this.#resumeFrom, sha1, messageId: this.#messageId! }
    if (this.#options.beforeConfirm !== undefined) {
      try {
        await this.#options.beforeConfirm(file)
      } catch (cause) {
        return this.#failReported(request, connection, localUri, 500, new FileTransferError('FILE_SINK_FAILED', `the file arrived but could not be kept: ${(cause as Error).message}`, size, { cause }))
      }
    }
    // RFC 4975 §7.1.2: one success REPORT covering the whole message tells the sender it arrived.
    this.#report(request, connection, localUri, { start: 1, end: size, total: size }, 200)
    this.#settled = true
    this.#resolve(file)
  }

  #refuse(request: MsrpRequest, connection: MsrpConnection, localUri: MsrpUri, status: number, error: FileTransferError): void {
    if (connection.state === 'open') connection.respond(request, status, MSRP_REASONS[status])
    this.#failReported(request, connection, localUri, status, error)
  }

  #failReported(request: MsrpRequest, connection: MsrpConnection, localUri: MsrpUri, status: number, error: FileTransferError): void {
    const range = request.headers['Byte-Range']
    if ((request.headers['Failure-Report'] ?? 'yes') !== 'no' && range !== undefined) {
      this.#report(request, connection, localUri, { start: range.start, end: range.start + (request.body?.length ?? 0) - 1, total: range.total }, status, error.message)
    }
    this.#fail(error)
  }

  #fail(error: FileTransferError): void {
    if (this.#settled) return
    this.#settled = true
    this.#reject(error)
  }

  #report(request: MsrpRequest, connection: MsrpConnection, localUri: MsrpUri, range: ByteRange, status: number, comment?: string): void {
    if (connection.state !== 'open') return
    // RFC 4975 §7.1.2: success REPORTs only to a sender that asked for them.
    if (status === 200 && request.headers['Success-Report'] !== 'yes') return
    const report: MsrpRequest = {
      type: 'request',
      method: 'REPORT',
      transactionId: generateTransactionId(),
      headers: {
        'To-Path': request.headers['From-Path'],
        'From-Path': [localUri],
        'Message-ID': request.headers['Message-ID']!,
        'Byte-Range': range,
        Status: { namespace: 0, code: status, comment: (comment ?? MSRP_REASONS[status] ?? 'Failed').replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200) },
      },
      extensionHeaders: [],
      continuation: '$',
    }
    connection.request(report).written.catch(() => undefined)
  }
}
