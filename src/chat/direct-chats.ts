/**
 * Direct chats outside any room, for one backend: page-mode MESSAGEs (RFC 3428) to and from
 * the bot's own address, and 1:1 MSRP sessions (RFC 4975) people open to it or it opens.
 *
 * Bounds: a MESSAGE body over `maxMessageBytes` is refused with 413 (RFC 3428 §8), a type other
 * than text/plain or message/cpim with 415 (and Accept), a MESSAGE while more than `maxBacklog`
 * events wait for the bot with 503 (Retry-After); more than `maxSessions` 1:1 sessions at once
 * get 486 Busy Here. An outgoing MESSAGE over 1300 bytes is refused on UDP (RFC 3428 §7:
 * use a congestion-controlled transport or a session). Who may write is the registrar's and
 * proxy's decision (the msrp-bot server authenticates the sender before it forwards, see
 * docs/protocol-notes.md); the sender is the SIP From identity, never a CPIM From naming someone else.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import { identityKey } from '../rooms/identity.ts'
import { parseMsrpSdp } from '../sdp/index.ts'
import { readNameAddrHeader } from '../sip/headers/name-addr.ts'
import { serializeUri } from '../sip/uri.ts'
import type { IncomingMessage } from '../sip/ua/incoming-message.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import type { DirectAddress, DirectChatHandle, DirectEvent, DirectClosedEvent, OutgoingContent, SendReceipt } from './backend.ts'
import { SendError } from './backend-errors.ts'
import { DIRECT_ACCEPT_TYPES, decodeDirect, encodeDirect } from './direct-content.ts'
import { DirectSession, type DirectHost } from './direct-session.ts'
import { DirectFileOffer, offersFile, pullFile, pushFile, RoomFileOffer } from './direct-file.ts'
import type { AnnouncedFile } from '../rooms/file-notice.ts'
import type { FileEvent, FileReceipt, FileSink, OutgoingFileContent, SendFileOptions } from './file-contract.ts'
import type { MsrpAcceptor } from './msrp-acceptor.ts'
import type { ChatLogger } from './room-client.ts'

/** Default cap on 1:1 sessions held at once. */
export const DEFAULT_MAX_DIRECT_SESSIONS = 16
/** Default cap on one direct message (MESSAGE body or 1:1 MSRP message), bytes. */
export const DEFAULT_MAX_DIRECT_MESSAGE_BYTES = 16 * 1024
/** Default cap on events waiting for the bot before MESSAGEs get 503. */
export const DEFAULT_MAX_DIRECT_BACKLOG = 256
/** RFC 3428 §7: a MESSAGE over UDP stays under 1300 bytes (path MTU), else needs a congestion-controlled transport. */
export const UDP_MESSAGE_LIMIT = 1300

/** What the direct chats need from their backend. */
export interface DirectChatsHost extends DirectHost {
  readonly maxSessions: number
  /** Events waiting for the bot to handle them; a MESSAGE beyond `maxBacklog` gets 503. */
  backlog(): number
  readonly maxBacklog: number
  readonly log: ChatLogger
  emit(event: DirectEvent | DirectClosedEvent | FileEvent): void
  track<T>(work: Promise<T>): Promise<T>
}

/** The direct chats of one backend. */
export class DirectChats {
  readonly #host: DirectChatsHost
  readonly #sessions = new Map<string, DirectSession>()
  #acceptor: Promise<MsrpAcceptor> | undefined

