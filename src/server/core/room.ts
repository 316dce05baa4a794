/**
 * The RFC 7701 chat-room focus for one room: joining and leaving (§5), relaying public and
 * private messages (§6), nicknames (§7). Pure decisions over a {@link RoomStore}: no I/O.
 *
 * The wiring calls `join` when it accepts an INVITE to the room URI, `handleMessage` for every
 * complete SEND on a participant's MSRP session, `handleNicknameRequest` for NICKNAME requests,
 * and `leave` on BYE; it turns roster changes (returned, and also published by the store) into
 * conference-info NOTIFYs (RFC 4575) and delivery decisions into SENDs.
 *
 * @module
 */

import { randomUuid } from '../../random.ts'
import { type TimeSource, wallClock } from '../../clock.ts'
import { categorize, isAcceptedType, type ChatMessageCategory } from '../../rooms/content-types.ts'
import { TokenBucket } from '../../rooms/token-bucket.ts'
import {
  type ChatCpim,
  type InboundChatMessage,
  type MessageDecision,
  type MessageRejection,
} from './chat-message.ts'
import { reserveNickname, type NicknameError } from './nickname.ts'
import {
  RoomStoreError,
  type LeaveReason,
  type ServerParticipant,
  type ParticipantRole,
  type RoomConfig,
  type ServerRoomState,
  type RoomStore,
  type RosterChange,
} from './room-store.ts'
import { equalUris, sameIdentity, identityKey, identityKeyOrText } from '../../rooms/identity.ts'
import { hasMsrpBotHeader, withCpimDateTime } from '../../rooms/history.ts'
import type { HistoryEntry } from './room-history.ts'

/** Who is joining: what the focus learnt from the INVITE (RFC 7701 §5.2). */
export interface JoinRequest {
  /**
   * The participant's identity: the authenticated/asserted URI (P-Asserted-Identity or From after
   * digest), or the anonymous URI the focus assigned if the user asked for privacy.
   */
  uri: string
  /** Display name from the SIP From header. */
  displayName?: string
  /** Contact URI of the INVITE (GRUU if any): the participant's RFC 4575 endpoint. */
  contact?: string
  /** Id to use (e.g. the dialog id); a random UUID otherwise. Must be unique in the room. */
  id?: string
  /**
   * The INVITE's Request-URI: the room as this participant addressed it. A CPIM To equal to it
   * (RFC 3261 §19.1.4) makes a message public, like the room URI itself.
   */
  requestUri?: string
  /** The INVITE's Contact carried the RFC 3840 §9 `automaton` feature tag: the participant is a bot. */
  automaton?: boolean
}

/** Result of {@link ServerRoom.join}: the SIP status to answer the INVITE with. */
export type JoinDecision =
  | { ok: true; status: 200; participant: ServerParticipant; change: RosterChange }
  /** 403: banned or not a member. 486: room full (Busy Here, RFC 3261 §21.4.24). */
  | { ok: false; status: 403 | 486; reason: string; detail: string }

/** Result of a nickname request: 200 (with the roster change, if anything changed) or 424/425. */
export type NicknameDecision =
  | { ok: true; status: 200; reason: 'OK'; nickname: string | undefined; change: RosterChange | undefined }
  | NicknameError
  | { ok: false; status: 481; reason: 'Session does not exist'; problem: 'not-a-participant'; detail: string }

/** Options for {@link ServerRoom}. */
export interface ServerRoomOptions {
  /** Clock for join times and rate limits (default: `wallClock`, i.e. `Date.now`). */
  clock?: TimeSource
  /** ServerParticipant id generator (default: a random UUID, `randomUuid` in random.ts). */
  newId?: () => string
}

/**
 * The focus logic for one room.
 *
 * @example
 * ```ts
 * const store = new InMemoryRoomStore()
 * store.createRoom('sip:lobby@example.test')
 * const room = new ServerRoom(store, 'sip:lobby@example.test')
 * const alice = room.join({ uri: 'sip:alice@example.test' })
 * const decision = room.handleMessage({ participantId: alice.participant.id, cpim })
 * if (decision.action === 'deliver') for (const id of decision.recipients) send(id, decision.cpim)
 * ```
 */
