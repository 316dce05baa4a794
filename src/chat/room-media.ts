/**
 * The MSRP half of a chat-room membership: the SDP offer the INVITE carries, the session set up
 * from the answer (RFC 4975 §8, RFC 6135 roles), and the connection underneath.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3'
import { MsrpBotError } from '../errors.ts'
import type { MsrpConnection } from '../msrp/connection.ts'
import { MsrpSession, generateSessionId } from '../msrp/session.ts'
import type { IncomingMsrpMessage, OutgoingMessage, SendResult } from '../msrp/session.ts'
import { effectivePort, formatMsrpUri, parseMsrpUri } from '../msrp/uri.ts'
import type { MsrpUri } from '../msrp/uri.ts'
import { createAnswer, createOffer, parseMsrpSdp } from '../sdp/index.ts'
import { ACCEPT_WRAPPED_TYPES, CPIM_TYPE } from '../rooms/content-types.ts'
import type { MsrpDialer } from './msrp-dialer.ts'
import type { StepRunner } from './step-guard.ts'

/** Options of {@link RoomMedia}. */
export interface RoomMediaOptions {
  /** Opens the connection to the focus's first hop. */
  dialer: MsrpDialer
  /** Host put in our `a=path` URI (our SIP transport's address). */
  localHost: string
  /** MSRP transaction timeout (RFC 4975 §7.1, default 30 s). */
  transactionTimeoutMs?: number | undefined
  /**
   * Bounds the connect, bind and NICKNAME steps (deadline, abandoned when the SIP connection
   * closes); default: unbounded beyond the MSRP transaction timeout.
   */
  step?: StepRunner | undefined
}

const unbounded: StepRunner = (_step, work) => work

/** Events of {@link RoomMedia}. */
export interface RoomMediaEvents {
  /** A complete inbound message. */
  message: [message: IncomingMsrpMessage]
  /** The session or its connection closed without `close()` being called. */
  lost: [error: Error | undefined]
}

/**
 * One MSRP session with a focus. We offer `a=setup:active` (RFC 6135 §4.2: we open the
 * connection, which works from behind NAT and needs no listener), so a focus answering
 * `passive` (or nothing: RFC 4975 §8, the offerer connects) is expected.
 *
 * @example
 * ```ts
 * const media = new RoomMedia({ dialer: nodeChatPlatform.msrpDialer, localHost: '127.0.0.1' })
 * const session = await new Inviter(ua, room, { sdp: media.offer() }).invite()
 * await media.connect(session.remoteSdp)
 * await media.send({ contentType: 'message/cpim', body })
 * ```
 */
export class RoomMedia extends EventEmitter<RoomMediaEvents> {
  readonly localUri: MsrpUri
  readonly #options: RoomMediaOptions
  #session: MsrpSession | undefined
  #connection: MsrpConnection | undefined
  #closing = false

  constructor(options: RoomMediaOptions) {
    super()
    this.#options = options
    const host = options.localHost.includes(':') && !options.localHost.startsWith('[') ? `[${options.localHost}]` : options.localHost
    // Port 9 (discard): as the active side we accept no connections (RFC 6135 §4.2 allows any).
    // Over a WebSocket the URI says `;ws` (RFC 7977 §7) and the offer TCP/WS/MSRP.
    this.localUri = parseMsrpUri(`msrp://${host}:9/${generateSessionId()};${options.dialer.uriTransport ?? 'tcp'}`)
  }

  /** The session, once connected. */
  get session(): MsrpSession | undefined {
    return this.#session
  }

  /** The SDP offer: one MSRP m-line, CPIM only, RFC 7701 chat-room capabilities. */
  offer(): string {
    return createOffer({
      path: [formatMsrpUri(this.localUri)],
      setup: 'active',
      acceptTypes: ['message/cpim'],
      acceptWrappedTypes: [...ACCEPT_WRAPPED_TYPES],
      chatroom: { nickname: true, privateMessages: true },
    })
  }

