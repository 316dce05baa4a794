/**
 * The contract between the bot layer and the chat layer.
 *
 * The bot layer does all of its I/O through a {@link ChatBackend}: it never touches SIP, MSRP,
 * CPIM or XML itself. The chat layer (room client over the SIP user agent and MSRP sessions)
 * implements this interface; tests use the in-memory {@link FakeChatBackend} from
 * `src/bot/fake-backend.ts`.
 *
 * Rules every implementation must follow (the bot relies on them):
 *
 * 1. **Typed failures, identified by `code`.** Every rejection is an `Error` whose `code`
 *    property is one of {@link BackendErrorCode}. The bot branches on `code` only, never on the
 *    class, so the chat layer may throw its own `MsrpBotError` subclasses; the classes in
 *    `./backend-errors.ts` are ready-made ones.
 * 2. **Nothing silently lost.** A send resolves only once the far end confirmed it (MSRP 200 /
 *    success REPORT, RFC 4975 §7.1.2) and rejects otherwise (error response, negative REPORT,
 *    transaction timeout, lost connection). It never resolves "optimistically".
 * 3. **Events are plain data.** Events carry URIs and nicknames, never protocol objects, and are
 *    delivered in the order the backend learnt of them.
 * 3a. **Room events after join.** Events for a room are emitted only after the `join()` promise
 *    for it resolved (buffer what arrives earlier). The initial full conference-info state
 *    (RFC 4575 §4.2) fills `participants` and produces no `join` events; later partial
 *    notifications produce `join` / `leave` / `nickname` events.
 * 4. **No echo filtering.** The backend delivers every message it receives, including the bot's
 *    own messages mirrored back by the focus; the bot layer decides what to ignore (`ignoreSelf`).
 * 5. **Decoded bodies.** CPIM (RFC 3862) wrappers are removed, `text/*` bodies decoded as UTF-8
 *    strings, and is-composing bodies (RFC 3994, `application/im-iscomposing+xml`) turned into
 *    `composing` events rather than messages.
 *
 * URIs are SIP or SIPS URIs as strings (`sip:alice@example.test`), without angle brackets or
 * display names.
 *
 * @module
 */

import type { FileEvent, FileReceipt, FileSink, OutgoingFileContent, ReceivedFileInfo, SendFileOptions } from './file-contract.ts'
import type { MediaContent } from '../rooms/content.ts'

/** A presence status the bot can publish or observe (a simplification of PIDF, RFC 3863). */
export type PresenceStatus = 'available' | 'away' | 'busy' | 'offline'

/** What the bot publishes about itself, or learns about a watched contact. */
export interface PresenceState {
  /** Basic availability; 'offline' maps to PIDF `<basic>closed</basic>` (RFC 3863 §4.1.4). */
  status: PresenceStatus
  /** Free-text note shown next to the status (PIDF `<note>`), if any. */
  note?: string | undefined
}

/** A message body to send: plain text (sent as `text/plain;charset=utf-8`) or any MIME body (the media seam, src/rooms/content.ts). */
export type OutgoingContent = MediaContent

/** One member of a room's roster, as the focus reports it (RFC 4575 conference-info). */
/**
 * A file a room stores, as its conference-info lists it (msrp-bot's `<files>` extension, see
 * docs/protocol-notes.md). Fetch it with `pullFile(roomUri, sha1, …)`.
 */
export interface RoomFile {
  /** The name the sender gave (display only). */
  readonly name: string
  /** MIME type, when listed. */
  readonly type?: string | undefined
  /** Size in bytes, when listed. */
  readonly size?: number | undefined
  /** SHA-1 of the content, lowercase hex. */
  readonly sha1: string
  /** URI of the participant who shared it, when listed. */
  readonly sender?: string | undefined
  /** When the room stored it, when listed. */
  readonly date?: Date | undefined
}

export interface Participant {
  /** The participant's SIP URI (their entity in conference-info). */
  readonly uri: string
  /** Their nickname in this room (RFC 7701 §6), or undefined if they have not set one. */
  readonly nickname: string | undefined
  /** Display name from conference-info, if the focus sends one. */
  readonly displayName?: string | undefined
  /**
   * True for an automaton (a bot), false for a person, undefined when the focus does not say
   * (RFC 3840 `automaton` feature tag, conveyed in conference-info; see docs/protocol-notes.md).
   */
  readonly isBot?: boolean | undefined
}

