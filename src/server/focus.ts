/**
 * The RFC 7701 chat-room focus on SIP and MSRP: INVITE to a room URI joins (SDP answer with
 * `a=chatroom`, Contact with `isfocus`, RFC 4579 §3), BYE or a closed MSRP connection leaves,
 * SEND is decided by {@link ServerRoom.handleMessage} and relayed, NICKNAME reserves nicknames,
 * SUBSCRIBE `conference` gets RFC 4575 roster NOTIFYs, REFER `method=BYE` removes a participant
 * (RFC 4579 §5.5), and MESSAGE with the msrp-bot moderation body mutes (see moderation-request.ts).
 *
 * @module
 */

import { parseCpim } from '../cpim/parser.ts'
import { buildFullRoster, buildPartialRoster } from '../conference/documents.ts'
import type { ConferenceFile } from '../conference/types.ts'
import { generateSessionId, type IncomingMsrpMessage } from '../msrp/session.ts'
import { formatMsrpUri, parseMsrpUri } from '../msrp/uri.ts'
import { serializeUri, type SipUri } from '../sip/uri.ts'
import { createAnswer, createOffer } from '../sdp/offer-answer.ts'
import { parseMsrpSdp } from '../sdp/parse.ts'
import { readCSeq } from '../sip/headers/cseq.ts'
import { identityKey } from '../rooms/identity.ts'
import { callOut, DEFAULT_CALL_OUT_TIMEOUT_MS, type CallOutResult } from './call-out.ts'
import type { CallOutAuth } from './call-out-auth.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import type { UserAgentCore } from '../sip/core/user-agent-core.ts'
import { readNameAddrHeader } from '../sip/headers/name-addr.ts'
import { readExpires } from '../sip/headers/scalars.ts'
import type { Clock, TimerHandle } from '../clock.ts'
import { aggregateDelivery, type DeliveryOutcome } from './core/chat-message.ts'
import { NO_LATE_ANSWERS, receiverTimedOut, type LateAnswers } from './core/stuck-receiver.ts'
import { ConferenceNotifier, CONFERENCE_EVENT, type ConferenceNotify } from './core/conference-notifier.ts'
import { roomMediaPolicy } from './core/media-policy.ts'
import { decideRefer, parseReferTo, setMuted } from './core/moderation.ts'
import type { RoomDirectory } from './core/room-directory.ts'
import type { FileRetention, LeaveReason, RoomStore } from './core/room-store.ts'
import type { ServerRoom } from './core/room.ts'
import { BYE_REASONS, type ByeCause } from '../rooms/bye-reason.ts'
import type { DialGuard } from './dial-policy.ts'
import { acceptsDialog } from './dialog-request.ts'
import { guarded, sendInDialog, type DialogLeg } from './in-dialog.ts'
import { parseModerationRequest } from '../rooms/moderation.ts'
import { markHistoryReplay } from '../rooms/history.ts'
import { buildChatCpim, newMessageId } from '../rooms/chat-message.ts'
import { formatFileNotice } from '../rooms/file-notice.ts'
import { CONFERENCE_INFO_TYPE, MODERATION_TYPE, mediaType } from '../rooms/content-types.ts'
import type { MsrpEndpoint } from './msrp-endpoint.ts'
import { fileOffer, type RoomFileTransfers } from './room-file-transfer.ts'
import type { RoomFileStore, StoredFile } from './room-files.ts'
import type { PushTarget, RoomFilePushes } from './room-file-push.ts'
import type { ChatServerLogger } from './options.ts'
import { ParticipantLink, RelayedMessage, type DeliveryMode, type LinkHandlers, type LinkVerdict, type LegOutcome } from './participant-link.ts'
import type { SubscriptionDialogs } from './subscriptions.ts'


const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, SUBSCRIBE, NOTIFY, REFER, MESSAGE, UPDATE'

/** One participant: its SIP dialog with the focus and its MSRP session. */
interface Leg extends DialogLeg {
  readonly room: ServerRoom
  readonly participantId: string
  readonly identity: string
  readonly link: ParticipantLink
  bindTimer: TimerHandle | undefined
  leaving: boolean
  /** Delivery timeouts in a row of copies relayed to it (see #legTimedOut). */
  late: LateAnswers
  /** The focus dialled the participant (a=setup:passive offer): the history follows the binding SEND. */
  readonly dialled: boolean
  /** The MSRP session came up and the room's history went (or is going) out on it. */
  replayed: boolean
  /** Live copies waiting for the history replay to finish (in order), while it runs. */
  held: Array<() => void> | undefined
}


/** The leg of a recipient that left between the room's decision and the fan-out (no copy sent). */
const LEFT_BEFORE_FANOUT: LegOutcome = Object.freeze({ ok: false, status: 481 })

/** The verdict on a message every recipient got: `aggregateDelivery`'s answer when no leg failed. */
const DELIVERED_TO_ALL: LinkVerdict = Object.freeze({ status: 200, comment: 'OK' })

/** What the focus needs from the server. */
export interface FocusDeps {
  /** Files in rooms (RFC 5547), when the server stores them. */
  files?: { transfers: RoomFileTransfers; store: RoomFileStore; pushes?: RoomFilePushes | undefined; retention?: FileRetention | undefined } | undefined
  core: UserAgentCore
  directory: RoomDirectory
  store: RoomStore
  msrp: MsrpEndpoint
  subscriptions: SubscriptionDialogs
  clock: Clock
  log: ChatServerLogger
  /** The server's Contact for a request that arrived on `incoming` (user part `user`). */
  contactFor(incoming: IncomingRequest, user: string | undefined): string
  deliveryTimeoutMs: number
  deliveryMode: DeliveryMode
  msrpBindTimeoutMs: number
  /** Where the focus may dial for `a=setup:passive` offers, and the throttle on failed dials. */
  dialGuard: DialGuard
  /** Put the RFC 3326 Reason on BYEs (false: bare BYEs, like foci that send none). */
  byeReasons?: boolean
  /**
   * Where an invitee is reached (REFER method=INVITE): its registered contact and flow, and the
   * focus's Contact on that flow (user part `roomUser`); undefined when it is not registered.
   */
  reach?: (uri: string, roomUser: string | undefined) => { contact: string; destination: Leg['destination']; focusContact: string } | undefined
  /** How long an invitee may ring before the call is cancelled (default 30 s: below the inviting client's 40 s step deadline). */
  callOutTimeoutMs?: number
  /** Answers the call-out proxy's digest challenges to call-outs and their dialogs' requests. */
  callOutAuth?: CallOutAuth | undefined
}