export class ServerRoom {
  /** The room URI as given. */
  readonly uri: string
  private readonly clock: TimeSource
  private readonly newId: () => string
  private readonly buckets = new Map<string, TokenBucket>()
  private bucketConfig: RoomConfig['rateLimit'] | undefined

  /** Binds to the room `uri` in `store` (which must exist). */
  constructor(readonly store: RoomStore, uri: string, options: ServerRoomOptions = {}) {
    if (store.getRoom(uri) === undefined) throw new RoomStoreError('MIXER_UNKNOWN_ROOM', `no room ${uri}; create it with store.createRoom() first`)
    this.uri = uri
    this.clock = options.clock ?? wallClock
    this.newId = options.newId ?? (() => randomUuid())
  }

  /** Current room state; throws `MIXER_UNKNOWN_ROOM` if the room was deleted. */
  get state(): ServerRoomState {
    const room = this.store.getRoom(this.uri)
    if (room === undefined) throw new RoomStoreError('MIXER_UNKNOWN_ROOM', `room ${this.uri} no longer exists`)
    return room
  }

  /** Current roster version (RFC 4575 `version`). */
  get version(): number {
    return this.state.version
  }

  /** The participant with that id, if present. */
  participant(id: string): ServerParticipant | undefined {
    return this.state.participants.get(id)
  }

  /** All participants, in join order. */
  participants(): ServerParticipant[] {
    return [...this.state.participants.values()]
  }

  /** Participants whose identity is `uri` (several sessions of one user are possible). */
  findByUri(uri: string): ServerParticipant[] {
    const key = identityKey(uri)
    if (key === undefined) return []
    return this.participants().filter((p) => identityKey(p.uri) === key)
  }

  /** The role an identity would have in this room, from the config lists. */
  roleOf(uri: string): ParticipantRole {
    const config = this.state.config
    if (config.owners.some((o) => sameIdentity(o, uri))) return 'owner'
    if (config.moderators.some((m) => sameIdentity(m, uri))) return 'moderator'
    return 'participant'
  }

  /**
   * Admits a participant (RFC 7701 §5.2, after the wiring accepted the INVITE's SDP): 403 if the
   * identity is banned or the room is members-only and it is not a member, 486 if the room is full; otherwise adds it and returns the roster change.
   */
  join(request: JoinRequest): JoinDecision {
    const state = this.state
    if (state.config.banned.some((b) => sameIdentity(b, request.uri))) {
      return { ok: false, status: 403, reason: 'Forbidden', detail: `${request.uri} is banned from ${this.uri}` }
    }
    const members = state.config.members
    if (members !== null && this.roleOf(request.uri) === 'participant' && !members.some((m) => sameIdentity(m, request.uri))) {
      return { ok: false, status: 403, reason: 'Forbidden', detail: `${this.uri} is members-only and ${request.uri} is not a member` }
    }
    if (state.config.maxParticipants !== null && state.participants.size >= state.config.maxParticipants) {
      return { ok: false, status: 486, reason: 'Busy Here', detail: `${this.uri} is full (${state.config.maxParticipants} participants)` }
    }
    const participant: ServerParticipant = {
      id: request.id ?? this.newId(),
      uri: request.uri,
      ...(request.displayName === undefined ? {} : { displayName: request.displayName }),
      ...(request.contact === undefined ? {} : { contact: request.contact }),
      ...(request.requestUri === undefined ? {} : { joinedVia: request.requestUri }),
      ...(request.automaton === true ? { automaton: true } : {}),
      joinedAt: this.clock.now(),
      muted: false,
      role: this.roleOf(request.uri),
    }
    const change = this.store.addParticipant(this.uri, participant)
    return { ok: true, status: 200, participant, change }
  }