/** Who sent a message or composing indication. */
export interface Sender {
  /** The sender's SIP URI (the CPIM `From` the focus stamped, RFC 7701 §7). */
  readonly uri: string
  /** The sender's nickname in the room at the time of sending, if known. */
  readonly nickname: string | undefined
}

/** What a successful send resolves to. */
export interface SendReceipt {
  /** The Message-ID the backend used (RFC 4975 §7.1.1 / CPIM `imdn.Message-ID`). */
  readonly messageId: string
}

/** Options for {@link ChatBackend.join}. */
export interface JoinOptions {
  /** Nickname to claim once the session is up (RFC 7701 §6, NICKNAME request). */
  nickname?: string | undefined
}

/**
 * A room the bot has joined. Obtained from {@link ChatBackend.join}; invalid after
 * {@link RoomHandle.leave} or a `room-closed` event for its URI.
 */
export interface RoomHandle {
  /** The room's (focus's) URI, exactly as passed to `join`. */
  readonly uri: string
  /** The nickname the focus has confirmed for the bot here; undefined until one is accepted. */
  readonly nickname: string | undefined
  /**
   * Roster snapshot (the merged conference-info state, RFC 4575), the bot itself included.
   * Returns a fresh array; it must already reflect any join/leave/nickname event that has been
   * emitted before the call.
   */
  readonly participants: readonly Participant[]
  /**
   * The files the room stores, oldest first, from its conference-info (empty for a room that
   * lists none, e.g. a focus other than msrp-bot's). Optional for backends without rooms' files.
   */
  readonly files?: readonly RoomFile[]
  /**
   * Sends a public message to everyone in the room. Resolves when the focus accepted it.
   * Rejects with code SEND_RATE_LIMITED (set `retryAfterMs` when the peer says how long),
   * SEND_REJECTED, SEND_TIMEOUT or SEND_DISCONNECTED.
   */
  send(content: OutgoingContent): Promise<SendReceipt>
  /**
   * Sends a private message to one participant through the focus (RFC 7701 §7.2: CPIM `To` set
   * to the participant's URI). Same resolution and error codes as `send`, plus
   * PARTICIPANT_NOT_FOUND when the focus does not know the recipient.
   */
  sendPrivate(participantUri: string, content: OutgoingContent): Promise<SendReceipt>
  /**
   * Asks the focus for a new nickname (RFC 7701 §6). Resolves once accepted (then `nickname`
   * holds it). Rejects with code NICKNAME_TAKEN (MSRP 425) or NICKNAME_INVALID (MSRP 424).
   * A focus that answers 425 for every refusal (a known deviation) yields NICKNAME_TAKEN.
   */
  setNickname(nickname: string): Promise<void>
  /**
   * Sends an is-composing indication (RFC 3994) to the room: `active` true while the bot is
   * "typing", false when it stops. Best effort: may resolve even if the focus drops it.
   */
  sendComposing(active: boolean): Promise<void>
  /**
   * Removes a participant from the room (RFC 4579 §5.5: REFER to the room URI with
   * `Refer-To: <participant-uri;method=BYE>`, see docs/protocol-notes.md for the exact form).
   * Resolves once the focus accepted the request.
   * Rejects with NOT_AUTHORIZED (403: the bot is not a moderator here), PARTICIPANT_NOT_FOUND
   * (404 or not in the roster) or NOT_SUPPORTED (the focus does not implement removal).
   */
  removeParticipant(participantUri: string): Promise<void>
  /**
   * Mutes (or unmutes) a participant: the focus stops relaying their messages to the room.
   * This is an msrp-bot server extension (no RFC defines text mute); a focus that does not
   * implement it yields NOT_SUPPORTED. Also rejects with NOT_AUTHORIZED or PARTICIPANT_NOT_FOUND.
   */
  setMuted(participantUri: string, muted: boolean): Promise<void>
  /**
   * Invites someone into the room (RFC 4579 §5.5: REFER to the room with
   * `Refer-To: <uri;method=INVITE>`; the focus calls them and reports in NOTIFYs, RFC 3515).
   * Resolves once they accepted (they are then in the roster). Rejects with
   * INVITATION_DECLINED (486/600/603, `statusCode`), INVITATION_FAILED (not registered, no
   * answer ...), NOT_AUTHORIZED (the focus lets only participants, owners or moderators invite)
   * or NOT_SUPPORTED (a focus that does not call out). Optional in the contract.
   */
  invite?(uri: string): Promise<void>
  /** Leaves the room (BYE on the session). Resolves once left; idempotent. */
  leave(): Promise<void>
  /**
   * Calls `listener` as soon as the room is gone without the bot leaving it (removed by a
   * moderator, or the room closed), before the 'room-closed' event reaches the handlers: a
   * backend that delivers events one at a time delivers that event only after the handler now
   * running, which may be awaiting a send to this room. Optional; returns an unsubscribe function.
   */
  onClosed?(listener: (reason: RoomClosedReason) => void): () => void
}