  constructor(host: Omit<DirectChatsHost, 'acceptor'>, acceptor: ((host: string) => Promise<MsrpAcceptor>) | undefined) {
    this.#host = {
      ...host,
      // Opened on first use; a failed listen is tried again by the next session.
      acceptor:
        acceptor === undefined
          ? undefined
          : () =>
              (this.#acceptor ??= acceptor(host.ua.localAddress.address).catch((error: unknown) => {
                this.#acceptor = undefined
                throw error
              })),
    }
  }

  /** Whether files can be taken here: receiving one needs an MSRP listener (not in a browser). */
  get takesFiles(): boolean {
    return this.#host.acceptor !== undefined
  }

  /** Sessions open now. */
  get sessions(): readonly DirectChatHandle[] {
    return [...this.#sessions.values()]
  }

  /** A page-mode MESSAGE to the bot: answered (200, 413, 415, 400) and handed up. */
  onMessage(message: IncomingMessage): void {
    const peer = identityKey(message.from.uri)
    if (this.#host.backlog() >= this.#host.maxBacklog) {
      // The bot is behind: say so (RFC 3261 §21.5.4) rather than queue without bound.
      message.reject(503, 'Service Unavailable - the bot is busy', [['Retry-After', '5']])
      return
    }
    const size = message.body.byteLength
    if (size > this.#host.maxMessageBytes) {
      message.reject(413, `Request Entity Too Large - at most ${this.#host.maxMessageBytes} bytes; open an MSRP session for more`)
      return
    }
    const decoded = decodeDirect({
      contentType: message.contentType,
      body: message.body,
      sender: peer,
      fallbackId: message.request.message.headers.get('Call-ID') ?? '',
      now: new Date(),
    })
    if (!decoded.ok) {
      if (decoded.status === 200) message.accept()
      else message.reject(decoded.status, decoded.status === 415 ? 'Unsupported Media Type' : `Bad Request - ${decoded.reason}`, decoded.status === 415 ? [['Accept', DIRECT_ACCEPT_TYPES.join(', ')]] : [])
      return
    }
    // Handing it to the bot is delivery (RFC 3428 §7): 200 now, the handler runs after.
    message.accept()
    this.#host.emit({ type: 'direct', path: 'message', chat: undefined, sender: { uri: peer, nickname: decoded.senderName }, contentType: decoded.contentType, body: decoded.body, timestamp: decoded.timestamp, messageId: decoded.messageId })
  }

  /** An INVITE with an MSRP offer to the bot: a 1:1 session, within the cap. */
  onInvite(invitation: Invitation): void {
    const peer = identityKey(invitation.from.uri)
    if (offersFile(invitation.remoteSdp)) {
      this.#onFileOffer(invitation, { uri: peer, nickname: invitation.from.displayName })
      return
    }
    if (this.#sessions.size >= this.#host.maxSessions) {
      invitation.reject(486, `Busy Here - at most ${this.#host.maxSessions} 1:1 chats at once`)
      return
    }
    void this.#host
      .track(DirectSession.accept(this.#host, invitation, peer, this.#callbacks))
      .catch((error: unknown) => this.#host.log.info(`1:1 chat from ${peer} not set up: ${(error as Error).message}`))
  }

  /** Opens a 1:1 session with `peer` (see {@link DirectSession.open}). */
  async open(peer: string): Promise<DirectChatHandle> {
    if (this.#sessions.size >= this.#host.maxSessions) {
      throw new MsrpBotError('DIRECT_TOO_MANY', `at most ${this.#host.maxSessions} 1:1 chats at once; close one first`)
    }
    return this.#host.track(DirectSession.open(this.#host, peer, this.#callbacks))
  }

  /** Sends a direct message on the path `to` names. */
  async send(to: DirectAddress, content: OutgoingContent): Promise<SendReceipt> {
    if (to.path === 'session') {
      const session = to.chat === undefined ? undefined : this.#sessions.get(to.chat)
      if (session === undefined) throw new SendError('disconnected', `the 1:1 chat with ${to.peer} is closed; they can open another`)
      return session.send(content)
    }
    const out = encodeDirect(content, { from: this.#host.self, displayName: this.#host.displayName, to: to.peer, cpim: false, now: new Date() })
    if (this.#host.ua.transportToken === 'UDP' && out.body.byteLength > UDP_MESSAGE_LIMIT) {
      throw new SendError('rejected', `a MESSAGE over UDP must stay under ${UDP_MESSAGE_LIMIT} bytes (RFC 3428 §7), this one has ${out.body.byteLength}; use TCP or a 1:1 session`)
    }
    let response
    try {
      response = await this.#host.track(this.#host.ua.sendMessage(to.peer, out.body, out.contentType))
    } catch (error) {
      const status = (error as { status?: number }).status
      if (status !== undefined && status >= 300) throw new SendError('rejected', `${to.peer} refused the MESSAGE: ${(error as Error).message}`, { statusCode: status, cause: error })
      throw new SendError('timeout', `no answer to the MESSAGE to ${to.peer}: ${(error as Error).message}`, { cause: error })
    }
    if (response.status >= 300) throw new SendError('rejected', `${to.peer} refused the MESSAGE (${response.status} ${response.reason})`, { statusCode: response.status })
    return { messageId: out.messageId }
  }

  /** Pushes a file to `peer` (RFC 5547, see direct-file.ts). */
  async sendFile(peer: string, file: OutgoingFileContent, options?: SendFileOptions): Promise<FileReceipt> {
    return this.#host.track(pushFile(this.#host, peer, file, options))
  }

  /** Pulls a file by hash (RFC 5547 §8.3, see direct-file.ts). */
  async pullFile(target: string, sha1: string, sink: FileSink, options?: Parameters<typeof pullFile>[4]): ReturnType<typeof pullFile> {
    return this.#host.track(pullFile(this.#host, target, sha1, sink, options))
  }

  /** The 'file' event for a file a room announced (pulled from the room when received). */
  roomFile(room: string, file: AnnouncedFile): FileEvent {
    return { type: 'file', room, sender: { uri: room, nickname: file.sender }, file: new RoomFileOffer(this.#host, room, file) }
  }

  /**
   * A file `room` (one we are in) pushes to us (its policy offers stored files to everyone):
   * the 'file' event with `room` set and `pushed`; the sender is the room, its nickname the
   * sharer's as the focus's Referred-By names them (RFC 3892).
   */
  onRoomPush(invitation: Invitation, room: string): void {
    const sharer = readNameAddrHeader(invitation.request.message.headers, 'Referred-By')
    const nickname = sharer?.displayName ?? (sharer === undefined ? undefined : serializeUri(sharer.uri))
    this.#onFileOffer(invitation, { uri: room, nickname }, room)
  }

  /** A file offered to the bot (RFC 5547 push): handed up; the bot receives or declines it. */
  #onFileOffer(invitation: Invitation, sender: { uri: string; nickname: string | undefined }, room?: string): void {
    if (this.#host.backlog() >= this.#host.maxBacklog) {
      invitation.reject(503, 'Service Unavailable - the bot is busy')
      return
    }
    const media = parseMsrpSdp(invitation.remoteSdp).media.find((m) => m.port !== 0)!
    invitation.progress(180)
    const file = new DirectFileOffer(this.#host, invitation, media)
    this.#host.emit(room === undefined ? { type: 'file', sender, file } : { type: 'file', room, pushed: true, sender, file })
  }

  /** Ends every session and the acceptor. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#sessions.values()].map((s) => s.close()))
    this.#sessions.clear()
    const acceptor = this.#acceptor
    this.#acceptor = undefined
    if (acceptor !== undefined) await acceptor.then((a) => a.close(), () => undefined)
  }

  readonly #callbacks = {
    created: (session: DirectSession): void => {
      this.#sessions.set(session.chat, session)
    },
    message: (session: DirectSession, message: { contentType: string; body: Buffer; messageId: string }): void => {
      const decoded = decodeDirect({ contentType: message.contentType, body: message.body, sender: session.peer, fallbackId: message.messageId, now: new Date() })
      if (!decoded.ok) {
        if (decoded.status !== 200) this.#host.log.debug(`1:1 chat with ${session.peer}: ${decoded.reason}`)
        return
      }
      this.#host.emit({ type: 'direct', path: 'session', chat: session.chat, sender: { uri: session.peer, nickname: decoded.senderName }, contentType: decoded.contentType, body: decoded.body, timestamp: decoded.timestamp, messageId: decoded.messageId })
    },
    closed: (session: DirectSession): void => {
      if (this.#sessions.get(session.chat) !== session) return
      this.#sessions.delete(session.chat)
      this.#host.emit({ type: 'direct-closed', peer: session.peer, chat: session.chat })
    },
  }
}
