/**
 * What `startChatServer` accepts: the domain, the rooms, the users, where to listen, a clock and
 * a logger. Plain data, so the CLI can build it from flags.
 *
 * @module
 */

import type { RoomFileOptions } from './room-files.ts'
import type { Clock } from '../clock.ts'
import type { BasicLogger } from '../logger.ts'
import type { MemoryNetwork as SipMemoryNetwork } from '../sip/transport/memory.ts'
import type { MemoryNetwork as MsrpMemoryNetwork } from '../msrp/memory-stream.ts'
import type { RoomConfig } from './core/room-store.ts'
import type { RoomStore } from './core/room-store.ts'
import type { DeliveryMode } from './participant-link.ts'
import type { DigestAlgorithm } from '../digest/index.ts'
import type { ChatServerLimits } from './limits.ts'
import type { MsrpDialPolicy } from './dial-policy.ts'

/** The in-process networks a memory-mode server and its clients share (SIP and MSRP). */
export interface ChatNetwork {
  readonly sip: SipMemoryNetwork
  readonly msrp: MsrpMemoryNetwork
}

/**
 * Where the server listens.
 *
 * - `memory`: in process, no sockets. SIP listens on the memory network at `<domain>:5060`
 *   (so a client that sends to `sip:room@<domain>` reaches it with no proxy setting) and MSRP
 *   at `<domain>:2855` on the MSRP memory network.
 * - `sockets`: SIP over UDP and TCP on `host:port` (0 picks a free port, the same for both),
 *   SIP over WebSocket (RFC 7118), MSRP over WebSocket (RFC 7977) and the
 *   browser chat page on `wsPort` when given, MSRP over TCP on `msrpPort` (default: a free port).
 *   `advertise` is the host name or IP clients reach the server at, when it differs from the
 *   bound `host` (e.g. bound to 0.0.0.0 or an internal address behind a port forward): it is
 *   what the server names in Via sent-by, Contact, Record-Route and its MSRP `a=path`
 *   (default: `host`). The ports advertised are the bound ones. `tls` adds SIP over TLS on
 *   `tls.port` (RFC 3261 §26.2) and MSRP over TLS (`msrps:`, RFC 4975 §14.1) on the MSRP port,
 *   which then serves both (the first byte tells them apart), with the PEM `cert` and `key`.
 */
export type ChatServerTransport =
  | { kind: 'memory'; network?: ChatNetwork }
  | { kind: 'sockets'; host?: string; port?: number; wsPort?: number; msrpPort?: number; advertise?: string; tls?: ChatServerTls }

/** Certificate and port for the server's TLS listeners. */
export interface ChatServerTls {
  /** SIP over TLS port (0 picks a free one). */
  port: number
  /** PEM certificate chain. */
  cert: string | Buffer
  /** PEM private key of `cert`. */
  key: string | Buffer
}

/** One room's policy; every field is optional (see DEFAULT_ROOM_CONFIG). */
export type ChatRoomSettings = Partial<RoomConfig>

/** Where the server reports what it does: the shared plain-text logger; `console` fits, the default is silence. */
export type ChatServerLogger = BasicLogger

/** How rooms created on demand are bounded and what is kept of them. */
export interface RoomsOnDemandPolicy {
  /**
   * Rooms created on demand that may exist at once (default 100); one more is refused with
   * `503 Too Many Rooms` and a Retry-After.
   */
  maxRooms?: number
  /**
   * When such a room is removed (its last participant left): `drop` (default) forgets its
   * history; `keep` replays it to whoever creates the room again (kept in memory, for the most
   * recent rooms).
   */
  history?: 'keep' | 'drop'
}

/** Where a room is served in a cluster: here, on another node (its SIP URI), or nowhere. */
export type ClusterRoomPlace = { kind: 'here' } | { kind: 'elsewhere'; node: string; address: string } | { kind: 'none' }

/**
 * What a server that is one node of a cluster asks the cluster (src/server/cluster): where a
 * room lives (taking it when nobody serves it) and where a person is registered.
 */
export interface ClusterRouting {
  /** The room lease time (ms): how long a dead owner's rooms may take to move (a Retry-After). */
  readonly leaseMs: number
  /** Where the room is served; with `create`, an absent room's lease is taken so this node may create it. */
  locateRoom(uri: string, options?: { create?: boolean }): Promise<ClusterRoomPlace>
  /** The SIP URI of another node where `aor` is registered, if any. */
  locateUser(aor: string): Promise<string | undefined>
  /**
   * Whether `host:port` is another node's SIP address: a Request-URI naming it (a client that
   * dialled `sip:lobby@<node A's address>`, proxied here) is for this cluster.
   */
  isNodeAddress(host: string, port: number | undefined): Promise<boolean>
  /** A REGISTER changed `aor`'s bindings here: they last `expiresInMs` more (0: gone). */
  registered(aor: string, expiresInMs: number): void
}

/** The server's account at its call-out proxy (option `callOutCredentials`, see call-out-auth.ts). */
export interface CallOutCredentials {
  /** The digest user name (RFC 3261 §22.4 `username`). */
  readonly username: string
  /** Its password. Never logged. */
  readonly password: string
  /** Only answer challenges of this realm (default: the realm the proxy names). */
  readonly realm?: string
}