/** Why a room went away without the bot leaving it. */
export type RoomClosedReason = 'closed' | 'kicked'

/** Connection states the backend reports. */
export type ConnectionState = 'disconnected' | 'reconnected'

/** An inbound room message, public or private. */
export interface MessageEvent {
  readonly type: 'message'
  /** The room it arrived in. */
  readonly room: string
  /** True for a private message (CPIM `To` named the bot, RFC 7701 §7.2). */
  readonly private: boolean
  readonly sender: Sender
  /** MIME type of the (CPIM-unwrapped) content, without parameters, lower-case. */
  readonly contentType: string
  /** Decoded body: a string for text types, bytes otherwise. */
  readonly body: string | Uint8Array
  /** When it was sent (CPIM `DateTime`) or, if absent, when it was received. */
  readonly timestamp: Date
  /** Message identity (CPIM `imdn.Message-ID` or the MSRP Message-ID). */
  readonly messageId: string
  /**
   * True for a public message the room replayed from its history to the bot: marked as a replay
   * by the focus (the msrp-bot server's `msrp-bot.History: replay` CPIM header), or, from a
   * focus that does not mark replays (SylkServer, after every join and re-join), sent before
   * the bot's current session with the room began (CPIM `DateTime` older than the join,
   * allowing for some clock skew). Never set on private messages.
   */
  readonly history?: boolean | undefined
}

/**
 * The focus itself said something in the room: a welcome, "alice has joined the room" (see
 * `system-notice.ts` for how it is told apart). Never a person's message, so a bot that answers
 * messages does not answer these.
 */
export interface NoticeEvent {
  readonly type: 'notice'
  readonly room: string
  /** The notice's text. */
  readonly text: string
  /** 'status' when the focus marked it as a status notice (joins, leaves), else 'info' (a welcome). */
  readonly notice: 'status' | 'info'
  /** When the focus sent it (CPIM `DateTime`) or, if absent, when it was received. */
  readonly timestamp: Date
}

/** Someone entered the room (conference-info `state="partial"` add, RFC 4575 §4.2). */
export interface JoinEvent {
  readonly type: 'join'
  readonly room: string
  readonly participant: Participant
}

/** Someone left the room. */
export interface LeaveEvent {
  readonly type: 'leave'
  readonly room: string
  readonly participant: Participant
}

/** Someone changed nickname; `participant.nickname` is the new one. */
export interface NicknameEvent {
  readonly type: 'nickname'
  readonly room: string
  readonly participant: Participant
  readonly previousNickname: string | undefined
}

/** An is-composing indication (RFC 3994) from a participant. */
export interface ComposingEvent {
  readonly type: 'composing'
  readonly room: string
  readonly private: boolean
  readonly sender: Sender
  /** True while they type ("active"), false when they stopped ("idle"). */
  readonly active: boolean
}

/** A presence update for a contact passed to {@link ChatBackend.watch} (RFC 3856 NOTIFY). */
export interface PresenceEvent {
  readonly type: 'presence'
  readonly contact: string
  readonly presence: PresenceState
}

/** The room ended or the bot was removed from it; its handle is dead. */
export interface RoomClosedEvent {
  readonly type: 'room-closed'
  readonly room: string
  readonly reason: RoomClosedReason
}

/**
 * The signalling/media connection went down or came back. After 'reconnected' the backend has
 * re-registered and re-joined the rooms it had (with the same nicknames where possible).
 */
export interface ConnectionEvent {
  readonly type: 'connection'
  readonly state: ConnectionState
  /** Why it went down, when known. */
  readonly error?: Error | undefined
}