  /** Removes a participant (BYE, kick, expiry); its nickname is released. Undefined if not present. */
  leave(participantId: string, reason: LeaveReason = 'bye'): RosterChange | undefined {
    this.buckets.delete(participantId)
    return this.store.removeParticipant(this.uri, participantId, reason)
  }

  /**
   * Sets or changes a participant's nickname (RFC 7701 §7.1, §7.2): 424 if malformed, 425 if
   * another participant holds an equal one (RFC 8266 comparison) or it is reserved for someone
   * else; 200 otherwise, releasing the previous nickname. Asking for the current nickname again
   * is a 200 with no roster change (a case/width variant changes the displayed form).
   */
  setNickname(participantId: string, nickname: string): NicknameDecision {
    const state = this.state
    const participant = state.participants.get(participantId)
    if (participant === undefined) return notParticipant(participantId, this.uri)
    const decision = reserveNickname(
      { participants: state.participants.values(), reservedNicknames: state.config.reservedNicknames, maxNicknameLength: state.config.maxNicknameLength },
      participant,
      nickname,
      sameIdentity,
    )
    if (!decision.ok) return decision
    const change = this.store.updateParticipant(this.uri, participantId, { nickname: decision.value })
    return { ok: true, status: 200, reason: 'OK', nickname: decision.value, change }
  }

  /** Removes a participant's nickname (RFC 7701 §7); 200 even if it had none. */
  removeNickname(participantId: string): NicknameDecision {
    if (this.state.participants.get(participantId) === undefined) return notParticipant(participantId, this.uri)
    const change = this.store.updateParticipant(this.uri, participantId, { nickname: null })
    return { ok: true, status: 200, reason: 'OK', nickname: undefined, change }
  }

  /**
   * Handles an MSRP NICKNAME request. `useNickname` is the unquoted Use-Nickname header value,
   * or undefined when the header is absent. Absent or exactly empty (`Use-Nickname: ""`, what
   * SIP SIMPLE clients and SylkServer use) removes the nickname (RFC 7701 §7); anything else is
   * prepared per RFC 8266, so an all-space value is a malformed nickname (424).
   */
  handleNicknameRequest(participantId: string, useNickname: string | undefined): NicknameDecision {
    return useNickname === undefined || useNickname === '' ? this.removeNickname(participantId) : this.setNickname(participantId, useNickname)
  }

  /**
   * Changes a participant's mute state (no authorisation: `moderation.ts` checks who asks).
   * Returns the `media` roster change, or undefined if nothing changed.
   */
  setMuted(participantId: string, muted: boolean): RosterChange | undefined {
    return this.store.updateParticipant(this.uri, participantId, { muted })
  }

  /** True when a message of `bytes` (MSRP body size) fits the room's limit; use it on the first chunk's Byte-Range total. */
  acceptsSize(bytes: number): boolean {
    return bytes <= this.state.config.maxMessageSize
  }