/** Options of `startChatServer`. */
export interface ChatServerOptions {
  /** The SIP domain served: AORs `sip:<user>@<domain>`, rooms `sip:<room>@<domain>`, digest realm. */
  domain: string
  /** Rooms to create: a list of names, or names mapped to their policy. */
  rooms?: string[] | Record<string, ChatRoomSettings>
  /**
   * Local users and their passwords. When given, REGISTER and every request from a local
   * identity (From in `domain`) must carry digest credentials (RFC 3261 §22, realm = domain);
   * unknown local users are challenged like known ones (no user enumeration), and identities of
   * other domains are refused unless `trustedProxies` or `allowGuests` let them in. Without it
   * anyone may register and join under any name.
   */
  users?: Record<string, string>
  /** Digest algorithms challenged with, in order of preference (RFC 8760 §2.3); default `['SHA-256', 'MD5']`. */
  digestAlgorithms?: DigestAlgorithm[]
  /**
   * Addresses (IP or host name, no port) of proxies whose `P-Asserted-Identity` is believed
   * (RFC 3325 §9.1): a request from one of them with that header is from the asserted identity.
   * From anyone else the header is ignored.
   */
  trustedProxies?: string[]
  /**
   * With `users`: let identities of other domains (no password to check) join rooms, subscribe
   * and send, as guests. Default false: they are refused unless a trusted proxy asserted them.
   */
  allowGuests?: boolean
  /** Brute-force limits on digest failures (see AUTH_THROTTLE_DEFAULTS in auth-throttle.ts). */
  authThrottle?: { perUser?: number; perSource?: number; windowMs?: number; maxTracked?: number }
  /** Registrar caps (see REGISTRAR_LIMITS in registrar.ts): contacts per AOR, bindings in total, contact length. */
  registrarLimits?: { maxContactsPerAor?: number; maxBindings?: number; maxContactLength?: number }
  /**
   * The SIP proxy through which the focus calls invitees who are not registered with this
   * server (REFER method=INVITE, RFC 4579 §5.5), e.g. the domain's registrar and proxy:
   * `sip:127.0.0.1:5060;transport=tcp`. The INVITE comes from the room's URI; when the proxy
   * challenges it (401/407), it is answered with `callOutCredentials`. Without a proxy such
   * invitations end in 480.
   */
  callOutProxy?: string
  /**
   * The server's account at `callOutProxy`, for the proxy's digest challenges (RFC 3261 §22) to
   * call-outs (invitations, file pushes through the proxy) and requests in their dialogs.
   * Credentials go to the proxy's host only, never to another host that challenges. The proxy
   * must accept this account for requests From the room URIs (Kamailio's default `auth_check`
   * wants the From user to be the account: give each room the account's name, or let the proxy
   * trust the server's address instead). Without it a challenged call-out fails with 407.
   */
  callOutCredentials?: CallOutCredentials
  /** Where to listen (default: memory). */
  transport?: ChatServerTransport
  /** Clock for every timer (SIP transactions, MSRP timeouts, rate limits, expiries). */
  clock?: Clock
  logger?: ChatServerLogger
  /** Room state backend (default: a new InMemoryRoomStore). */
  store?: RoomStore
  /**
   * This server is one node of a cluster (see src/server/cluster): requests for rooms another
   * node owns are proxied there (Record-Route), and requests for people registered through
   * another node go to that node. Give the cluster's `RedisRoomStore` as `store`.
   */
  cluster?: ClusterRouting
  /**
   * Create a room on the first INVITE to an unknown room URI of the domain (with these settings,
   * if an object), once the requester authenticated like any joiner; such a room is removed when
   * its last participant leaves. Default false: 404. URIs of local users (accounts in `users`,
   * registered addresses) are never taken for rooms. See `roomsOnDemand` for the limits.
   */
  autoCreateRooms?: boolean | ChatRoomSettings
  /** The policy for rooms created on demand (see `autoCreateRooms`). */
  roomsOnDemand?: RoomsOnDemandPolicy
  /**
   * Public messages each room keeps and replays to participants who join later (default 20;
   * 0: none). A room's own `history` setting wins. Replayed messages are marked (docs/protocol-notes.md).
   */
  history?: number
  /** Bytes of messages each room keeps at most (default 256 KiB; the oldest go first). A room's own `historyBytes` wins. */
  historyBytes?: number
  /**
   * How long the focus waits for a fan-out leg's MSRP response before counting it as failed
   * (408), default 10 s: below the sender's own 30 s transaction timeout (RFC 4975 §7.1), so
   * the sender always gets the room's answer rather than a timeout.
   */
  deliveryTimeoutMs?: number
  /**
   * `confirmed` (default): the sender's SEND is answered once every recipient answered its copy.
   * `fast`: copies go out with `Failure-Report: partial` and count as delivered once written —
   * about twice the fan-out throughput, but a recipient's late failure is not reported back.
   */
  deliveryMode?: DeliveryMode
  /** How long a joined participant has to open its MSRP connection before it is dropped (default 30 s). */
  msrpBindTimeoutMs?: number
  /** Longest `close()` waits for its BYEs and final NOTIFYs to be answered (default 5 s). */
  closeTimeoutMs?: number
  /**
   * Put an RFC 3326 `Reason` on the focus's BYEs (default true; see bye-reason.ts). False sends
   * bare BYEs, as some foci (SylkServer) do: for testing clients against such a focus.
   */
  byeReasons?: boolean
  /**
   * Files in rooms (RFC 5547): where they are stored and how much. Without it the server takes
   * no files (file offers to a room get 488). Files leave with their room.
   */
  files?: RoomFileOptions
  /** Connection caps, buffer bounds and timeouts of the listeners (see limits.ts for defaults). */
  limits?: ChatServerLimits
  /**
   * Where the focus may connect when an offer says `a=setup:passive` (RFC 6135): `source`
   * (default) only to the address the INVITE came from, `any` to whatever `a=path` names (a
   * proxy or relay in front of the server changes the source). See dial-policy.ts.
   */
  msrpDial?: MsrpDialPolicy
  /**
   * With a `wsPort`: serve the browser chat page at `/` of that port (default true; see
   * docs/web.md). The port takes SIP and MSRP over WebSocket either way.
   */
  webPage?: boolean
}