/**
 * How a direct message reached the bot, outside any room: a page-mode SIP MESSAGE (RFC 3428)
 * or a 1:1 MSRP session (an INVITE with `m=message` to the bot's own address, RFC 4975).
 */
export type DirectPath = 'message' | 'session'

/** Where a direct answer goes: back on the path the message came (see {@link ChatBackend.sendDirect}). */
export interface DirectAddress {
  /** The person's (or bot's) SIP URI. */
  readonly peer: string
  /** Page-mode MESSAGE or the 1:1 MSRP session. */
  readonly path: DirectPath
  /** For `path: 'session'`: the session's id (the `chat` of the {@link DirectEvent}). */
  readonly chat?: string | undefined
}

/** A message sent to the bot's own address, outside any room (RFC 3428 MESSAGE or a 1:1 MSRP session). */
export interface DirectEvent {
  readonly type: 'direct'
  /** Who sent it (the SIP From, or the CPIM From when it names the same identity). */
  readonly sender: Sender
  /** How it came, and so how an answer goes back. */
  readonly path: DirectPath
  /** For a 1:1 session: its id, to pass back in {@link DirectAddress.chat}. */
  readonly chat: string | undefined
  /** MIME type of the (CPIM-unwrapped) content, without parameters, lower-case. */
  readonly contentType: string
  /** Decoded body: a string for text types, bytes otherwise. */
  readonly body: string | Uint8Array
  /** When it was sent (CPIM `DateTime`) or, if absent, when it was received. */
  readonly timestamp: Date
  /** Message identity (CPIM `imdn.Message-ID`, the MSRP Message-ID, or the MESSAGE's Call-ID). */
  readonly messageId: string
}

/** A 1:1 MSRP session ended (BYE either way, or its connection was lost). */
export interface DirectClosedEvent {
  readonly type: 'direct-closed'
  readonly peer: string
  readonly chat: string
}

/**
 * An invitation to a chat room: the room's focus calls this user in (RFC 4579 §5.5, after
 * someone in the room sent it a REFER with `method=INVITE`); `room-invitation.ts` tells one
 * from a 1:1 chat.
 */
export interface RoomInvitation {
  /** The room's URI (the INVITE's From). */
  readonly room: string
  /** Who asked the room to invite (Referred-By, RFC 3892), when the focus says. */
  readonly by: string | undefined
  /** Joins the room (answers the focus's INVITE); resolves with the room as `join` does. */
  accept(options?: JoinOptions): Promise<RoomHandle>
  /** Refuses (603 Decline by default; 486 Busy Here ...). */
  decline(status?: number): void
  /** True once `accept` or `decline` was called: the invitation no longer waits for an answer. */
  readonly answered: boolean
}

/**
 * A room calls the bot in (RFC 4579 §5.5: someone asked it with REFER `method=INVITE`). The
 * invitation rings until a listener calls `accept()` or `decline()`; one that no listener
 * answered is declined (603) once the listeners are done with the event.
 */
export interface InvitationEvent {
  readonly type: 'invitation'
  readonly invitation: RoomInvitation
}

/** Everything a backend can report to the bot. */
export type BackendEvent =
  | MessageEvent
  | DirectEvent
  | FileEvent
  | InvitationEvent
  | DirectClosedEvent
  | NoticeEvent
  | JoinEvent
  | LeaveEvent
  | NicknameEvent
  | ComposingEvent
  | PresenceEvent
  | RoomClosedEvent
  | ConnectionEvent

/**
 * Receives backend events. May return a promise (the bot's handling of the event); a backend may
 * ignore it, or await it before acknowledging to apply inbound backpressure. It never rejects.
 */
export type BackendListener = (event: BackendEvent) => void | Promise<void>

/**
 * Error codes a backend rejects with (the `code` property of the thrown error).
 * The bot reacts to these; any other code is passed through to the bot author unchanged.
 */
