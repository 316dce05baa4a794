/**
 * Files a test participant sends and receives (RFC 5547): it takes every file offered to it
 * into memory (bounded), so a test can wait for one and look at its bytes — files sent to it
 * directly, and files its room pushes to everyone (unless told to decline those: 603).
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
  /** Who sent it (their SIP URI; the room's URI for a file the room pushed). */
  readonly from: string
  /** The room that pushed it to everyone (its policy pushes files); absent for a file sent directly. */
  readonly room?: string
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
  /** Files rooms pushed to it, in order of offer, with what it answered. */
  readonly pushed: Array<{ readonly room: string; readonly name: string; readonly sha1: string | undefined; readonly answer: 'accepted' | 'declined' | 'left' }> = []
  readonly #backend: SipChatBackend
  readonly #pushes: 'accept' | 'decline' | 'leave'
  readonly #waiters: Array<(file: ReceivedTestFile) => void> = []

  constructor(backend: SipChatBackend, pushes: 'accept' | 'decline' | 'leave' = 'accept') {
    this.#backend = backend
    this.#pushes = pushes
  }

  /** Takes a file offered in `event` (in the background; waiters hear of it once it is whole). */
  onEvent(event: BackendEvent): void {
    // Files a room only announced stay there until pulled (pullFile); files sent to it, and files
    // its room pushes to everyone, are taken (the latter unless it declines pushes).
    if (event.type !== 'file' || (event.room !== undefined && event.pushed !== true)) return
    if (event.room !== undefined) {
      const answer = this.#pushes === 'accept' ? 'accepted' : this.#pushes === 'decline' ? 'declined' : 'left'
      this.pushed.push({ room: event.room, name: event.file.info.name, sha1: event.file.info.sha1, answer })
      if (answer === 'declined') event.file.decline()
      if (answer !== 'accepted') return
    }
    const sink = new BufferSink(TEST_FILE_MAX_BYTES)
    event.file.receive(sink, { maxBytes: TEST_FILE_MAX_BYTES }).then(
      (done) => {
        const file = { from: event.sender.uri, ...(event.room === undefined ? {} : { room: event.room }), name: event.file.info.name, type: event.file.info.type, bytes: sink.bytes(), sha1: done.sha1 }
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
