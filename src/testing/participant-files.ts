/**
 * Files a test participant sends and receives outside rooms (RFC 5547): it takes every file
 * offered to it into memory (bounded), so a test can wait for one and look at its bytes.
 *
 * @module
 */
import type { BackendEvent } from '../chat/backend.ts'
import type { FileReceipt, FileSink, SendFileOptions } from '../chat/file-contract.ts'
import { BufferSink, outgoingFile, type FileInput, type FileMeta } from '../chat/node-files.ts'
import type { SipChatBackend } from '../chat/sip-chat-backend.ts'
import { MsrpBotError } from '../errors.ts'

/** A file a participant received, whole and with its SHA-1 checked. */
export interface ReceivedTestFile {
  /** Who sent it (their SIP URI). */
  readonly from: string
  readonly name: string
  readonly type: string
  readonly bytes: Uint8Array
  readonly sha1: string
}

/** Largest file a test participant takes (bigger ones are refused with 413). */
export const TEST_FILE_MAX_BYTES = 64 * 1024 * 1024

/** The file side of a test participant. */
export class ParticipantFiles {
  /** Files received so far, in order. */
  readonly received: ReceivedTestFile[] = []
  readonly #backend: SipChatBackend
  readonly #waiters: Array<(file: ReceivedTestFile) => void> = []

  constructor(backend: SipChatBackend) {
    this.#backend = backend
  }

  /** Takes a file offered in `event` (in the background; waiters hear of it once it is whole). */
  onEvent(event: BackendEvent): void {
    // Files shared in a room stay there until pulled (pullFile); only files sent to it are taken.
    if (event.type !== 'file' || event.room !== undefined) return
    const sink = new BufferSink(TEST_FILE_MAX_BYTES)
    event.file.receive(sink, { maxBytes: TEST_FILE_MAX_BYTES }).then(
      (done) => {
        const file = { from: event.sender.uri, name: event.file.info.name, type: event.file.info.type, bytes: sink.bytes(), sha1: done.sha1 }
        this.received.push(file)
        this.#waiters.shift()?.(file)
      },
      () => undefined, // a failed transfer is the sender's error to see; nothing arrived here
    )
  }

  /** Sends a path or bytes to `peer` (a SIP URI). */
  async send(peer: string, file: FileInput, options: FileMeta & SendFileOptions = {}): Promise<FileReceipt> {
    const { name, type, ...sendOptions } = options
    const content = await outgoingFile(file, { ...(name === undefined ? {} : { name }), ...(type === undefined ? {} : { type }) })
    return this.#backend.sendFile(peer, content, sendOptions)
  }

  /** Pulls a file by hash from `target` into `sink`, or into memory (at most 64 MiB) without one. */
  async pull(target: string, sha1: string, sink?: FileSink): Promise<{ name: string; type: string; size: number; sha1: string; bytes?: Uint8Array }> {
    const memory = sink === undefined ? new BufferSink(TEST_FILE_MAX_BYTES) : undefined
    const file = await this.#backend.pullFile(target, sha1, sink ?? memory!, { maxBytes: TEST_FILE_MAX_BYTES })
    return memory === undefined ? file : { ...file, bytes: memory.bytes() }
  }

  /** The next file to arrive (or the first one not yet expected). */
  next(taken: number): Promise<ReceivedTestFile> {
    const file = this.received[taken]
    if (file !== undefined) return Promise.resolve(file)
    if (this.#waiters.length > 16) return Promise.reject(new MsrpBotError('TEST_TOO_MANY_WAITERS', 'more than 16 expectFile() calls wait at once; await them'))
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}