  /**
   * Our answer to a focus's offer (the focus called us in): `a=setup:active` (we connect, as
   * with our own offer), CPIM only. A JOIN_FAILED error when the offer cannot be answered.
   */
  answer(offerSdp: string): string | MsrpBotError {
    const answer = createAnswer(offerSdp, {
      path: [formatMsrpUri(this.localUri)],
      setup: 'active',
      acceptTypes: [CPIM_TYPE],
      acceptWrappedTypes: [...ACCEPT_WRAPPED_TYPES],
    })
    if (!answer.ok) return new MsrpBotError('JOIN_FAILED', `cannot answer the room's offer: ${answer.error.message}`)
    return answer.sdp
  }

  /** Connects as the answer says and binds the session (RFC 4975 §5.4 empty SEND). */
  async connect(answerSdp: string): Promise<void> {
    const answer = parseMsrpSdp(answerSdp)
    const media = answer.media.find((m) => m.port !== 0)
    if (media === undefined || media.path.length === 0) {
      throw new MsrpBotError('JOIN_FAILED', 'the focus accepted the INVITE but its answer has no usable MSRP media line (m=message ... TCP/MSRP with a=path)')
    }
    if (media.setup === 'active') {
      throw new MsrpBotError('JOIN_FAILED', 'the focus answered a=setup:active to our a=setup:active offer (RFC 6135: one side must be passive)')
    }
    const remotePath = media.path.map((p) => parseMsrpUri(p))
    const step = this.#options.step ?? unbounded
    const firstHop = remotePath[0]!
    // A TCP/TLS connect has no timeout of its own: the step's deadline bounds it, and a
    // connection that comes up after the step was given up is closed at once.
    const connection = await step(`MSRP connect to ${firstHop.host}:${effectivePort(firstHop)}`, this.#options.dialer(firstHop, { transactionTimeoutMs: this.#options.transactionTimeoutMs }), {
      onAbandon: (late) => void late.then((c) => c.close(), () => undefined),
    })
    if (this.#closing) {
      connection.close()
      throw new MsrpBotError('MSRP_SESSION_CLOSED', 'the room was left while its MSRP connection was being opened')
    }
    this.#connection = connection
    try {
      const session = await MsrpSession.connect({
        localUri: this.localUri,
        remotePath,
        connection,
        acceptTypes: [CPIM_TYPE, ...ACCEPT_WRAPPED_TYPES],
        ...(this.#options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: this.#options.transactionTimeoutMs }),
        bind: false,
      })
      this.#session = session
      // Listen before binding: a focus may send right after its 200 to the bind SEND.
      session.on('message', (m) => this.emit('message', m))
      // RFC 4975 §5.4: the empty SEND binds the connection; closing the connection (on a
      // given-up step) fails it.
      await step('MSRP bind', session.sendBinding())
      session.on('close', (error) => {
        if (!this.#closing) this.emit('lost', error ?? new MsrpBotError('MSRP_SESSION_CLOSED', 'the MSRP session with the focus closed'))
      })
      connection.once('close', () => {
        if (!this.#closing) this.emit('lost', new MsrpBotError('MSRP_CONNECTION_CLOSED', 'the MSRP connection to the focus closed'))
      })
    } catch (error) {
      connection.close()
      throw error
    }
  }

  /** Sends one message; resolves after the 200 (and success REPORT when asked). */
  send(message: OutgoingMessage): Promise<SendResult> {
    const session = this.#session
    if (session === undefined) return Promise.reject(new MsrpBotError('MSRP_SESSION_CLOSED', 'no MSRP session with the focus'))
    return session.send(message)
  }

  /** RFC 7701 §7 NICKNAME. */
  async setNickname(nickname: string): Promise<void> {
    const session = this.#session
    if (session === undefined) throw new MsrpBotError('MSRP_SESSION_CLOSED', 'no MSRP session with the focus')
    await (this.#options.step ?? unbounded)(`NICKNAME ${nickname}`, session.setNickname(nickname))
  }

  /** Fault injection: destroys the connection without closing the session first. */
  drop(): void {
    this.#connection?.close()
  }

  /** Closes the session and its connection; idempotent, never rejects. */
  async close(): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    try {
      await this.#session?.close()
    } catch {
      // already gone
    }
    this.#connection?.close()
  }
}
