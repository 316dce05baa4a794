/**
 * One 1:1 MSRP chat outside any room (RFC 4975): an INVITE with `m=message` to a person's or a
 * bot's own address. The bot answers such an INVITE ({@link DirectSession.accept}); a person's
 * client opens one ({@link DirectSession.open}). Who connects follows RFC 6135: by default the
 * offerer does (RFC 4975 §8), so the answerer waits on its acceptor (`a=setup:passive`); an
 * offer of `passive` makes the answerer connect, if it is allowed to (`directDial`).
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import { MsrpSession, generateSessionId } from '../msrp/session.ts'
import type { IncomingMsrpMessage } from '../msrp/session.ts'
import { formatMsrpUri, parseMsrpUri } from '../msrp/uri.ts'
import type { MsrpConnection } from '../msrp/connection.ts'
import { acceptsType, createAnswer, createOffer, parseMsrpSdp } from '../sdp/index.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import { Inviter } from '../sip/ua/inviter.ts'
import { readTokenList } from '../sip/headers/scalars.ts'
import type { Session } from '../sip/ua/session.ts'
import type { UserAgent } from '../sip/ua/user-agent.ts'
import { CPIM_TYPE } from '../rooms/content-types.ts'
import type { MediaContent } from '../rooms/content.ts'
import type { DirectChatHandle, SendReceipt } from './backend.ts'
import { BackendErrorCode } from './backend.ts'
import { SendError } from './backend-errors.ts'
import { DIRECT_ACCEPT_TYPES, encodeDirect } from './direct-content.ts'
import type { MsrpAcceptor } from './msrp-acceptor.ts'
import type { MsrpDialer } from './msrp-dialer.ts'

/** What a direct session needs from its backend. */
export interface DirectHost {
  readonly ua: UserAgent
  readonly self: string
  readonly displayName: string | undefined
  readonly dialer: MsrpDialer
  /** The acceptor for passive sessions, opened on first use; undefined when the platform has none. */
  readonly acceptor: (() => Promise<MsrpAcceptor>) | undefined
  readonly msrpTimeoutMs: number | undefined
  /** Largest message taken on the session (bigger ones get MSRP 413). */
  readonly maxMessageBytes: number
  /** Whether the answerer may connect to the offerer's MSRP address (offers of a=setup:passive). */
  readonly mayDial: boolean
  /** How long the peer has to connect and bind a passive session (ms). */
  readonly bindTimeoutMs: number
  readonly setTimeout: (fn: () => void, ms: number) => unknown
  readonly clearTimeout: (handle: unknown) => void
}

/** Events a direct session reports (through its constructor's callbacks). */
export interface DirectSessionCallbacks {
  /** The session exists (before it is up: messages may follow at once). */
  created(session: DirectSession): void
  message(session: DirectSession, message: IncomingMsrpMessage): void
  closed(session: DirectSession): void
}

const WRAPPED = ['text/plain', '*']

/**
 * Asks `target` what it is, without side effects: a conference focus lists the `conference`
 * event package (RFC 4575) in Allow-Events of its OPTIONS answer (RFC 3261 §11); a person or
 * bot does not. No answer, or a failure, says nothing (the INVITE then finds out).
 */
async function isConferenceFocus(ua: UserAgent, target: string): Promise<boolean> {
  try {
    const response = await ua.sendRequest(ua.createRequest('OPTIONS', target))
    return response.status < 300 && readTokenList(response.headers, 'Allow-Events').some((e) => e.toLowerCase() === 'conference')
  } catch {
    return false
  }
}

/** A 1:1 chat: the SIP session and the MSRP session under it. */
export class DirectSession implements DirectChatHandle {
  readonly peer: string
  readonly chat: string
  readonly #host: DirectHost
  readonly #callbacks: DirectSessionCallbacks
  #sip: Session | undefined
  #msrp: MsrpSession | undefined
  #unregister: (() => void) | undefined
  #peerTakesCpim = true
  #closed = false

  private constructor(host: DirectHost, peer: string, callbacks: DirectSessionCallbacks) {
    this.#host = host
    this.peer = peer
    this.chat = generateSessionId()
    this.#callbacks = callbacks
    callbacks.created(this)
  }