  /**
   * Decides what to do with one complete chat message (RFC 7701 §6). Checks, in order:
   * sender present (481); CPIM From is the sender's identity (403, §6.1); muted (403; IMDN
   * notifications still pass); size (413); content type (415; isComposing and IMDN always pass);
   * recipient — To is the room: public; one participant's URI: private (428 if disabled, 404 if no
   * such participant, 403 if several To's name participants; IMDNs are routed privately even when
   * private messages are disabled); then the rate limit (403), last, so
   * refused messages cost no tokens. isComposing and IMDN are not rate limited.
   *
   * Private messages are addressed by URI only: RFC 7701 §6.2 routes on the participant's URI
   * (learnt from the conference event package); nicknames are not addresses.
   */
  handleMessage<C extends ChatCpim>(input: InboundChatMessage<C>): MessageDecision<C> {
    const state = this.state
    const sender = state.participants.get(input.participantId)
    if (sender === undefined) {
      return { action: 'reject', status: 481, reason: 'Session does not exist', problem: 'not-a-participant', detail: `participant ${input.participantId} is not in ${this.uri}` }
    }
    const { cpim } = input
    // RFC 7701 §6.1: the switch verifies that the CPIM From is the participant's own URI.
    if (!sameIdentity(cpim.from.uri, sender.uri)) {
      return { action: 'reject', status: 403, reason: 'Action not allowed', problem: 'spoofed-from', detail: `CPIM From ${cpim.from.uri} is not the sender's identity ${sender.uri}` }
    }
    // The history marker is the focus's word: a participant's copy would pass a live message off as a replay.
    if (cpim.headers !== undefined && hasMsrpBotHeader({ headers: cpim.headers })) {
      return { action: 'reject', status: 403, reason: 'Action not allowed', problem: 'reserved-header', detail: "the message carries a header in msrp-bot's CPIM namespace, which only the focus writes" }
    }
    const category = categorize(cpim.contentType)
    if (sender.muted && category !== 'imdn') {
      return { action: 'reject', status: 403, reason: 'Action not allowed', problem: 'muted', detail: `${sender.uri} is muted in ${this.uri}` }
    }
    const size = input.size ?? cpim.body.byteLength
    if (size > state.config.maxMessageSize) {
      return { action: 'reject', status: 413, reason: 'Message too large', problem: 'too-large', detail: `message is ${size} bytes; ${this.uri} accepts at most ${state.config.maxMessageSize}` }
    }
    if (category === 'message' && !isAcceptedType(cpim.contentType, state.config.acceptTypes)) {
      return { action: 'reject', status: 415, reason: 'Media type not supported', problem: 'unsupported-type', detail: `${cpim.contentType ?? '(no Content-Type)'} is not accepted in ${this.uri}; accepted: ${state.config.acceptTypes.join(', ')}` }
    }
    const routing = this.route(state, sender, cpim, category)
    if (routing.action === 'reject') return routing
    if (category === 'message') {
      const limited = this.checkRate(state, sender.id)
      if (limited !== undefined) return limited
    }
    if (routing.kind === 'public' && category === 'message' && input.raw !== undefined) this.#keep(sender, cpim, input.raw, input.receivedAt ?? new Date())
    return { action: 'deliver', kind: routing.kind, category, sender, recipients: routing.recipients, cpim }
  }

