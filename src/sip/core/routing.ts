import type { NameAddr } from '../headers/name-addr.ts'
import type { Via } from '../headers/via.ts'
import type { Destination } from '../transaction/transport-port.ts'
import { type SipUri, type Uri, hostForSocket, parseSipUri, serializeUri } from '../uri.ts'
import { MsrpBotError } from '../../errors.ts'

/**
 * Where messages go: the next hop of a request (RFC 3261 §8.1.2, without RFC 3263 DNS: the
 * URI's host, port and transport are used as they stand) and the return path of a response
 * (§18.2.2, RFC 3581).
 */

/** Thrown when a request's target cannot be reached by this UA (tel:, unknown schemes ...). */
export class UnroutableRequestError extends MsrpBotError {}

/**
 * The destination for a URI: `maddr` over host, explicit port or 5060 (5061 for sips / TLS),
 * transport from the `transport` parameter, else TLS for sips, else `defaultTransport`.
 */
export function destinationForUri(uri: Uri, defaultTransport = 'UDP'): Destination {
  if (uri.kind !== 'sip') {
    throw new UnroutableRequestError('SIP_UNROUTABLE', `cannot send a request to a ${uri.kind === 'tel' ? 'tel' : uri.scheme} URI directly; configure an outbound proxy that handles it`)
  }
  const param = uri.params.get('transport')
  const transport = typeof param === 'string' ? param.toUpperCase() : uri.scheme === 'sips' ? 'TLS' : defaultTransport.toUpperCase()
  const maddr = uri.params.get('maddr')
  const secure = uri.scheme === 'sips' || transport === 'TLS' || transport === 'WSS'
  return { host: hostForSocket(typeof maddr === 'string' ? maddr : uri.host), port: uri.port ?? (secure ? 5061 : 5060), transport }
}

/**
 * The outbound proxy as a loose-routing Route entry (RFC 3261 §8.1.2: the outbound proxy is
 * always the next hop). A configured `sip:proxy.example.com` without `;lr` would otherwise be
 * taken for a strict router and skipped by {@link nextHop}; `lr` is added so it never is.
 * Throws ParseError when `proxy` is no SIP URI.
 */
export function outboundProxyRoute(proxy: string): SipUri {
  const trimmed = proxy.trim()
  const uri = parseSipUri(trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed)
  if (!uri.params.has('lr')) uri.params.set('lr', null)
  return uri
}

/** `<sip:proxy;lr>`: the Route header value of {@link outboundProxyRoute}. */
export function outboundProxyRouteHeader(proxy: string): string {
  return `<${serializeUri(outboundProxyRoute(proxy))}>`
}

/**
 * The next hop of an out-of-dialog or in-dialog request (§8.1.2): the first Route when it is a
 * loose router (`lr`), else the Request-URI (a strict router already sits in the Request-URI).
 */
export function nextHop(requestUri: Uri, routes: readonly NameAddr[], defaultTransport = 'UDP'): Destination {
  const first = routes[0]
  if (first && first.uri.kind === 'sip' && first.uri.params.has('lr')) return destinationForUri(first.uri, defaultTransport)
  return destinationForUri(requestUri, defaultTransport)
}

/**
 * Where the responses of a server transaction go (RFC 3261 §18.2.2, RFC 3581 §4): back over the
 * same connection on reliable transports; else to `maddr`; else to `received` (the source
 * address, stamped on arrival) at `rport` when the client asked for it, else the sent-by port.
 */
export function responseDestination(via: Via, source: Destination, reliable: boolean): Destination {
  if (reliable) return source
  if (via.maddr !== undefined) return { host: hostForSocket(via.maddr), port: via.port ?? 5060, transport: via.transport }
  const host = hostForSocket(via.received ?? via.host)
  const port = typeof via.rport === 'number' ? via.rport : (via.port ?? 5060)
  return { host, port, transport: via.transport }
}

/**
 * Stamps `received` and `rport` on the top Via of an incoming request (§18.2.1, RFC 3581 §4):
 * `received` when the sent-by host differs from the source address or the client asked for
 * `rport`; `rport` gets the source port when present. Returns whether anything changed.
 */
export function stampVia(via: Via, source: Destination): boolean {
  let changed = false
  const sourceHost = source.host
  if (via.rport !== undefined) {
    via.rport = source.port
    via.received = sourceHost
    changed = true
  } else if (hostForSocket(via.host).toLowerCase() !== sourceHost.toLowerCase()) {
    via.received = sourceHost
    changed = true
  }
  return changed
}
