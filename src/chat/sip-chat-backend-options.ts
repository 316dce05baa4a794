/**
 * The options of a `SipChatBackend` besides its config: which network it runs on
 * (memory, a ready transport or the platform's sockets), its timing (steps, reconnect, grace
 * periods), what it publishes, and the bounds of its direct chats.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import type { SipTransport } from '../sip/transport/types.ts'
import type { UaTlsOptions, UserAgentOptions } from '../sip/ua/user-agent.ts'
import type { BackoffOptions } from './backoff.ts'
import type { ChatMemoryNetworks, ChatPlatform, MsrpDialer } from './msrp-dialer.ts'
import type { ChatLogger } from './room-client.ts'
import type { RoomInvitation } from './room-invitation.ts'

/** Options of `SipChatBackend` besides the config. */
export interface SipChatBackendOptions {
  /**
   * Run on an in-process network instead of sockets (the in-process chat server's). The SIP
   * transport gets a unique host name on it; MSRP connections are dialed there too.
   */
  memory?: ChatMemoryNetworks | undefined
  /** A ready SIP transport (overrides `config.transport`). */
  sipTransport?: SipTransport | undefined
  /**
   * The sockets to run on when neither `memory` nor `sipTransport` is given: `nodeChatPlatform`
   * (`node-platform.ts`) on Node. The backend itself imports no socket code.
   */
  platform?: ChatPlatform | undefined
  /** How MSRP connections are opened (default: the platform's dialer, or the memory network). */
  msrpDialer?: MsrpDialer | undefined
  /** TLS material for `transport: 'tls'`. */
  tls?: UaTlsOptions | undefined
  /** Local SIP address to bind (default 127.0.0.1, a free port). */
  listen?: { host?: string; port?: number } | undefined
  /** Clock for SIP timers, reconnect backoff and grace periods (tests pass a fake one). */
  clock?: Clock | undefined
  /** Reconnect pacing (default 500 ms doubling to 30 s, 50% jitter); false disables reconnecting. */
  reconnect?: BackoffOptions | false | undefined
  /** Publish presence on start (default true). A registrar without presence (489) is tolerated. */
  publishPresence?: boolean | undefined
  /**
   * Ask the focus for a success REPORT on every message and resolve sends only when it came
   * (RFC 4975 §7.1.1; default false: the 200 to the SEND is the confirmation).
   */
  successReports?: boolean | undefined
  /** MSRP transaction timeout, ms (default 30 s, RFC 4975 §7.1). */
  msrpTimeoutMs?: number | undefined
  /**
   * Deadline of each step of starting, joining and reconnecting (REGISTER, INVITE, MSRP connect
   * and bind, NICKNAME, SUBSCRIBE, PUBLISH), ms (default 40 s: above the SIP and MSRP
   * transaction timeouts, which report first where they exist).
   */
  stepTimeoutMs?: number | undefined
  /** How long a room whose MSRP session broke waits for the focus's BYE before re-joining (default 2 s). */
  mediaGraceMs?: number | undefined
  /**
   * How long a `join` of someone without a nickname is held for their NICKNAME (RFC 7701 §7) to
   * follow, so that the bot sees one join with the nickname (default 1 s; 0 disables).
   */
  joinNicknameWaitMs?: number | undefined
  /** Where the backend logs (default: `NODE_DEBUG=msrp-bot:chat`). */
  logger?: ChatLogger | undefined
  /** Extra UserAgent options (timers, keepalive ...). */
  userAgent?: Partial<UserAgentOptions> | undefined
  /**
   * Whether this backend speaks for a bot (default true): its Contact then carries the RFC 3840
   * `automaton` feature tag, which the msrp-bot server shows other participants, so their bots
   * do not answer this one. A person's chat client passes false.
   */
  automaton?: boolean | undefined
  /**
   * Called when a room's focus calls this user in (an invitation someone asked for with
   * REFER method=INVITE, RFC 4579 §5.5): `accept()` joins the room, `decline()` refuses (603).
   * Without it invitations are declined.
   */
  onInvitation?: ((invitation: RoomInvitation) => void) | undefined
  /** 1:1 MSRP chats held at once (default 16); more INVITEs get 486 Busy Here. */
  maxDirectSessions?: number | undefined
  /**
   * Let a 1:1 chat offer of `a=setup:passive` make this backend connect to the MSRP address the
   * offer names (default false: such offers get 488, and the offerer connects to us instead).
   */
  directDial?: boolean | undefined
  /** Events waiting for the bot beyond which a direct MESSAGE gets 503 (default 256). */
  maxDirectBacklog?: number | undefined
  /** Largest direct message taken, bytes (default 16 KiB): a bigger MESSAGE gets 413, a bigger MSRP message 413. */
  maxDirectMessageBytes?: number | undefined
}
