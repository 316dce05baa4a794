/**
 * Where the focus calls invitees this server does not know (RFC 4579 §5.5 call-outs): through
 * the domain's SIP proxy, which knows where they are registered. The INVITE's Request-URI is the
 * invitee's address of record; the proxy routes it on.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { parseSipUri } from '../sip/uri.ts'

/**
 * The next hop of call-outs to invitees not registered here, from a proxy URI such as
 * `sip:127.0.0.1:5060;transport=tcp` (default port 5060, transport UDP). Throws
 * SERVER_CALL_OUT_PROXY when the URI is no `sip:` URI with a host.
 */
export function callOutProxyDestination(proxy: string): Destination {
  let uri
  try {
    uri = parseSipUri(proxy)
  } catch (error) {
    throw new MsrpBotError('SERVER_CALL_OUT_PROXY', `callOutProxy ${JSON.stringify(proxy)} is no SIP URI (${(error as Error).message}); write it as sip:host:port;transport=tcp`)
  }
  if (uri.scheme !== 'sip') throw new MsrpBotError('SERVER_CALL_OUT_PROXY', `callOutProxy ${proxy}: only sip: proxies are supported; write it as sip:host:port;transport=tcp`)
  const transport = (uri.params.get('transport') ?? 'udp').toUpperCase()
  if (transport !== 'UDP' && transport !== 'TCP') throw new MsrpBotError('SERVER_CALL_OUT_PROXY', `callOutProxy ${proxy}: transport must be udp or tcp (got ${transport.toLowerCase()})`)
  const host = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host
  return { host, port: uri.port ?? 5060, transport }
}
