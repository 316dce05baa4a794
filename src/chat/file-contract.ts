/**
 * Files in the {@link ChatBackend} contract (RFC 5547): a file someone offers the bot, and one
 * the bot sends. Bytes flow through a sink and a source, never whole in memory.
 *
 * @module
 */
import type { FileProgress } from '../msrp/file-session.ts'
import type { FileSink, FileSource } from '../msrp/file-io.ts'

export type { FileProgress, FileSink, FileSource }

/** What the offer's `a=file-selector` says about a file (RFC 5547 §6). */
export interface FileInfo {
  /** The file name as the sender gave it: display it, never use it as a path unchecked. */
  readonly name: string
  /** Media type (`application/octet-stream` when the sender did not say). */
  readonly type: string
  /** Size in bytes. */
  readonly size: number
  /** SHA-1 (hex) the received bytes are checked against; undefined when the sender gave none. */
  readonly sha1: string | undefined
}

/** A file arrived and checked. */
export interface ReceivedFileInfo {
  readonly size: number
  readonly sha1: string
}

/** A file offered to the bot (a push, `a=sendonly`); nothing is transferred until `receive`. */
export interface IncomingFile {
  readonly info: FileInfo
  /**
   * Accepts the offer and streams the file into `sink`; resolves once every byte is written and
   * the SHA-1 matches. A file over `maxBytes` is refused (SIP 413) and rejects FILE_TOO_LARGE.
   */
  receive(sink: FileSink, options?: { maxBytes?: number }): Promise<ReceivedFileInfo>
  /**
   * Refuses the offer (SIP 603 Decline; 488 Not Acceptable Here on an endpoint without an MSRP
   * listener, such as the browser page, which can take no file); a no-op once received or declined.
   */
  decline(): void
  /** True once `receive` or `decline` was called. */
  readonly answered: boolean
}

/**
 * A file for the bot: offered directly (an INVITE to its own address with a file-selector; no
 * `room`), shared in one of its rooms (the room announced it; `room` is set, and receiving it
 * pulls it from the room, RFC 5547 §8.3), or pushed by one of its rooms (`room` and `pushed`:
 * the room offers it to everyone present, receiving it takes that offer).
 */
export interface FileEvent {
  readonly type: 'file'
  /** Present only for a file shared in a room. */
  readonly room?: string
  /**
   * The room itself offered it (its policy pushes files to every participant): receiving it
   * takes the room's offer, not taking it answers 603. Absent for a file a room only announced
   * (receiving pulls it, RFC 5547 §8.3) and for a file sent directly.
   */
  readonly pushed?: true
  /** Who offers it (the SIP From identity): the same shape as a message's sender. */
  readonly sender: { readonly uri: string; readonly nickname: string | undefined }
  readonly file: IncomingFile
}

/** A file to send: its description and where its bytes come from. */
export interface OutgoingFileContent {
  readonly name: string
  readonly type: string
  readonly size: number
  /** SHA-1 (hex) of the whole file: RFC 5547 §6 lets the receiver check it. */
  readonly sha1: string
  readonly source: FileSource
}

/** Options of sending a file. */
export interface SendFileOptions {
  onProgress?: (progress: FileProgress) => void
  signal?: AbortSignal
}

/** A file the receiver confirmed whole (its success REPORT covered every byte). */
export interface FileReceipt {
  readonly messageId: string
  readonly bytes: number
}