export const BackendErrorCode = {
  /** The focus refused the nickname as already used or reserved (MSRP 425, RFC 7701). */
  nicknameTaken: 'NICKNAME_TAKEN',
  /** The focus refused the nickname as malformed (MSRP 424, RFC 7701). */
  nicknameInvalid: 'NICKNAME_INVALID',
  /** The peer throttled us; retry later (optional `retryAfterMs`). The bot retries these. */
  rateLimited: 'SEND_RATE_LIMITED',
  /** The peer refused the message (error response or negative REPORT; `statusCode` if known). */
  rejected: 'SEND_REJECTED',
  /** No confirmation in time (transaction timeout, RFC 4975 §7.1.1 / RFC 3261 §17). */
  timeout: 'SEND_TIMEOUT',
  /** No connection to send on. */
  disconnected: 'SEND_DISCONNECTED',
  /** `sendPrivate` named someone not in the room. */
  participantNotFound: 'PARTICIPANT_NOT_FOUND',
  /** Registration failed (401/403 after authentication, or no answer). */
  registrationFailed: 'REGISTRATION_FAILED',
  /** The room could not be joined (INVITE refused: 403, 404, 486, ...). */
  joinFailed: 'JOIN_FAILED',
  /** A moderation request was refused (403): the bot is not a moderator of the room. */
  notAuthorized: 'NOT_AUTHORIZED',
  /** The focus does not implement the request (e.g. mute on a focus other than msrp-bot's). */
  notSupported: 'NOT_SUPPORTED',
  /** A call other than `subscribe` came before `start()` or after `stop()`. */
  notStarted: 'BACKEND_NOT_STARTED',
  /** A nickname request failed for a reason other than 424/425 (no answer, lost session). */
  nicknameFailed: 'NICKNAME_FAILED',
  /** A moderation request failed for a reason other than 403/404/unsupported. */
  moderationFailed: 'MODERATION_FAILED',
  /** The focus is shutting down (BYE with RFC 3326 cause 503): the backend re-joins when it is back. */
  focusRestarting: 'FOCUS_RESTARTING',
  /** The invitee declined an invitation to a room (486, 600, 603). */
  invitationDeclined: 'INVITATION_DECLINED',
  /** An invitation to a room failed otherwise (not registered, no answer, refused by the room). */
  invitationFailed: 'INVITATION_FAILED',
  /** `openDirect` reached a conference focus (Contact `isfocus`): it is a room, join it. */
  directTargetIsRoom: 'DIRECT_TARGET_IS_ROOM',
} as const

/** One of the {@link BackendErrorCode} values. */
export type BackendErrorCodeValue = (typeof BackendErrorCode)[keyof typeof BackendErrorCode]

/**
 * Everything the bot layer needs from the network. One instance serves one bot identity.
 *
 * Lifecycle: `start()` → (`join` / `setPresence` / `watch`)* → `stop()`. Calls other than
 * `subscribe` before `start()` or after `stop()` reject with an error whose code is
 * `BACKEND_NOT_STARTED`.
 *
 * @example
 * ```ts
 * const backend: ChatBackend = createChatBackend(config) // the chat layer's factory
 * const off = backend.subscribe((event) => console.log(event.type))
 * await backend.start()
 * const room = await backend.join('sip:lobby@chat.example.test', { nickname: 'echo' })
 * await room.send('hello')
 * await backend.stop()
 * off()
 * ```
 */
