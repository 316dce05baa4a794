/**
 * How the MSRP layer opens a connection to a first hop it names by URI (RFC 6135 active role).
 * The layer does not know sockets: whoever creates the stack passes a dialer — `dialMsrp` from
 * `node-dial.ts` on Node (TCP/TLS), an in-memory one in tests, or one over a WebSocket
 * (RFC 7977) in a browser.
 *
 * @module
 */
import type { MsrpConnection, MsrpConnectionOptions } from './connection.ts'
import { MsrpClosedError } from './errors.ts'
import type { MsrpUri } from './uri.ts'

/** Opens the MSRP connection to `firstHop`; this side is the active one. */
export type MsrpDial = (firstHop: MsrpUri, options: MsrpConnectionOptions) => Promise<MsrpConnection>

/** The error for a caller that needs to dial but was given no dialer. */
export function noDialError(what: string): MsrpClosedError {
  return new MsrpClosedError(
    'MSRP_NO_DIALER',
    `${what} needs to open an MSRP connection but has no dialer: pass { connection } or { dial } ` +
      '(dialMsrp from msrp-bot/msrp on Node, or a WebSocket dialer in a browser)',
  )
}