/** Invitations (call-outs) ringing at once per room; a REFER beyond it gets 503. */
export const MAX_PENDING_INVITATIONS = 8

/**
 * What a leg may ask of its focus: made once per focus (closures over its private methods), so
 * each participant's {@link LegEvents} holds one reference to it instead of its own closures.
 */
interface FocusPort {
  relay(leg: Leg, body: Buffer, size: number): Promise<LinkVerdict>
  nickname(room: ServerRoom, participantId: string, nickname: string | undefined): LinkVerdict
  maxMessageBytes(room: ServerRoom): number
  bound(leg: Leg): void
  closed(leg: Leg, error: Error | undefined): void
}

/**
 * What one participant's MSRP session asks of the focus: one small object per participant with
 * shared methods (a room of 10,000 idle participants would otherwise hold 50,000 closures).
 */
class LegEvents implements LinkHandlers {
  /** Set right after the leg exists (the link is made first, the leg holds it). */
  leg: Leg | undefined
  readonly #focus: FocusPort
  readonly #room: ServerRoom
  readonly #participantId: string

  constructor(focus: FocusPort, room: ServerRoom, participantId: string) {
    this.#focus = focus
    this.#room = room
    this.#participantId = participantId
  }

  maxMessageBytes(): number {
    return this.#focus.maxMessageBytes(this.#room)
  }

  message(message: IncomingMsrpMessage): Promise<LinkVerdict> {
    return this.leg === undefined ? Promise.resolve({ status: 481 }) : this.#focus.relay(this.leg, message.body, message.body.length)
  }

  nickname(nickname: string | undefined): LinkVerdict {
    return this.#focus.nickname(this.#room, this.#participantId, nickname)
  }

  bound(): void {
    if (this.leg !== undefined) this.#focus.bound(this.leg)
  }

  closed(error: Error | undefined): void {
    if (this.leg !== undefined) this.#focus.closed(this.leg, error)
  }
}

/** The chat-room focus of one server. */
export class RoomFocus {
  readonly notifier: ConferenceNotifier
  readonly #deps: FocusDeps
  readonly #legs = new Map<string, Leg>()
  /** Invitations ringing, per room URI. */
  readonly #invitations = new Map<string, number>()
  readonly #unsubscribe: () => void
  readonly #port: FocusPort
  #relayed = 0