export interface ChatBackend {
  /** The bot's own address of record (the `uri` from its config). */
  readonly uri: string
  /**
   * Registers (RFC 3261 §10) and publishes the initial presence (RFC 3903). Resolves once
   * registered. Rejects with REGISTRATION_FAILED (message says why: bad credentials, no answer).
   */
  start(): Promise<void>
  /**
   * Publishes "offline" / removes the publication, ends watches, leaves rooms still joined and
   * unregisters (Expires: 0). Resolves when done; never rejects for network errors (logs them).
   * Idempotent.
   */
  stop(): Promise<void>
  /**
   * Joins a chat room (INVITE to the focus with an MSRP session, RFC 7701 §5) and, when
   * `options.nickname` is given, claims it (RFC 7701 §6).
   *
   * If the session comes up but the nickname is refused, rejects with NICKNAME_TAKEN or
   * NICKNAME_INVALID and SHOULD attach the live handle as `error.room` (the bot then retries
   * with `setNickname` or calls `leave()`); a backend that cannot keep the session must leave
   * and reject without `room`. Rejects with JOIN_FAILED when the room cannot be entered.
   */
  join(roomUri: string, options: JoinOptions): Promise<RoomHandle>
  /** Publishes the bot's presence (PUBLISH with PIDF, RFC 3903 / RFC 3863). */
  setPresence(presence: PresenceState): Promise<void>
  /**
   * Subscribes to a contact's presence (SUBSCRIBE Event: presence, RFC 3856). The current state
   * and every change arrive as `presence` events. Watching the same contact twice is a no-op.
   */
  watch(contactUri: string): Promise<void>
  /** Ends a watch started with `watch`. Unknown contacts are a no-op. */
  unwatch(contactUri: string): Promise<void>
  /**
   * Sends a direct message outside any room: a page-mode MESSAGE (RFC 3428) or a SEND on a 1:1
   * MSRP session the peer opened (or {@link openDirect} opened). Resolves once the peer's 2xx /
   * MSRP 200 came. Rejects with SEND_REJECTED (error response, `statusCode`), SEND_TIMEOUT,
   * SEND_DISCONNECTED (the session is gone) or NOT_SUPPORTED. Optional: a backend without
   * direct chats leaves it out and the bot answers NOT_SUPPORTED.
   */
  sendDirect?(to: DirectAddress, content: OutgoingContent): Promise<SendReceipt>
  /**
   * Opens a 1:1 MSRP chat with a person or a bot (INVITE with `m=message`, RFC 4975). Messages
   * from the peer arrive as `direct` events with `path: 'session'` and the handle's `chat`.
   * Rejects with DIRECT_TARGET_IS_ROOM when the answer comes from a conference focus (Contact
   * `isfocus`, RFC 4579): join it instead; JOIN_FAILED when the peer refused (`statusCode`).
   */
  openDirect?(peerUri: string): Promise<DirectChatHandle>
  /**
   * Sends a file to a person or bot (RFC 5547 push: INVITE with `a=sendonly` and
   * `a=file-selector`). Resolves when the receiver confirmed every byte; rejects with
   * SEND_REJECTED (`statusCode`: 413 too large, 603 declined …), SEND_TIMEOUT or SEND_DISCONNECTED.
   */
  sendFile?(peerUri: string, file: OutgoingFileContent, options?: SendFileOptions): Promise<FileReceipt>
  /**
   * Fetches a file by its SHA-1 from `targetUri` (RFC 5547 pull, e.g. from a room that stores
   * it) into `sink`; resolves with its name, type, size and checked hash. Rejects
   * FILE_NOT_AVAILABLE (`statusCode` 404 …) or FILE_TOO_LARGE.
   */
  pullFile?(targetUri: string, sha1: string, sink: FileSink, options?: { maxBytes?: number }): Promise<ReceivedFileInfo & { name: string; type: string }>
  /**
   * Adds an event listener; returns a function that removes it. Events emitted before any
   * listener is subscribed may be dropped, so subscribe before `start()`.
   */
  subscribe(listener: BackendListener): () => void
}

/** A 1:1 MSRP chat opened with {@link ChatBackend.openDirect}. */
export interface DirectChatHandle {
  /** The peer's URI as given. */
  readonly peer: string
  /** The session's id (the `chat` of its `direct` events). */
  readonly chat: string
  /** Sends on the session; resolves after the peer's MSRP 200. Same errors as `sendDirect`. */
  send(content: OutgoingContent): Promise<SendReceipt>
  /** Ends the chat (BYE); idempotent, never rejects. */
  close(): Promise<void>
}

/** Creates a backend for a validated bot config; the chat layer registers one by default. */
export type ChatBackendFactory = (config: BackendConfig) => ChatBackend

/**
 * The part of the bot config a backend needs (a subset of `BotConfig`, so the chat layer need
 * not depend on the bot's config schema).
 */
export interface BackendConfig {
  /** The bot's address of record, `sip:` or `sips:`. */
  uri: string
  /** Authentication user name for digest auth (RFC 3261 §22), defaults to the URI's user part. */
  username?: string | undefined
  /** Digest password; undefined when the registrar does not challenge. */
  password?: string | undefined
  /** Display name for From headers and CPIM. */
  displayName?: string | undefined
  /**
   * Registrar URI; defaults to the URI's host. `false`: do not register (RFC 3261 §10 is
   * optional for a UA): the bot is reachable only in the rooms it joins, through the dialogs it
   * opened, and publishes no presence (there is no home server to hold it).
   */
  registrar?: string | false | undefined
  /** Outbound proxy URI (RFC 3261 §8.1.2), if any. */
  outboundProxy?: string | undefined
  /** Transport for SIP (and for MSRP where it applies). */
  transport: 'udp' | 'tcp' | 'tls' | 'ws'
}
