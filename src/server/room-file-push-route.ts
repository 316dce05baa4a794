/**
 * Where a room's push of a stored file to a participant goes (RFC 5547 §8.2, the focus as the
 * sender). A participant registered with this server is reached on the flow of its room dialog,
 * its Contact as the Request-URI. One that is not registered here and whose room dialog came
 * from the call-out proxy's host is reached as invitees are (call-out-route.ts): an INVITE to its
 * address of record, through the proxy, which knows where it is registered. Sent to its Contact
 * instead, a proxy would take the push for a request to relay elsewhere and refuse it (Kamailio:
 * `403 Not relaying`), since the push is a new request, outside the room dialog.
 *
 * @module
 */
import type { Destination } from '../sip/transaction/transport-port.ts'
import type { PushTarget } from './room-file-push.ts'

/** The target with the Request-URI and next hop its push takes (see the module comment). */
export function pushRoute(target: PushTarget, registeredHere: boolean, callOutProxy: Destination | undefined): PushTarget {
  if (registeredHere || callOutProxy === undefined || bareHost(target.destination.host) !== bareHost(callOutProxy.host)) return target
  return { ...target, contact: target.identity, destination: callOutProxy }
}

/** Brackets off, lower case: `[::1]` and `::1` name one host. */
function bareHost(host: string): string {
  return (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase()
}