  /** Whether the session ended. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Answers an INVITE with an MSRP offer. Resolves once the MSRP session is up; rejects (after
   * refusing the INVITE with 488, or hanging up) when it cannot be.
   */
  static async accept(host: DirectHost, invitation: Invitation, peer: string, callbacks: DirectSessionCallbacks): Promise<DirectSession> {
    const direct = new DirectSession(host, peer, callbacks)
    let offered
    try {
      offered = parseMsrpSdp(invitation.remoteSdp).media.find((m) => m.port !== 0)
    } catch {
      offered = undefined
    }
    if (offered === undefined) {
      invitation.reject(488, 'Not Acceptable Here - offer one MSRP m=message line')
      throw new MsrpBotError('DIRECT_BAD_OFFER', `the INVITE from ${peer} has no usable MSRP media line`)
    }
    // RFC 6135: we listen when we can; we connect out only when allowed (`directDial`), since the
    // address comes from a stranger's SDP (a bot must not be made to open connections anywhere).
    const weConnect = offered.setup === 'passive' || (offered.setup === 'actpass' && host.acceptor === undefined)
    if (weConnect && !host.mayDial) {
      invitation.reject(488, 'Not Acceptable Here - this endpoint does not connect out for MSRP; offer a=setup:active or actpass')
      throw new MsrpBotError('DIRECT_BAD_OFFER', `the INVITE from ${peer} wants us to connect to its MSRP address, and connecting out is off (directDial)`)
    }
    if (!weConnect && host.acceptor === undefined) {
      invitation.reject(488, 'Not Acceptable Here - offer a=setup:actpass or passive: this endpoint does not listen for MSRP')
      throw new MsrpBotError('DIRECT_BAD_OFFER', `the INVITE from ${peer} wants us to listen for MSRP, and this platform has no MSRP acceptor`)
    }
    let acceptor: MsrpAcceptor | undefined
    if (!weConnect) {
      try {
        acceptor = await host.acceptor!()
      } catch (error) {
        invitation.reject(500, 'Server Internal Error - cannot listen for MSRP')
        throw error
      }
    }
    const localHost = acceptor?.host ?? host.ua.localAddress.address
    const authority = localHost.includes(':') && !localHost.startsWith('[') ? `[${localHost}]` : localHost
    const localUri = parseMsrpUri(`msrp://${authority}:${acceptor?.port ?? 9}/${direct.chat};tcp`)
    const answer = createAnswer(invitation.remoteSdp, {
      path: [formatMsrpUri(localUri)],
      acceptTypes: [...DIRECT_ACCEPT_TYPES],
      acceptWrappedTypes: WRAPPED,
      setup: weConnect ? 'active' : 'passive',
    })
    if (!answer.ok) {
      invitation.reject(488, 'Not Acceptable Here')
      throw answer.error
    }
    direct.#peerTakesCpim = acceptsType(answer.local.acceptTypes, CPIM_TYPE)
    const remotePath = answer.remote.path.map((p) => parseMsrpUri(p))
    if (!weConnect) {
      const msrp = new MsrpSession({ localUri, remotePath, acceptTypes: answer.local.acceptTypes, maxMessageBytes: host.maxMessageBytes, ...direct.#timeouts() })
      direct.#adopt(msrp)
      direct.#unregister = acceptor!.register(msrp)
    }
    try {
      direct.#sip = await invitation.accept(answer.sdp)
    } catch (error) {
      await direct.close()
      throw error
    }
    direct.#watchSip()
    try {
      if (weConnect) await direct.#connect(localUri, remotePath, answer.local.acceptTypes)
      else await direct.#bound()
    } catch (error) {
      await direct.close()
      throw error
    }
    return direct
  }

  /**
   * Opens a 1:1 chat with `peer`: INVITE with an MSRP offer (`a=setup:active`: we connect, no
   * listener needed), then the MSRP session. A conference focus is told apart first by OPTIONS
   * (Allow-Events: conference), else by its answer's `a=chatroom` (RFC 7701 §5, hung up at
   * once): both reject with DIRECT_TARGET_IS_ROOM.
   */
  static async open(host: DirectHost, peer: string, callbacks: DirectSessionCallbacks): Promise<DirectSession> {
    const direct = new DirectSession(host, peer, callbacks)
    const address = host.ua.localAddress.address
    const authority = address.includes(':') ? `[${address}]` : address
    // Port 9 (discard): as the active side we take no connections (RFC 6135 §4.2).
    const localUri = parseMsrpUri(`msrp://${authority}:9/${direct.chat};tcp`)
    const offer = createOffer({ path: [formatMsrpUri(localUri)], setup: 'active', acceptTypes: [...DIRECT_ACCEPT_TYPES], acceptWrappedTypes: WRAPPED })
    if (await isConferenceFocus(host.ua, peer)) {
      throw new MsrpBotError(BackendErrorCode.directTargetIsRoom, `${peer} is a chat room (it answers OPTIONS with Allow-Events: conference): join it instead`)
    }
    let sip: Session
    try {
      sip = await new Inviter(host.ua, peer, { sdp: offer }).invite()
    } catch (error) {
      const status = (error as { status?: number }).status
      throw Object.assign(new MsrpBotError(BackendErrorCode.joinFailed, `${peer} did not take the chat${status === undefined ? ` (${(error as Error).message})` : ` (${status})`}`, { cause: error }), { statusCode: status })
    }
    direct.#sip = sip
    direct.#watchSip()
    try {
      const remote = parseMsrpSdp(sip.remoteSdp).media.find((m) => m.port !== 0)
      if (remote === undefined || remote.path.length === 0) throw new MsrpBotError(BackendErrorCode.joinFailed, `${peer} answered without a usable MSRP media line`)
      if (remote.chatroom !== undefined) throw new MsrpBotError(BackendErrorCode.directTargetIsRoom, `${peer} is a chat room (its answer has a=chatroom): join it instead`)
      if (remote.setup === 'active') throw new MsrpBotError(BackendErrorCode.joinFailed, `${peer} answered a=setup:active to our active offer (RFC 6135: one side must be passive)`)
      direct.#peerTakesCpim = acceptsType(remote.acceptTypes, CPIM_TYPE)
      await direct.#connect(localUri, remote.path.map((p) => parseMsrpUri(p)), [...DIRECT_ACCEPT_TYPES])
    } catch (error) {
      await direct.close()
      throw error
    }
    return direct
  }

  /** Sends on the session; resolves after the peer's MSRP 200. */
  async send(content: MediaContent): Promise<SendReceipt> {
    const msrp = this.#msrp
    if (msrp === undefined || this.#closed) throw new SendError('disconnected', `the 1:1 chat with ${this.peer} is closed`)
    const out = encodeDirect(content, { from: this.#host.self, displayName: this.#host.displayName, to: this.peer, cpim: this.#peerTakesCpim, now: new Date() })
    try {
      await msrp.send({ contentType: out.contentType, body: out.body, messageId: out.messageId })
    } catch (error) {
      const status = (error as { status?: number }).status
      if (status !== undefined && status !== 408) throw new SendError('rejected', `${this.peer} refused the message (MSRP ${status})`, { statusCode: status, cause: error })
      throw new SendError(status === 408 ? 'timeout' : 'disconnected', `the message to ${this.peer} was not confirmed: ${(error as Error).message}`, { cause: error })
    }
    return { messageId: out.messageId }
  }

  /** Ends the chat: BYE (when the SIP session is up) and the MSRP session; idempotent, never rejects. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#unregister?.()
    const sip = this.#sip
    if (sip !== undefined && sip.state !== 'terminated' && sip.state !== 'terminating') await sip.bye().catch(() => undefined)
    await this.#msrp?.close().catch(() => undefined)
    this.#callbacks.closed(this)
  }

  #timeouts(): { transactionTimeoutMs?: number } {
    return this.#host.msrpTimeoutMs === undefined ? {} : { transactionTimeoutMs: this.#host.msrpTimeoutMs }
  }

  #adopt(msrp: MsrpSession): void {
    this.#msrp = msrp
    msrp.on('message', (message) => this.#callbacks.message(this, message))
    msrp.on('close', () => void this.close())
  }

  #watchSip(): void {
    this.#sip?.on('terminated', () => void this.close())
  }

  async #connect(localUri: ReturnType<typeof parseMsrpUri>, remotePath: ReturnType<typeof parseMsrpUri>[], acceptTypes: string[]): Promise<void> {
    const connection: MsrpConnection = await this.#host.dialer(remotePath[0]!, { transactionTimeoutMs: this.#host.msrpTimeoutMs })
    if (this.#closed) {
      connection.close()
      throw new SendError('disconnected', `the 1:1 chat with ${this.peer} closed while its MSRP connection was opened`)
    }
    const msrp = await MsrpSession.connect({ localUri, remotePath, connection, acceptTypes, maxMessageBytes: this.#host.maxMessageBytes, bind: false, ...this.#timeouts() })
    this.#adopt(msrp)
    connection.once('close', () => void this.close())
    await msrp.sendBinding()
  }

  /** Waits, bounded, for the peer to connect and bind the passive session (RFC 4975 §5.4). */
  async #bound(): Promise<void> {
    const msrp = this.#msrp!
    let timer: unknown
    const expired = new Promise<never>((_resolve, reject) => {
      timer = this.#host.setTimeout(() => reject(new MsrpBotError('DIRECT_NOT_BOUND', `${this.peer} did not open the MSRP connection within ${this.#host.bindTimeoutMs} ms`)), this.#host.bindTimeoutMs)
    })
    try {
      await Promise.race([msrp.opened(), expired])
    } finally {
      this.#host.clearTimeout(timer)
    }
  }
}