  /** Keeps a public message in the room's history, with the DateTime the focus adds when the sender gave none (RFC 3862 §3.3.5). */
  #keep(sender: ServerParticipant, cpim: ChatCpim, raw: Uint8Array, at: Date): void {
    const config = this.state.config
    if (config.history <= 0) return
    // A copy either way: `raw` may be a view into a much larger read buffer, which the history
    // would otherwise keep alive beyond its byte cap.
    const kept = cpim.dateTime === undefined ? withCpimDateTime(raw, at) : Uint8Array.from(raw)
    this.store.appendHistory(this.uri, { sender: sender.uri, at: at.getTime(), cpim: kept })
  }

  /**
   * What to replay to a participant whose MSRP session just came up: the kept public messages,
   * oldest first, that its identity has not seen. Nothing when another session of the same
   * identity is in the room (it is already in the room and saw them live); after a re-join, only
   * what was said since that identity last left.
   */
  historyFor(participantId: string): readonly HistoryEntry[] {
    const state = this.state
    const participant = state.participants.get(participantId)
    if (participant === undefined || state.config.history <= 0) return []
    const key = identityKeyOrText(participant.uri)
    for (const other of state.participants.values()) {
      if (other.id !== participantId && identityKeyOrText(other.uri) === key) return []
    }
    const seen = this.store.lastSeenHistory(this.uri, key) ?? 0
    return this.store.listHistory(this.uri).filter((e) => e.seq > seen)
  }

  /**
   * Records that a participant saw everything said so far (call it when a participant whose
   * session was up leaves): when that identity joins again, only newer messages are replayed.
   */
  sawHistory(participantId: string): void {
    const participant = this.state.participants.get(participantId)
    if (participant !== undefined) this.store.markHistorySeen(this.uri, identityKeyOrText(participant.uri))
  }

  /**
   * Ends the room: every participant leaves with reason `room-deleted` (the wiring sends BYEs),
   * then the room is deleted from the store. Returns the leave changes.
   */
  close(): RosterChange[] {
    const changes: RosterChange[] = []
    for (const p of this.participants()) {
      const change = this.leave(p.id, 'room-deleted')
      if (change !== undefined) changes.push(change)
    }
    this.store.deleteRoom(this.uri)
    return changes
  }

  private route(
    state: ServerRoomState,
    sender: ServerParticipant,
    cpim: ChatCpim,
    category: ChatMessageCategory,
  ): { action: 'route'; kind: 'public' | 'private'; recipients: string[] } | MessageRejection {
    // A missing To is a peer deviation (RFC 7701 §6.1 asks for the room URI); treat it as public.
    const targets = cpim.to.filter((t) => !this.namesRoom(state, sender, t.uri))
    if (targets.length === 0) {
      const recipients = [...state.participants.keys()].filter((id) => id !== sender.id)
      return { action: 'route', kind: 'public', recipients }
    }
    // IMDNs (RFC 5438) go back to the original sender by nature; they are receipts, not private
    // chat, so a room that forbids private messages still lets them through.
    if (!state.config.allowPrivateMessages && category !== 'imdn') {
      return { action: 'reject', status: 428, reason: 'Private messages not supported', problem: 'private-disabled', detail: `${this.uri} does not allow private messages` }
    }
    if (cpim.to.length > 1) {
      return { action: 'reject', status: 403, reason: 'Action not allowed', problem: 'several-recipients', detail: 'a private message has exactly one CPIM To; send one message per recipient (RFC 7701 §6.2)' }
    }
    const target = targets[0]!
    const recipients = this.findByUri(target.uri).map((p) => p.id)
    if (recipients.length === 0) {
      return { action: 'reject', status: 404, reason: "Failure to resolve recipient's URI", problem: 'unknown-recipient', detail: `${target.uri} is not a participant of ${this.uri}` }
    }
    return { action: 'route', kind: 'private', recipients }
  }

  /**
   * True when a CPIM To addresses the room itself (RFC 7701 §6.1): the room URI, or the
   * Request-URI the sender joined by (another form of the room's address, e.g. an IP and port),
   * compared per RFC 3261 §19.1.4; the room URI also matches by identity (scheme, user, host,
   * port), as before. Anything else is a private message's addressee (RFC 7701 §6.2).
   */
  private namesRoom(state: ServerRoomState, sender: ServerParticipant, to: string): boolean {
    if (equalUris(to, state.uri) || (sender.joinedVia !== undefined && equalUris(to, sender.joinedVia))) return true
    const key = identityKey(to)
    return key !== undefined && key === identityKey(state.uri)
  }

  private checkRate(state: ServerRoomState, participantId: string): MessageRejection | undefined {
    const limit = state.config.rateLimit
    if (limit !== this.bucketConfig) {
      // Config changed (or first use): start everyone with a fresh bucket under the new limits.
      this.buckets.clear()
      this.bucketConfig = limit
    }
    if (limit === null) return undefined
    let bucket = this.buckets.get(participantId)
    if (bucket === undefined) {
      bucket = new TokenBucket(limit, this.clock)
      this.buckets.set(participantId, bucket)
    }
    if (bucket.take()) return undefined
    const retryAfterMs = bucket.msUntilAvailable()
    return { action: 'reject', status: 403, reason: 'Action not allowed', problem: 'rate-limited', detail: `sending too fast; ${this.uri} allows ${limit.burst} messages then ${limit.perSecond}/s — retry in ${retryAfterMs} ms`, retryAfterMs }
  }
}

function notParticipant(participantId: string, room: string): NicknameDecision {
  return { ok: false, status: 481, reason: 'Session does not exist', problem: 'not-a-participant', detail: `participant ${participantId} is not in ${room}` }
}
