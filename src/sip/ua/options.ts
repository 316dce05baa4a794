/**
 * The options of a {@link UserAgent} and the surface its helper classes (Registerer, Messager,
 * Session, Notifier ...) use, in a file of their own so that the helpers depend on this
 * interface and not on the class that builds them (no import circle).
 *
 * @module
 */
import type { Clock } from '../../clock.ts'
import type { IncomingRequest } from '../core/incoming-request.ts'
import type { UserAgentCore } from '../core/user-agent-core.ts'
import type { SipRequest, SipResponse } from '../message.ts'
import type { SipTimerSettings } from '../timers.ts'
import type { Destination } from '../transaction/transport-port.ts'
import type { ConnectionCloseReason, KeepaliveOptions, SipTransport } from '../transport/types.ts'
import type { SipUri } from '../uri.ts'
import type { UaLogger } from './logger.ts'
import type { UaSendOptions } from './request-authenticator.ts'

/** Transports the facade can create; or pass a ready {@link SipTransport} (e.g. a memory one). */
export type UaTransportKind = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss'

/** TLS material: pin a self-signed server certificate with `ca`; `cert`/`key` make the UA listen too. */
export interface UaTlsOptions {
  readonly ca?: string | Buffer | Array<string | Buffer>
  readonly cert?: string | Buffer
  readonly key?: string | Buffer
  /** Verify the server certificate (default true). */
  readonly rejectUnauthorized?: boolean
  /** The name the server certificate must carry (and SNI), e.g. `example.test` when dialing an IP. */
  readonly servername?: string
}

/** Configuration of a {@link UserAgent}. */
export interface UserAgentOptions {
  /** Our address of record, e.g. `sip:bot@example.test`. */
  readonly uri: string
  /** Digest user name (default: the user part of `uri`). */
  readonly authorizationUser?: string
  /** Digest password; without it, challenges fail with SIP_AUTH_NO_CREDENTIALS. */
  readonly password?: string
  /** Display name in From. */
  readonly displayName?: string
  /** Registrar Request-URI (default `sip:<domain of uri>`). */
  readonly registrar?: string
  /**
   * Proxy every out-of-dialog request goes through, e.g. `sip:127.0.0.1:5060` (RFC 3261 §8.1.2):
   * always the next hop, as a loose route (`;lr` is added when missing).
   */
  readonly outboundProxy?: string
  /** `udp` (default), `tcp`, `tls`, `ws`, `wss` (made by `transportFactory`), or a transport instance. */
  readonly transport?: UaTransportKind | SipTransport
  /**
   * Makes the transport for a transport kind: `nodeTransports` (msrp-bot/sip) on Node. The UA
   * itself opens no sockets, so the same code runs in a browser on a WebSocket transport.
   */
  readonly transportFactory?: UaTransportFactory
  readonly tls?: UaTlsOptions
  /** Local address to bind (default 127.0.0.1, a free port). */
  readonly listen?: { readonly host?: string; readonly port?: number }
  /** RFC 5626 CRLF keepalive on connections we open; adds `;ob` to the Contact. */
  readonly keepalive?: KeepaliveOptions
  /** Clock for every UA timer (tests: FakeClock). */
  readonly clock?: Clock
  /** T1/T2/T4 overrides. */
  readonly timers?: Partial<SipTimerSettings>
  /** Receives state transitions at debug level (default: silent). */
  readonly logger?: UaLogger
  /** User-Agent header value (default `msrp-bot`). */
  readonly userAgentString?: string
  /** How long `stop()` waits for unREGISTER, unSUBSCRIBE, BYE ... to be answered, ms (default 5000). */
  readonly stopTimeoutMs?: number
  /**
   * Marks this UA as an automaton (a bot): the Contact of every request and response carries
   * the RFC 3840 §9 `automaton` feature tag, so a registrar or chat focus can tell others.
   */
  readonly automaton?: boolean
  /** Content types announced in Accept (OPTIONS, 415); default text/plain, message/cpim, application/sdp, PIDF, conference-info. */
  readonly acceptTypes?: readonly string[]
}

/** Options of {@link UserAgent.createRequest}. */
export interface UaRequestInit {
  readonly to?: string
  readonly headers?: ReadonlyArray<readonly [string, string]>
  readonly body?: Buffer | string
  readonly contentType?: string
}

/** Makes a listening transport of the configured kind (see `nodeTransports`). */
export type UaTransportFactory = (options: UserAgentOptions, log: UaLogger) => SipTransport

/** Something a UA owns and ends on `stop()` (registrations, subscriptions, sessions). */
export interface UaDisposable {
  dispose(): Promise<void>
}

/**
 * What the UA API classes need from their {@link UserAgent}: the core, identity headers, the
 * authenticating request sender and the list of things to end on `stop()`.
 */
export interface UaContext {
  /** Listens for a lost connection (RFC 5626 flow failure). */
  on(event: 'connection-closed', listener: (connectionId: string, reason: ConnectionCloseReason) => void): unknown
  /** Stops listening. */
  off(event: 'connection-closed', listener: (connectionId: string, reason: ConnectionCloseReason) => void): unknown
  readonly options: UserAgentOptions
  readonly aor: SipUri
  readonly log: UaLogger
  readonly clock: Clock
  readonly core: UserAgentCore
  readonly contact: string
  readonly contactUri: string
  readonly fromHeader: string
  readonly registrarUri: string
  /** @internal Registers something to end on `stop()`; returns the remover. */
  track(disposable: UaDisposable): () => void
  /** The connection id of our open connection to `destination`, if any (the RFC 5626 flow). */
  flowTo(destination: Destination): string | undefined
  /** The next hop a request would take. */
  nextHopOf(request: SipRequest): Destination
  /** A new out-of-dialog request from us to `target`. */
  createRequest(method: string, target: string, init?: UaRequestInit): SipRequest
  /** Sends a request, answering digest challenges, and resolves with its final response. */
  sendRequest(request: SipRequest, options?: UaSendOptions): Promise<SipResponse>
  /** @internal Lets a Subscriber claim NOTIFYs that arrive before the 2xx to its SUBSCRIBE. */
  expectNotify(callId: string, localTag: string, handler: (request: IncomingRequest) => void): () => void
}
