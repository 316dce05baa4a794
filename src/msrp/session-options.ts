/**
 * What an {@link MsrpSession} is made with and deals in: its options, the messages it sends
 * and receives, its events, and the decider a chat-room focus answers SENDs through.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import type { MsrpListener } from './listener.ts'
import type { ExtensionHeader, FailureReport, MsrpHeaders, MsrpRequest } from './message.ts'
import type { ByteInterval } from './reassembler.ts'
import type { MsrpUri } from './uri.ts'

/**
 * Smallest cap on one incoming chunk's body (see {@link MsrpSession.maxChunkBytes}): a message
 * a little over the size limit still gets its polite 413 (RFC 4975 §10), while a huge chunk
 * closes the connection before it is held in memory.
 */
export const MIN_CHUNK_CAP_BYTES = 1024 * 1024

/** How a decided message or nickname is answered: the transaction response's status and comment. */
export interface MsrpVerdict {
  readonly status: number
  readonly comment?: string | undefined
}

/**
 * Decides what a session receives when the answer must wait for the decision (a chat-room
 * focus, RFC 7701 §6-7): the SEND that completes a message is answered with the verdict's
 * status, so the sender's transaction response carries the real outcome (RFC 4975 §7.2 leaves
 * the time to answer to the receiver, within the sender's 30 s of §7.1).
 */
export interface MsrpDecider {
  /** The largest message accepted right now (bigger ones get 413); read on every chunk. */
  maxMessageBytes(): number
  /** A complete message; answer with its verdict (a promise for a decision that takes a while). */
  message(message: IncomingMsrpMessage): MsrpVerdict | Promise<MsrpVerdict>
  /** NICKNAME (RFC 7701 §7); `nickname` is undefined when Use-Nickname is absent. */
  nickname(nickname: string | undefined): MsrpVerdict
}

/** Named states of a session. */
export type SessionState = 'connecting' | 'open' | 'closing' | 'closed'

/** Options of a session. */
export interface MsrpSessionOptions {
  /** Our MSRP URI (what SDP `a=path` advertises last), e.g. `msrp://10.0.0.1:2855/abc;tcp`. */
  localUri: MsrpUri | string
  /** The peer's path from its SDP `a=path` (relays first, the peer last); learnt from the first request when absent. */
  remotePath?: readonly MsrpUri[] | string
  /** Our own relays (the Use-Path from an RFC 4976 AUTH), put before `remotePath` in To-Path. */
  relayPath?: readonly MsrpUri[]
  /** Media types we accept (`a=accept-types`, wildcards `type/*` and `*`); default `['*']`. */
  acceptTypes?: readonly string[]
  /** Bytes per outgoing chunk (default 2048, RFC 4975 §7.1). */
  chunkSize?: number
  /** Largest incoming message; bigger ones get 413 (default 16 MiB; a `decider` sets its own). */
  maxMessageBytes?: number
  /** Incoming messages held incomplete at once (default 32). */
  maxIncompleteMessages?: number
  /** Outgoing messages in progress at once; further `send()` calls wait (default 16). */
  maxPendingSends?: number
  /** Wait for a chunk's response (default 30 s, RFC 4975 §7.1). */
  transactionTimeoutMs?: number
  /** Wait for a requested success REPORT after the last 200 (default 30 s). */
  reportTimeoutMs?: number
  /** Clock for both timeouts. */
  clock?: Clock
  /**
   * Decides an incoming NICKNAME (RFC 7701 §7): return 200, 424 (too long), 425 (in use)…
   * Without it, NICKNAME is answered 501.
   */
  onNickname?: (nickname: string, request: MsrpRequest) => number | Promise<number>
  /** Passive side: register with this listener so the peer's first request binds the session. */
  listener?: MsrpListener
  /**
   * Answer each complete message only once it is decided (a chat-room focus): see
   * {@link MsrpDecider}. Messages then go to the decider instead of the `message` event, and
   * NICKNAME to its `nickname` (instead of `onNickname`).
   */
  decider?: MsrpDecider
  /**
   * Close the connection when this session leaves it and no other session uses it, also when
   * the session did not open it (default: only a connection `connect()` dialled).
   */
  closeIdleConnection?: boolean
}

/** A message to send. */
export interface OutgoingMessage {
  /** Media type, e.g. `text/plain` or `message/cpim`. */
  contentType: string
  /** The message; strings are sent as UTF-8. */
  body: Uint8Array | string
  /** Ask the receiver for a success REPORT and wait for it (RFC 4975 §7.1.1; default false). */
  successReport?: boolean
  /** `yes` (default), `partial` or `no` (RFC 4975 §7.1.1); with `no`/`partial` no 200 is awaited. */
  failureReport?: FailureReport
  /** Message-ID to use (default: random). */
  messageId?: string
  /** Cancels the send; a partly sent message is ended with a `#` chunk. */
  signal?: AbortSignal
  /** Extra headers on every chunk (e.g. `Content-Disposition` is a typed one; these are others). */
  extensionHeaders?: ExtensionHeader[]
}

/** What a successful send reports. */
export interface SendResult {
  readonly messageId: string
  /** Body bytes sent. */
  readonly bytes: number
  /** Chunks sent. */
  readonly chunks: number
}

/** A complete incoming message. */
export interface IncomingMsrpMessage {
  readonly messageId: string
  readonly contentType: string
  readonly body: Buffer
  /** From-Path of the first chunk (the sender last). */
  readonly fromPath: readonly MsrpUri[]
  /** All typed headers of the first chunk that arrived. */
  readonly headers: MsrpHeaders
}

/** Events of a session. */
export interface MsrpSessionEvents {
  /** The state changed. */
  state: [state: SessionState, previous: SessionState]
  /** A complete message arrived (after its 200 was sent). */
  message: [message: IncomingMsrpMessage]
  /** The sender interrupted a message (`#`); `received` says which bytes had arrived. */
  aborted: [info: { messageId: string; received: ByteInterval[] }]
  /** Any REPORT for this session (success or failure). */
  report: [report: MsrpRequest]
  /** An incoming NICKNAME was answered with `status`. */
  nickname: [nickname: string, status: number]
  /** The session closed; `error` says why when it was not a clean close. */
  close: [error: Error | undefined]
}