  constructor(deps: FocusDeps) {
    this.#deps = deps
    this.#port = {
      relay: (leg, body, size) => this.#relay(leg, body, size),
      nickname: (room, participantId, nickname) => this.#nickname(room, participantId, nickname),
      maxMessageBytes: (room) => this.#deps.store.getRoom(room.uri)?.config.maxMessageSize ?? 0,
      bound: (leg) => {
        if (leg.bindTimer !== undefined) {
          this.#deps.clock.clearTimeout(leg.bindTimer)
          leg.bindTimer = undefined
        }
        // The participant's first request bound the session: its history goes out first, once
        // that request is answered (the answer is written in this same turn).
        if (!leg.dialled) queueMicrotask(() => void this.#replay(leg))
      },
      closed: (leg, error) => {
        const slow = (error as { code?: unknown } | undefined)?.code === 'MSRP_WRITE_OVERFLOW'
        if (slow) this.#deps.log.info(`${leg.identity} stopped reading its MSRP session in ${leg.room.uri}; dropping it (${error?.message})`)
        void this.#leave(leg, 'error', slow ? 'slow-receiver' : 'media-failed')
      },
    }
    const fileStore = deps.files?.store
    this.notifier = new ConferenceNotifier(deps.store, {
      clock: deps.clock,
      ...(fileStore === undefined ? {} : { filesOf: (room: string) => fileStore.list(room).map(listedFile) }),
    })
    this.#unsubscribe = deps.store.subscribe((event) => {
      for (const n of this.notifier.handleStoreEvent(event)) this.#sendConferenceNotify(n)
    })
  }

  /** Number of participants with a live leg. */
  get participantCount(): number {
    return this.#legs.size
  }

  /** An out-of-dialog request whose Request-URI is `room`. */
  handle(incoming: IncomingRequest, identity: string, room: ServerRoom): void {
    if (['INVITE', 'SUBSCRIBE', 'REFER'].includes(incoming.method) && !acceptsDialog(incoming)) return
    switch (incoming.method) {
      case 'INVITE': {
        // RFC 5547: an offer with a=file-selector moves a file; it does not join.
        const file = fileOffer(incoming)
        if (file !== undefined) {
          if (this.#deps.files === undefined) incoming.respond(488, { headers: [['Warning', '399 - "this server does not store files in rooms"']] })
          else this.#deps.files.transfers.handle(incoming, identity, room, file)
          return
        }
        this.#join(incoming, identity, room)
        return
      }
      case 'SUBSCRIBE':
        this.#subscribe(incoming, identity, room)
        return
      case 'REFER':
        this.#refer(incoming, identity, room, undefined)
        return
      case 'MESSAGE':
        this.#moderate(incoming, identity, room)
        return
      case 'OPTIONS':
        incoming.respond(200, { headers: [['Allow', ALLOW], ['Accept', 'application/sdp'], ['Allow-Events', CONFERENCE_EVENT]] })
        return
      default:
        incoming.respond(405, { headers: [['Allow', ALLOW]] })
    }
  }

  /** Ends every participant's session with BYE (Reason: server shutting down, RFC 3326). */
  async close(): Promise<void> {
    this.#unsubscribe()
    const byes = [...this.#legs.values()].map((leg) => this.#leave(leg, 'room-deleted', 'shutdown'))
    await Promise.all(byes)
  }

  /**
   * Deletes a room: BYE (Reason: room closed) to each participant, then the room goes, which
   * ends its roster subscriptions with `terminated;reason=noresource` (RFC 6665 §4.2.2).
   * With `cause` `shutdown` the BYEs say the server is going away instead, so clients come back
   * (a cluster node whose room moved to another node). Resolves once the BYEs are answered (or
   * failed); false when there is no such room.
   */
  async deleteRoom(uri: string, cause: 'room-closed' | 'shutdown' = 'room-closed'): Promise<boolean> {
    const room = this.#deps.directory.get(uri)
    if (room === undefined) return false
    const legs = [...this.#legs.values()].filter((leg) => leg.room === room)
    const byes = legs.map((leg) => this.#leave(leg, 'room-deleted', cause))
    const retention = this.#fileRetention(room)
    this.#deps.directory.delete(room.uri)
    await Promise.all(byes)
    await this.#roomGone(room.uri, retention)
    return true
  }

  /** The participants a file stored in `room` by `sharer` is pushed to: everyone present but the sharer. */
  pushTargets(room: ServerRoom, sharer: string): PushTarget[] {
    const targets: PushTarget[] = []
    for (const leg of this.#legs.values()) {
      if (leg.room !== room || leg.leaving || leg.identity === identityKey(sharer) || leg.dialog.localContact === undefined) continue
      targets.push({ participantId: leg.participantId, identity: leg.identity, contact: serializeUri(leg.dialog.remoteTarget), destination: leg.destination, focusContact: leg.dialog.localContact })
    }
    return targets
  }

  /** What becomes of `room`'s files when it goes: its own policy, else the server's default. */
  #fileRetention(room: ServerRoom): FileRetention {
    return this.#deps.store.getRoom(room.uri)?.config.fileRetention ?? this.#deps.files?.retention ?? 'with-room'
  }

  /** A room went: its pushes end; its files go with it unless its policy keeps them. */
  async #roomGone(uri: string, retention: FileRetention): Promise<void> {
    this.#deps.files?.pushes?.roomClosed(uri)
    if (retention === 'with-room') await this.#deps.files?.store.removeRoom(uri)
  }

  /**
   * Tells a room that a file was stored (RFC 5547 push): a notice from the room itself (CPIM
   * From = the room, rooms/system-notice.ts) naming the file, its size and type and the SHA-1 a
   * participant pulls it by. Best effort: a participant that misses it finds the file in the
   * store's list.
   */
  announceFile(room: ServerRoom, file: { name: string; type: string; size: number; sha1: string; from: string; number: number }, pushed = false): void {
    const sender = room.findByUri(file.from)[0]?.nickname ?? file.from
    this.announce(room, formatFileNotice({ sender, number: file.number, name: file.name, size: file.size, type: file.type, sha1: file.sha1, pushed }), `f${file.number.toString(36)}`)
    for (const n of this.notifier.filesChanged(room.uri)) this.#sendConferenceNotify(n)
  }

  /** A notice from the room itself (CPIM From = the room) to everyone in it; best effort. */
  announce(room: ServerRoom, text: string, tag: string): void {
    const body = buildChatCpim({ from: room.uri, to: room.uri, contentType: 'text/plain;charset=utf-8', body: text, messageId: newMessageId(), now: new Date() })
    for (const leg of this.#legs.values()) {
      if (leg.room !== room || leg.leaving) continue
      void leg.link.deliver(body, `${leg.participantId.slice(0, 8)}.${tag}`)
    }
  }

  // ---- joining and leaving ---------------------------------------------------------------

  #join(incoming: IncomingRequest, identity: string, room: ServerRoom): void {
    const { msrp, core, log } = this.#deps
    const request = incoming.message
    const contentType = mediaType(request.headers.get('Content-Type'))
    if (request.body.length === 0 || contentType !== 'application/sdp') {
      // RFC 7701 §5.2 joins carry an MSRP offer; an offerless INVITE is not supported here.
      incoming.respond(488, { headers: [['Warning', '399 - "send an SDP offer with an MSRP media line"']] })
      return
    }
    const config = room.state.config
    const policy = roomMediaPolicy(config)
    const sessionId = generateSessionId()
    const offer = request.body.toString('utf8')
    const answerWith = (localUri: string): ReturnType<typeof createAnswer> => {
      const answerOptions = {
        path: [localUri],
        acceptTypes: policy.acceptTypes,
        acceptWrappedTypes: policy.acceptWrappedTypes,
        maxSize: policy.maxSize,
        chatroom: { nickname: policy.chatroom.includes('nickname'), privateMessages: policy.chatroom.includes('private-messages'), extensions: [] },
      }
      // RFC 6135: the focus prefers to be passive (participants connect to its listener) and
      // dials only when the offer says a=setup:passive.
      const passive = createAnswer(offer, { ...answerOptions, setup: 'passive' })
      return !passive.ok && passive.error.code === 'SDP_SETUP_CONFLICT' ? createAnswer(offer, { ...answerOptions, setup: 'active' }) : passive
    }
    // Our URI on the transport the offer uses: msrps: on the same port for TCP/TLS/MSRP
    // (RFC 4975 §14.1), the WebSocket port with ;ws for TCP/WS/MSRP (RFC 7977 §7).
    const localUri = msrp.uriFor(sessionId, offeredTransport(offer))
    const answer = answerWith(localUri)
    if (!answer.ok) {
      incoming.respond(answer.error.code.startsWith('SDP_') ? 488 : 400, { headers: [['Warning', `399 - "${answer.error.message.replace(/"/g, "'")}"`]] })
      return
    }
    if (answer.connect) {
      // The focus must dial (a=setup:passive): only where the dial policy allows (dial-policy.ts).
      const first = answer.remote.path[0]
      const refusal = this.#deps.dialGuard.check(first === undefined ? '' : hostOfPath(first), incoming.source.host)
      if (refusal !== undefined) {
        log.info(`refused to dial the MSRP path of ${identity} (INVITE from ${incoming.source.host}): ${refusal.warning}`)
        incoming.respond(refusal.status, { headers: [['Warning', `399 - "${refusal.warning}"`], ...(refusal.status === 503 ? [['Retry-After', String(refusal.retryAfterSeconds)] as [string, string]] : [])] })
        return
      }
    }
    const from = readNameAddrHeader(request.headers, 'From')
    const contactHeader = readNameAddrHeader(request.headers, 'Contact')
    const decision = room.join({
      uri: identity,
      id: sessionId,
      requestUri: request.uri,
      ...(from?.displayName ? { displayName: from.displayName } : {}),
      // The roster is sent to every participant: its endpoint names a GRUU (RFC 5627) when the
      // Contact is one, never the Contact's IP address and port (issue 16 item 4).
      ...(contactHeader !== undefined && contactHeader.uri.kind === 'sip' && typeof contactHeader.uri.params.get('gr') === 'string' ? { contact: gruuOf(contactHeader.uri) } : {}),
      ...(contactHeader !== undefined && isAutomaton(contactHeader.params) ? { automaton: true } : {}),
    })
    if (!decision.ok) {
      incoming.respond(decision.status, { reason: decision.reason })
      return
    }
    const roomUser = roomUserOf(room.uri)
    const contact = `${this.#deps.contactFor(incoming, roomUser)};isfocus`
    const leg = this.#addLeg({ room, identity, sessionId, localUri, remotePath: answer.remote.path, destination: incoming.source, connect: answer.connect }, (handler) => core.createUasDialog(incoming, contact, handler))
    if (leg === undefined) {
      room.leave(sessionId, 'error')
      incoming.respond(400, { reason: 'Bad Request' })
      return
    }
    incoming.respond(200, {
      headers: [['Contact', contact], ['Allow', ALLOW], ['Allow-Events', CONFERENCE_EVENT]],
      body: Buffer.from(answer.sdp, 'utf8'),
      contentType: 'application/sdp',
    })
    log.info(`${identity} joined ${room.uri}`)
    if (answer.connect) void this.#dial(leg)
  }

  /**
   * The participant's leg once the room took it: its MSRP link (registered with the listener
   * when the participant connects), its dialog (made by `makeDialog` with the leg's in-dialog
   * handler) and the bind timer (RFC 4975 §5.4). Undefined when the dialog cannot be made.
   */
  #addLeg(
    init: { room: ServerRoom; identity: string; sessionId: string; localUri: string; remotePath: readonly string[]; destination: Leg['destination']; connect: boolean; send?: Leg['send'] },
    makeDialog: (handler: (incoming: IncomingRequest) => void) => Leg['dialog'],
  ): Leg | undefined {
    const { room, identity, sessionId } = init
    const log = this.#deps.log
    const events = new LegEvents(this.#port, room, sessionId)
    const link = new ParticipantLink({
      id: sessionId,
      localUri: init.localUri,
      remotePath: init.remotePath,
      deliveryTimeoutMs: this.#deps.deliveryTimeoutMs,
      deliveryMode: this.#deps.deliveryMode,
      handlers: events,
    })
    let leg: Leg | undefined
    let dialog
    try {
      dialog = makeDialog(guarded((inDialog) => this.#inDialog(inDialog, leg!), log))
    } catch (error) {
      log.debug(`no dialog for ${identity}: ${error instanceof Error ? error.message : String(error)}`)
      return undefined
    }
    leg = { dialog, destination: init.destination, ...(init.send === undefined ? {} : { send: init.send }), room, participantId: sessionId, identity, link, bindTimer: undefined, leaving: false, late: NO_LATE_ANSWERS, dialled: init.connect, replayed: false, held: undefined }
    events.leg = leg
    this.#legs.set(sessionId, leg)
    const joined = leg
    // RFC 4975 §5.4: a participant that does not connect within the bind timeout is dropped.
    leg.bindTimer = this.#deps.clock.setTimeout(() => {
      joined.bindTimer = undefined
      if (joined.link.connection === undefined) {
        log.info(`${identity} never opened its MSRP session in ${room.uri}; ending its call`)
        void this.#leave(joined, 'error', 'media-failed')
      }
    }, this.#deps.msrpBindTimeoutMs)
    if (!init.connect) this.#deps.msrp.listener.register(link)
    return leg
  }

  async #dial(leg: Leg): Promise<void> {
    const first = leg.link.remotePath?.[0]
    try {
      if (first === undefined) throw new Error('empty a=path')
      const connection = await this.#deps.msrp.connect(formatMsrpUri(first))
      if (leg.leaving) {
        connection.close()
        return
      }
      leg.link.bind(connection)
      if (!(await leg.link.sendBindingSend())) throw new Error('the participant refused the binding SEND')
      void this.#replay(leg)
    } catch (error) {
      this.#deps.dialGuard.failed(leg.destination.host)
      this.#deps.log.info(`could not connect to ${leg.identity}'s MSRP path: ${error instanceof Error ? error.message : String(error)}`)
      await this.#leave(leg, 'error', 'media-failed')
    }
  }

  /**
   * Sends the room's history to a participant whose MSRP session just came up: each kept public
   * message once, oldest first, marked as a replay (rooms/history.ts), each SEND answered before
   * the next; live messages for this participant wait until the replay is over, so none
   * overtakes the history. What is replayed is the room's decision (`ServerRoom.historyFor`).
   */
  async #replay(leg: Leg): Promise<void> {
    if (leg.replayed || leg.leaving) return
    leg.replayed = true
    const entries = leg.room.historyFor(leg.participantId)
    if (entries.length === 0) return
    leg.held = []
    try {
      for (const entry of entries) {
        if (leg.leaving) break
        const outcome = await leg.link.deliver(Buffer.from(markHistoryReplay(entry.cpim)), `${leg.participantId.slice(0, 8)}.h${entry.seq.toString(36)}`)
        if (!outcome.ok) {
          // A participant that does not take its history is not held up for the rest (each
          // failure would cost a delivery timeout); the stuck-receiver policy applies as to live copies.
          if (outcome.status === 408) this.#legTimedOut(leg, outcome.stalled === true)
          break
        }
      }
      this.#deps.log.debug(`replayed ${entries.length} message(s) of ${leg.room.uri} to ${leg.identity}`)
    } finally {
      const held = leg.held
      leg.held = undefined
      for (const send of held) send()
    }
  }

  /**
   * A copy to `leg` got no answer within the delivery timeout: the stuck-receiver policy
   * ({@link receiverTimedOut}: at once when it is not reading, after a few delivery timeouts in a
   * row when it reads too slowly). A dropped receiver gets `BYE` with
   * `Reason: SIP;cause=408;text="Not reading messages"`. So one stuck participant delays the
   * room's answers by one delivery timeout, not one per message, and an overloaded server does
   * not empty its room by dropping receivers that do read.
   */
  #legTimedOut(leg: Leg, stalled: boolean): void {
    if (leg.leaving) return
    const pending = leg.link.connection?.pendingWriteBytes ?? 0
    const { late, drop } = receiverTimedOut(leg.late, { pendingBytes: pending, stalled }, this.#deps.clock.now(), this.#deps.deliveryTimeoutMs)
    leg.late = late
    if (!drop) return
    this.#deps.log.info(`${leg.identity} is not reading its MSRP session in ${leg.room.uri} (${late.strikes} delivery timeout(s) in a row, ${pending} bytes waiting${stalled ? ', no progress since the copy was written' : ''}); dropping it`)
    void this.#leave(leg, 'error', 'slow-receiver')
  }

  /** Removes a participant: roster change (NOTIFYs follow), MSRP session closed, BYE (with its RFC 3326 Reason) if `bye` says why. */
  async #leave(leg: Leg, reason: LeaveReason, bye: ByeCause | undefined): Promise<void> {
    if (leg.leaving) return
    leg.leaving = true
    if (leg.bindTimer !== undefined) this.#deps.clock.clearTimeout(leg.bindTimer)
    this.#legs.delete(leg.participantId)
    this.#deps.files?.pushes?.participantLeft(leg.participantId)
    // What it saw live and replayed is not replayed again when this identity comes back.
    if (leg.replayed && this.#deps.store.getRoom(leg.room.uri) !== undefined) leg.room.sawHistory(leg.participantId)
    if (reason === 'kicked') {
      // Out of the roster first (later SENDs get 481), then its SENDs already being relayed are
      // answered before the session closes: a removed sender learns its last message was
      // delivered instead of seeing its connection vanish under an unanswered SEND.
      if (this.#deps.store.getRoom(leg.room.uri) !== undefined) leg.room.leave(leg.participantId, reason)
      await leg.link.settle()
    }
    this.#deps.msrp.listener.unregister(leg.link.id)
    void leg.link.close()
    if (reason !== 'kicked' && this.#deps.store.getRoom(leg.room.uri) !== undefined) leg.room.leave(leg.participantId, reason)
    this.#deps.log.info(`${leg.identity} left ${leg.room.uri} (${reason})`)
    // A room created on demand goes with its last participant (history kept or dropped per policy).
    // Read before the room may go: a removed room has no configuration to ask.
    const retention = reason === 'room-deleted' || this.#deps.files === undefined ? undefined : this.#fileRetention(leg.room)
    const removed = reason !== 'room-deleted' && this.#deps.directory.removeIfEmpty(leg.room.uri)
    if (removed) this.#deps.log.info(`${leg.room.uri} was created on demand and is empty now: removed`)
    if (bye !== undefined) await sendInDialog(this.#deps.core, leg, 'BYE', this.#deps.byeReasons === false ? {} : { headers: [['Reason', BYE_REASONS[bye]]] }, this.#deps.log)
    leg.dialog.terminate()
    this.#deps.core.removeDialog(leg.dialog)
    if (removed && retention !== undefined) await this.#roomGone(leg.room.uri, retention)
  }

  #inDialog(incoming: IncomingRequest, leg: Leg): void {
    switch (incoming.method) {
      case 'ACK':
        return
      case 'BYE':
        incoming.respond(200)
        void this.#leave(leg, 'bye', undefined)
        return
      case 'REFER':
        this.#refer(incoming, leg.identity, leg.room, leg)
        return
      case 'MESSAGE':
        this.#moderate(incoming, leg.identity, leg.room)
        return
      case 'UPDATE':
      case 'INVITE':
        // Session refresh (RFC 4028) or re-offer: the MSRP session stays as it is.
        if (incoming.message.body.length > 0) incoming.respond(488, { headers: [['Warning', '399 - "media changes are not supported in a chat room"']] })
        else incoming.respond(200, { headers: [['Contact', `${this.#deps.contactFor(incoming, roomUserOf(leg.room.uri))};isfocus`]] })
        return
      case 'OPTIONS':
        incoming.respond(200, { headers: [['Allow', ALLOW]] })
        return
      default:
        incoming.respond(405, { headers: [['Allow', ALLOW]] })
    }
  }


  // ---- messages and nicknames ------------------------------------------------------------

  async #relay(leg: Leg, body: Buffer, size: number): Promise<LinkVerdict> {
    let cpim
    try {
      cpim = parseCpim(body)
    } catch (error) {
      return { status: 400, comment: `Bad CPIM: ${error instanceof Error ? error.message.slice(0, 100) : 'unparseable'}` }
    }
    const decision = leg.room.handleMessage({ participantId: leg.participantId, cpim, size, raw: body, receivedAt: new Date() })
    if (decision.action === 'reject') {
      // MSRP has no 429: a rate-limited sender gets 403 whose comment says so and when to retry,
      // so a client can tell throttling from a refusal (RFC 4975 §7.2 comments are free text).
      const comment = decision.problem === 'rate-limited' && decision.retryAfterMs !== undefined ? `Rate limited; retry in ${decision.retryAfterMs} ms` : decision.reason
      return { status: decision.status, comment }
    }
    // One Message-ID per relayed message: it is unique on each recipient's session (RFC 4975 §7.1.1).
    const messageId = `${leg.participantId.slice(0, 8)}.${(this.#relayed++).toString(36)}`
    // Serialized once for every recipient. Each leg reports through one function for the whole
    // fan-out with the leg's index (no promise, closure or result object per copy: under load
    // those live until the copy's 200 and the garbage collector promotes them); the outcomes are
    // the session's shared constants until the fan-out ends.
    const message = new RelayedMessage(body, messageId, this.#deps.deliveryMode)
    const recipients = decision.recipients
    const n = recipients.length
    const targets = new Array<Leg | undefined>(n)
    const outcomes = new Array<LegOutcome>(n)
    // 1: the recipient had left (or was leaving) when its leg ended, see below.
    const left = new Uint8Array(n)
    let failures = 0
    await new Promise<void>((resolve) => {
      let pending = n
      if (pending === 0) resolve()
      const onOutcome = (outcome: LegOutcome, i: number): void => {
        const target = targets[i]!
        if (outcome.ok) target.late = NO_LATE_ANSWERS
        else {
          failures++
          if (outcome.status === 408) this.#legTimedOut(target, outcome.stalled === true)
          // A leg that failed because its participant left meanwhile (BYE, closed connection) is
          // no failure of the sender's message (RFC 4975 §7.2: 481 names the sender's session).
          // That includes a stuck receiver dropped for this very timeout.
          if (target.leaving) left[i] = 1
        }
        outcomes[i] = outcome
        if (--pending === 0) resolve()
      }
      for (let i = 0; i < n; i++) {
        const target = this.#legs.get(recipients[i]!)
        if (target === undefined || target.leaving) {
          // Left between the room's decision and the fan-out: not the sender's failure.
          outcomes[i] = LEFT_BEFORE_FANOUT
          left[i] = 1
          failures++
          if (--pending === 0) resolve()
          continue
        }
        targets[i] = target
        // A participant still receiving the room's history gets live messages after it (only
        // then is a closure for the later send made).
        if (target.held !== undefined) target.held.push(() => target.link.relay(message, onOutcome, i))
        else target.link.relay(message, onOutcome, i)
      }
    })
    // Every recipient got it (the common case): what aggregateDelivery answers, without a record per leg.
    if (failures === 0 && n > 0) return DELIVERED_TO_ALL
    const legs = new Array<DeliveryOutcome>(n)
    for (let i = 0; i < n; i++) {
      const participantId = recipients[i]!
      const outcome = outcomes[i]!
      legs[i] = outcome.ok
        ? { participantId, ok: true }
        : { participantId, ok: false, status: outcome.status, ...(outcome.reason === undefined ? {} : { reason: outcome.reason }), ...(left[i] === 1 ? { left: true } : {}) }
    }
    const report = aggregateDelivery(decision.kind, legs)
    if (report.partial) this.#deps.log.debug(`message from ${leg.identity} reached ${report.delivered.length} of ${n} in ${leg.room.uri}`)
    return { status: report.status, comment: report.reason }
  }

  #nickname(room: ServerRoom, participantId: string, nickname: string | undefined): LinkVerdict {
    if (this.#deps.store.getRoom(room.uri) === undefined) return { status: 481 }
    const decision = room.handleNicknameRequest(participantId, nickname)
    return { status: decision.status, comment: decision.reason }
  }

  // ---- roster subscriptions (RFC 4575) ---------------------------------------------------

  #subscribe(incoming: IncomingRequest, identity: string, room: ServerRoom): void {
    const request = incoming.message
    const expires = readExpires(request.headers)
    const decision = this.notifier.subscribe({ room: room.uri, watcher: identity, event: request.headers.get('Event'), ...(expires === undefined ? {} : { expires }) })
    if (decision.status !== 200) {
      incoming.respond(decision.status, { reason: decision.reason, headers: Object.entries(decision.headers) })
      return
    }
    const contact = this.#deps.contactFor(incoming, roomUserOf(room.uri))
    const id = decision.subscriptionId
    if (decision.expires > 0) {
      const dialog = this.#deps.core.createUasDialog(incoming, contact, guarded((inDialog) => this.#subscriptionRequest(inDialog, id, identity, room), this.#deps.log))
      this.#deps.subscriptions.add(id, { dialog, destination: incoming.source }, CONFERENCE_EVENT)
    } else {
      // A fetch (Expires 0, RFC 6665 §4.4.3): one NOTIFY, then the dialog is over.
      const dialog = this.#deps.core.createUasDialog(incoming, contact)
      this.#deps.subscriptions.add(id, { dialog, destination: incoming.source }, CONFERENCE_EVENT)
    }
    incoming.respond(200, { headers: [...Object.entries(decision.headers), ['Contact', contact]] })
    this.#sendConferenceNotify(decision.notify)
  }

  #subscriptionRequest(incoming: IncomingRequest, id: string, watcher: string, room: ServerRoom): void {
    if (incoming.method !== 'SUBSCRIBE') {
      if (incoming.method !== 'ACK') incoming.respond(405, { headers: [['Allow', 'SUBSCRIBE']] })
      return
    }
    const expires = readExpires(incoming.message.headers)
    const decision = this.notifier.subscribe({ room: room.uri, watcher, event: incoming.message.headers.get('Event'), id, inDialog: true, ...(expires === undefined ? {} : { expires }) })
    incoming.respond(decision.status, { reason: decision.reason, headers: Object.entries(decision.headers) })
    if (decision.status === 200) this.#sendConferenceNotify(decision.notify)
  }

  #sendConferenceNotify(n: ConferenceNotify): void {
    let body: string | undefined
    const doc = n.document
    if (doc !== undefined) body = doc.state === 'full' ? buildFullRoster(doc.room, doc.participants) : buildPartialRoster(doc.room, doc.changes)
    this.#deps.subscriptions
      .notify(n.subscriptionId, { state: n.state, expiresIn: n.expiresIn, reason: n.reason, ...(body === undefined ? {} : { body, contentType: CONFERENCE_INFO_TYPE }) })
      .catch((error: unknown) => this.#deps.log.debug(`conference NOTIFY failed: ${String(error)}`))
  }

  /** Ends every roster subscription of the server's rooms (shutdown): terminated;reason=noresource. */
  terminateSubscriptions(): Promise<unknown[]> {
    const all: Promise<unknown>[] = []
    for (const room of this.#deps.directory.list()) {
      for (const w of this.notifier.watchersOf(room.uri)) all.push(this.#deps.subscriptions.notify(w.subscriptionId, { state: 'terminated', reason: 'noresource' }))
    }
    return Promise.all(all)
  }

  // ---- moderation ------------------------------------------------------------------------

  #refer(incoming: IncomingRequest, identity: string, room: ServerRoom, inLeg: Leg | undefined): void {
    const referTo = incoming.message.headers.get('Refer-To')
    if (referTo === undefined) {
      incoming.respond(400, { reason: 'Missing Refer-To' })
      return
    }
    const target = parseReferTo(referTo)
    if (target?.method === 'INVITE') {
      this.#invite(incoming, identity, room, target.uri, inLeg)
      return
    }
    const decision = decideRefer(room, { requester: identity, referTo })
    if (!decision.ok) {
      incoming.respond(decision.status, { reason: decision.reason })
      return
    }
    const { leg: notifyLeg, own: ownDialog } = this.#referSubscription(incoming, room, inLeg)
    incoming.respond(202, { headers: [['Contact', this.#deps.contactFor(incoming, roomUserOf(room.uri))]] })
    void (async () => {
      const targets = decision.action.targets.map((t) => this.#legs.get(t.id)).filter((l): l is Leg => l !== undefined)
      await Promise.all(targets.map((t) => this.#leave(t, 'kicked', 'kicked')))
      // Participants without a live leg (should not happen) still leave the roster.
      for (const t of decision.action.targets) if (room.participant(t.id) !== undefined) room.leave(t.id, 'kicked')
      await sendInDialog(this.#deps.core, notifyLeg, 'NOTIFY', {
        headers: [['Event', 'refer'], ['Subscription-State', 'terminated;reason=noresource']],
        body: `${decision.action.sipfrag}\r\n`,
        contentType: 'message/sipfrag;version=2.0',
      }, this.#deps.log)
      if (ownDialog) this.#deps.core.removeDialog(notifyLeg.dialog)
    })()
  }

  /**
   * REFER method=INVITE (RFC 4579 §5.5): the focus calls `targetUri` in with the room's offer and
   * reports progress in NOTIFYs (RFC 3515 message/sipfrag: 100, 180, then the final status).
   * Who may invite: a participant of the room, or one of its owners and moderators.
   */
  #invite(incoming: IncomingRequest, identity: string, room: ServerRoom, targetUri: string, inLeg: Leg | undefined): void {
    const target = identityKey(targetUri.split(';', 1)[0] ?? targetUri)
    if (target === undefined) {
      incoming.respond(400, { reason: 'Bad Refer-To' })
      return
    }
    if (room.findByUri(identity).length === 0 && room.roleOf(identity) === 'participant') {
      incoming.respond(403, { reason: 'Only participants of the room may invite' })
      return
    }
    const pending = this.#invitations.get(room.uri) ?? 0
    if (pending >= MAX_PENDING_INVITATIONS) {
      incoming.respond(503, { reason: 'Too many invitations ringing', headers: [['Retry-After', '30']] })
      return
    }
    this.#invitations.set(room.uri, pending + 1)
    const { leg: notifyLeg, own } = this.#referSubscription(incoming, room, inLeg)
    const event = inLeg === undefined ? 'refer' : `refer;id=${readCSeq(incoming.message.headers).seq}`
    incoming.respond(202, { headers: [['Contact', this.#deps.contactFor(incoming, roomUserOf(room.uri))]] })
    const notify = (status: number, reason: string, final: boolean): Promise<unknown> =>
      sendInDialog(this.#deps.core, notifyLeg, 'NOTIFY', {
        headers: [['Event', event], ['Subscription-State', final ? 'terminated;reason=noresource' : 'active;expires=120']],
        body: `SIP/2.0 ${status} ${reason}\r\n`,
        contentType: 'message/sipfrag;version=2.0',
      }, this.#deps.log)
    void (async () => {
      try {
        await notify(100, 'Trying', false)
        const result = await this.#callIn(room, target, identity, () => void notify(180, 'Ringing', false))
        this.#deps.log.info(`${identity} invited ${target} to ${room.uri}: ${result.status} ${result.reason}`)
        await notify(result.status, result.reason, true)
      } catch (error) {
        this.#deps.log.warn(`inviting ${target} to ${room.uri} failed: ${error instanceof Error ? error.message : String(error)}`)
        await notify(500, 'Server Internal Error', true)
      } finally {
        const left = (this.#invitations.get(room.uri) ?? 1) - 1
        if (left <= 0) this.#invitations.delete(room.uri)
        else this.#invitations.set(room.uri, left)
        if (own) this.#deps.core.removeDialog(notifyLeg.dialog)
      }
    })()
  }

  /** The REFER's implicit subscription (RFC 3515 §2.4.4): the chat session's dialog, or a new one. */
  #referSubscription(incoming: IncomingRequest, room: ServerRoom, inLeg: Leg | undefined): { leg: DialogLeg; own: boolean } {
    if (inLeg !== undefined) return { leg: inLeg, own: false }
    const contact = this.#deps.contactFor(incoming, roomUserOf(room.uri))
    return { leg: { dialog: this.#deps.core.createUasDialog(incoming, contact), destination: incoming.source }, own: true }
  }

  /** Calls `target` into `room` (the focus offers the room's MSRP session); resolves with the final status. */
  async #callIn(room: ServerRoom, target: string, by: string, ringing: () => void): Promise<CallOutResult> {
    if (room.findByUri(target).length > 0) return { status: 200, reason: 'OK' }
    const roomUser = roomUserOf(room.uri)
    const reach = this.#deps.reach?.(target, roomUser)
    if (reach === undefined) return { status: 480, reason: 'Temporarily Unavailable' }
    const policy = roomMediaPolicy(room.state.config)
    const sessionId = generateSessionId()
    const localUri = this.#deps.msrp.uriFor(sessionId)
    const offer = createOffer({
      path: [localUri],
      setup: 'actpass',
      acceptTypes: policy.acceptTypes,
      acceptWrappedTypes: policy.acceptWrappedTypes,
      maxSize: policy.maxSize,
      chatroom: { nickname: policy.chatroom.includes('nickname'), privateMessages: policy.chatroom.includes('private-messages'), extensions: [] },
    })
    let dialLeg: Leg | undefined
    const result = await callOut(this.#deps.core, {
      roomUri: room.uri,
      target,
      contact: reach.contact,
      destination: reach.destination,
      focusContact: `${reach.focusContact};isfocus`,
      offer,
      headers: [['Allow', ALLOW], ['Allow-Events', CONFERENCE_EVENT], ['Referred-By', `<${by}>`]],
    }, {
      clock: this.#deps.clock,
      timeoutMs: this.#deps.callOutTimeoutMs ?? DEFAULT_CALL_OUT_TIMEOUT_MS,
      auth: this.#deps.callOutAuth,
      onProgress: (response) => {
        if (response.status === 180 || response.status === 183) ringing()
      },
      onAnswered: (request, response) => {
        let media
        try {
          media = parseMsrpSdp(response.body.toString('utf8')).media.find((m) => m.port !== 0 && m.path.length > 0)
        } catch {
          media = undefined
        }
        if (media === undefined || media.setup === 'actpass' || media.setup === 'holdconn') return { refused: { status: 488, reason: 'Not Acceptable Here' } }
        const contactHeader = readNameAddrHeader(response.headers, 'Contact')
        const decision = room.join({ uri: target, id: sessionId, requestUri: room.uri, ...(contactHeader !== undefined && isAutomaton(contactHeader.params) ? { automaton: true } : {}) })
        if (!decision.ok) return { refused: { status: decision.status, reason: decision.reason } }
        const connect = media.setup === 'passive'
        const send = this.#deps.callOutAuth?.dialogSender(this.#deps.core, reach.destination)
        const leg = this.#addLeg({ room, identity: target, sessionId, localUri, remotePath: media.path, destination: reach.destination, connect, send }, (handler) => this.#deps.core.createUacDialog(request, response, handler))
        if (leg === undefined) {
          room.leave(sessionId, 'error')
          return { refused: { status: 500, reason: 'Server Internal Error' } }
        }
        this.#deps.log.info(`${target} joined ${room.uri} (invited by ${by})`)
        if (connect) dialLeg = leg
        return { dialog: leg.dialog }
      },
    })
    if (dialLeg !== undefined) void this.#dial(dialLeg)
    return result
  }

  #moderate(incoming: IncomingRequest, identity: string, room: ServerRoom): void {
    const request = incoming.message
    if (mediaType(request.headers.get('Content-Type')) !== MODERATION_TYPE) {
      incoming.respond(415, { headers: [['Accept', MODERATION_TYPE]] })
      return
    }
    const parsed = parseModerationRequest(request.body)
    if (typeof parsed === 'string') {
      incoming.respond(400, { reason: `Bad moderation request: ${parsed}` })
      return
    }
    const targets = room.findByUri(parsed.target)
    if (targets.length === 0) {
      // Same as REFER: a stranger may not probe the roster.
      incoming.respond(room.roleOf(identity) === 'participant' ? 403 : 404)
      return
    }
    for (const t of targets) {
      const d = setMuted(room, { requester: identity, targetId: t.id, muted: parsed.action === 'mute' })
      if (!d.ok) {
        incoming.respond(d.status)
        return
      }
    }
    incoming.respond(200)
  }
}

/** The user part of a room URI (`lobby` of `sip:lobby@example.test`). */
function roomUserOf(uri: string): string | undefined {
  const m = /^sips?:([^@;?]+)@/i.exec(uri)
  return m?.[1]
}

/** A GRUU Contact (RFC 5627 §3.1) as an endpoint URI: user, host and the `gr` parameter only. */
function gruuOf(uri: SipUri): string {
  const gruu: SipUri = { kind: 'sip', scheme: uri.scheme, host: uri.host, params: new Map([['gr', uri.params.get('gr') ?? null]]), headers: [] }
  if (uri.user !== undefined) gruu.user = uri.user
  return serializeUri(gruu)
}

/**
 * RFC 3840 §9: the `automaton` feature tag in a Contact. Bare (`;automaton`) means TRUE; a value
 * is a quoted tag-value list, so `"TRUE"` is true and `"FALSE"` or `"!TRUE"` false.
 */
function isAutomaton(params: ReadonlyMap<string, string | null>): boolean {
  for (const [name, value] of params) {
    if (name.toLowerCase() !== 'automaton') continue
    if (value === null) return true
    return value.replace(/^"|"$/g, '').trim().toUpperCase() === 'TRUE'
  }
  return false
}

/** The host of an `a=path` URI, or '' when it does not parse (no dial is allowed to it then). */
function hostOfPath(uri: string): string {
  try {
    return parseMsrpUri(uri).host
  } catch {
    return ''
  }
}

/** The transport of the offer's first MSRP media line (TCP when it has none: the answer says why). */
function offeredTransport(offer: string): 'tcp' | 'tls' | 'ws' | 'wss' {
  try {
    return parseMsrpSdp(offer).media.find((m) => m.port !== 0)?.transport ?? 'tcp'
  } catch {
    return 'tcp'
  }
}

/** A stored file as the room's conference-info lists it (msrp-bot's `<files>`). */
function listedFile(f: StoredFile): ConferenceFile {
  return { name: f.name, type: f.type, size: f.size, sha1: f.sha1, sender: f.from, date: f.storedAt.toISOString() }
}
