/**
 * The options each `msrp-bot` command parses its flags into, and the context every runtime gets:
 * the types the command modules and their runtimes share, in a file of their own so that
 * runtime.ts and the runtimes it loads do not import each other.
 *
 * @module
 */
import type { CliIo } from './io.ts'
import type { DigestAlgorithm } from '../digest/index.ts'

/** A SIP transport name. */
export type SipTransportName = 'udp' | 'tcp' | 'tls' | 'ws'

/** Log levels the commands accept with `--log-level`. */
export type CliLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** One account the local server accepts registrations for (`--users` file). */
export interface UserAccount {
  /** The user part of the address: `alice` registers as `sip:alice@<domain>`. */
  readonly username: string
  /** The digest password (RFC 3261 §22). */
  readonly password: string
}

/** `msrp-bot server`: a chat server (registrar, presence agent, RFC 7701 chat rooms). */
export interface ServerOptions {
  /** Address to listen on (default 127.0.0.1: only this machine). */
  readonly host: string
  /**
   * Host name or IP clients reach the server at, named in Via, Contact, Record-Route and
   * `a=path`; undefined: `host` (which then must not be 0.0.0.0 or ::).
   */
  readonly advertise: string | undefined
  /** SIP port, UDP and TCP (default 5060; 0 picks a free one). */
  readonly port: number
  /** The SIP domain the server is responsible for; rooms are `sip:<room>@<domain>`. */
  readonly domain: string
  /** Room names to create at start (default ['lobby']). */
  readonly rooms: readonly string[]
  /** SIP URIs that moderate every room: may remove (RFC 4579) and mute participants. */
  readonly moderators: readonly string[]
  /**
   * Accounts allowed to register, with passwords. Undefined: anyone may register under any
   * name in the domain without a password (fine on 127.0.0.1, not on a network).
   */
  readonly users: readonly UserAccount[] | undefined
  /** The web port: SIP (RFC 7118) and MSRP (RFC 7977) over WebSocket and the browser chat page; undefined: off. */
  readonly wsPort: number | undefined
  /** MSRP port (default 2855, RFC 4975 §15.1's registered port). */
  readonly msrpPort: number
  /** Log threshold. */
  readonly logLevel: CliLogLevel
  /** Digest algorithms challenged with, preferred first (RFC 8760); undefined: SHA-256, MD5. */
  readonly digestAlgorithms?: readonly DigestAlgorithm[]
  /** Proxies (IP or host) whose P-Asserted-Identity is believed (RFC 3325). */
  readonly trustedProxies?: readonly string[]
  /** With `users`: let identities of other domains in as guests. */
  readonly allowGuests?: boolean
  /** SIP over TLS port with the PEM certificate and key (MSRP over TLS shares the MSRP port); undefined: off. */
  readonly tls?: { readonly port: number; readonly cert: Buffer; readonly key: Buffer } | undefined
  /** Where the server may dial for `a=setup:passive` offers (default `source`). */
  readonly msrpDial?: 'source' | 'any' | undefined
  /** Public messages each room keeps for late joiners (default 20; 0: none). */
  readonly history?: number | undefined
  /** Bytes of history each room keeps at most (default 256 KiB). */
  readonly historyBytes?: number | undefined
  /** Create rooms on the first INVITE to an unknown room URI, remove them when empty. */
  readonly autoCreate?: boolean | undefined
  /** Rooms created on demand that may exist at once (default 100). */
  readonly maxAutoRooms?: number | undefined
  /** Keep the history of a room created on demand for when it is created again (default: drop it). */
  readonly autoRoomHistory?: 'keep' | 'drop' | undefined
  /** Run as one node of a cluster on Redis: its URL, this node's id and the room lease time. */
  readonly cluster?: { readonly redis: string; readonly nodeId: string; readonly leaseMs?: number | undefined } | undefined
  /**
   * Files in rooms (RFC 5547): the storage folder and limits, and the rooms' default policy
   * (`push`: offer each stored file to everyone; `retention: 'keep'`: keep files after the room
   * goes); undefined: rooms take no files.
   */
  readonly files?: { readonly dir: string; readonly maxFileBytes?: number; readonly maxRoomBytes?: number; readonly push?: boolean; readonly retention?: 'with-room' | 'keep' } | undefined
  /** The proxy through which rooms call invitees not registered here (a SIP URI); undefined: off. */
  readonly callOutProxy?: string | undefined
  /** The server's account at `callOutProxy`, for its digest challenges (password from the environment or a file). */
  readonly callOutCredentials?: { readonly username: string; readonly password: string; readonly realm?: string } | undefined
}

/** `msrp-bot dev`: a local server with the given bots in its rooms, for development. */
export interface DevOptions {
  /** Absolute paths of the bot modules (each `export default bot`, see ./bot-module.ts). */
  readonly botFiles: readonly string[]
  /** The local server; every bot joins every room in `server.rooms`. */
  readonly server: ServerOptions
  /** Open a terminal chat in the first room as well (when stdin is a terminal). */
  readonly chat: boolean
  /** Port flags left at their defaults: when such a port is taken, dev picks a free one. */
  readonly defaultPorts?: readonly ('port' | 'msrp-port' | 'ws-port')[]
}

/** How to reach a SIP network as one identity (shared by `run` and `chat`). */
export interface SipAccountOptions {
  /** The address of record, e.g. sip:echo@example.com. */
  readonly uri: string
  /** The registrar; undefined: the bot config's, else none (the identity does not register). */
  readonly registrar: string | undefined
  /** An outbound proxy to send everything through. */
  readonly outboundProxy: string | undefined
  /** The digest user name, when it differs from the URI's user part. */
  readonly username: string | undefined
  /** The digest password (read from the environment, never from the command line). */
  readonly password: string | undefined
  /** The SIP transport; undefined: tls for sips: URIs, else tcp. */
  readonly transport: SipTransportName | undefined
}

/** `msrp-bot run`: one bot on a real SIP network. */
export interface RunOptions {
  /** Absolute path of the bot module. */
  readonly botFile: string
  /** The bot's SIP identity; overrides the uri/password in the bot module's config. */
  readonly account: SipAccountOptions
  /** Room URIs to join. */
  readonly rooms: readonly string[]
  /** The nickname to claim in each room (default: the URI's user part). */
  readonly nickname: string
  /** Log threshold. */
  readonly logLevel: CliLogLevel
}

/** `msrp-bot chat`: a person in a chat room, from the terminal. */
export interface ChatOptions {
  /** The room URI. */
  readonly room: string
  /** Who is chatting. */
  readonly account: SipAccountOptions
  /** The nickname to claim. */
  readonly nickname: string
  /** Log threshold (logs go to stderr, chat to stdout). */
  readonly logLevel: CliLogLevel
}

/** What every runtime function gets besides its options. */
export interface RuntimeContext {
  /** Where to print; `io.stdin` for the terminal chat. */
  readonly io: CliIo
  /**
   * Aborted when the user asks to stop (first Ctrl-C or SIGTERM). The default SIGINT exit is
   * suspended until then, so a runtime must honour this signal (a second Ctrl-C still exits).
   */
  readonly signal: AbortSignal
}
