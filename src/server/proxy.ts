/**
 * A small stateful proxy (RFC 3261 §16) between the server's local users: requests for
 * `sip:<user>@<domain>` go to the user's registered contact, over the flow it registered on.
 * Dialog-forming requests (INVITE, SUBSCRIBE, REFER) are record-routed (§16.6 step 4, doubled
 * per RFC 5658 when the two legs use different transports), so in-dialog requests pass here too.
 *
 * Out of scope, on purpose: forking (the best-q contact is tried alone), DNS (RFC 3263) and
 * foreign domains (403: this is not an open relay). Unknown or unregistered users get 404.
 *
 * @module
 */

import { destinationForUri } from '../sip/core/routing.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import { readNameAddrList } from '../sip/headers/name-addr.ts'
import { readMaxForwards } from '../sip/headers/scalars.ts'
import { readTopVia, serializeVia } from '../sip/headers/via.ts'
import { newBranch } from '../sip/ids.ts'
import type { SipMessage, SipRequest } from '../sip/message.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { parseUri, type Uri } from '../sip/uri.ts'
import { requestUriOrRespond } from './request-uri.ts'
import { identityKey, sameIdentity } from '../rooms/identity.ts'
import type { ChatServerLogger } from './options.ts'
import type { RegistrarService } from './registrar-service.ts'
import type { SipEndpoint } from './sip-endpoint.ts'

const RECORD_ROUTED = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

/** The proxy core. */
export class LocalProxy {
  readonly #sip: SipEndpoint
  readonly #registrar: RegistrarService
  readonly #domain: string
  readonly #log: ChatServerLogger

  constructor(sip: SipEndpoint, registrar: RegistrarService, domain: string, log: ChatServerLogger) {
    this.#sip = sip
    this.#registrar = registrar
    this.#domain = domain.toLowerCase()
    this.#log = log
  }

  /** True when a URI names the served domain or one of the server's addresses. */
  isLocal(uri: Uri): boolean {
    return uri.kind === 'sip' && (uri.host.toLowerCase() === this.#domain || this.#sip.isOwnAddress(uri.host, uri.port))
  }

  /** Removes the Route entries that name this server (RFC 3261 §16.4). */
  stripOwnRoutes(request: SipRequest): void {
    for (;;) {
      const first = readNameAddrList(request.headers, 'Route')[0]
      if (first === undefined || first.uri.kind !== 'sip' || !this.#sip.isOwnAddress(first.uri.host, first.uri.port ?? 5060)) return
      request.headers.shiftListElement('Route')
    }
  }

  /**
   * Forwards an out-of-dialog request to a local user: 403 foreign domain, 404 unknown/unregistered.
   * Refusals are stateless (one datagram, no Timer G retransmission to a possibly forged source).
   */
  forward(incoming: IncomingRequest): void {
    const request = incoming.message
    const target = requestUriOrRespond(incoming)
    if (target === undefined) return
    if (readNameAddrList(request.headers, 'Route').length > 0) {
      // A further hop the client chose (strict routing is not supported): we only serve our domain.
      incoming.respond(403, { reason: 'Not a relay for other hops', stateless: true })
      return
    }
    if (!this.isLocal(target)) {
      incoming.respond(403, { reason: `Not a relay for ${target.kind === 'sip' ? target.host : 'that URI'}`, stateless: true })
      return
    }
    const locations = this.#registrar.locate(identityKey(target))
    const location = locations[0]
    if (location === undefined) {
      incoming.respond(404, { reason: 'User not registered here', stateless: true })
      return
    }
    this.#relay(incoming, location.contact, location.destination)
  }

  /**
   * Forwards a request unchanged (same Request-URI) to another node of the cluster at `node`
   * (its SIP URI), record-routing dialog-forming requests so the dialog's later requests pass
   * here too.
   */
  forwardToNode(incoming: IncomingRequest, node: string, options: { retryAfterS?: number } = {}): void {
    let destination: Destination
    try {
      destination = destinationForUri(parseUri(node))
    } catch {
      incoming.respond(500, { reason: 'Bad cluster node address' })
      return
    }
    // An owner that does not answer is a room moving to another node, not a failure of this one:
    // 480 with Retry-After (the lease time), so a dispatcher in front does not mark this node down.
    this.#relay(incoming, incoming.message.uri, destination, { status: 480, reason: 'Room moving to another node', retryAfterS: options.retryAfterS ?? 5 })
  }

  /**
   * Forwards an in-dialog request for a dialog this server is not a party to (it record-routed
   * the dialog): strip our Route, then the next Route or the Request-URI is the next hop.
   */
  forwardInDialog(incoming: IncomingRequest): boolean {
    const request = incoming.message
    const routes = readNameAddrList(request.headers, 'Route')
    const first = routes[0]
    if (first === undefined || first.uri.kind !== 'sip' || !this.#sip.isOwnAddress(first.uri.host, first.uri.port ?? 5060)) return false
    this.stripOwnRoutes(request)
    let destination: Destination
    try {
      destination = this.#nextHop(request)
    } catch {
      incoming.respond(404)
      return true
    }
    this.#relay(incoming, request.uri, destination)
    return true
  }

  /**
   * Takes what the UA core would refuse as a UA: responses with several Vias (answers to
   * requests this proxy forwarded, matched to its client transactions, RFC 3261 §16.7) and ACKs
   * for 2xx of dialogs it record-routed (forwarded statelessly, §16.11).
   */
  intercept(message: SipMessage, source: Destination): boolean {
    if (message.kind === 'response') {
      if (message.headers.getList('Via').length < 2) return false
      const top = readTopVia(message.headers)
      if (!this.#sip.isOwnAddress(top.host, top.port ?? 5060)) return true // not ours: drop (§16.7)
      if (!this.#sip.core.transactions.receiveResponse(message)) this.#log.debug('stray forwarded response dropped')
      return true
    }
    if (message.method !== 'ACK') return false
    const core = this.#sip.core
    if (core.transactions.findServer(message) !== undefined || core.findDialog(message) !== undefined) return false
    const first = readNameAddrList(message.headers, 'Route')[0]
    if (first === undefined || first.uri.kind !== 'sip' || !this.#sip.isOwnAddress(first.uri.host, first.uri.port ?? 5060)) return false
    this.stripOwnRoutes(message)
    try {
      const destination = this.#nextHop(message)
      this.#prepareForward(message, destination, source)
      core.sendStateless(message, destination).catch((error: unknown) => this.#log.debug(`ACK forward failed: ${String(error)}`))
    } catch (error) {
      this.#log.debug(`ACK dropped: ${String(error)}`)
    }
    return true
  }

  #nextHop(request: SipRequest): Destination {
    const route = readNameAddrList(request.headers, 'Route')[0]
    if (route !== undefined) return destinationForUri(route.uri)
    const target = parseUri(request.uri)
    // A contact registered here goes back over its flow.
    if (target.kind === 'sip') {
      for (const location of this.#registrar.locate(identityKey(target))) {
        if (sameIdentity(location.contact, request.uri) || location.contact === request.uri) return location.destination
      }
    }
    return destinationForUri(target)
  }

  /** Max-Forwards, Via (and Record-Route): what a proxy adds before sending (§16.6). Throws on 483. */
  #prepareForward(request: SipRequest, destination: Destination, source: Destination): void {
    const maxForwards = readMaxForwards(request.headers) ?? 70
    if (maxForwards <= 0) throw Object.assign(new Error('Too many hops'), { status: 483 })
    request.headers.set('Max-Forwards', String(maxForwards - 1))
    const out = this.#sip.sentBy(destination.transport)
    if (out === undefined) throw new Error(`no ${destination.transport} transport to reach ${destination.host}:${destination.port}`)
    if (RECORD_ROUTED.has(request.method) && !hasToTag(request)) {
      const inbound = this.#sip.sentBy(source.transport)
      // RFC 5658: one entry per side when the transports differ; the UAS sees the outbound one first.
      if (inbound !== undefined && source.transport.toUpperCase() !== destination.transport.toUpperCase()) request.headers.prepend('Record-Route', `<sip:${inbound.host}:${inbound.port};transport=${source.transport.toLowerCase()};lr>`)
      request.headers.prepend('Record-Route', `<sip:${out.host}:${out.port};transport=${destination.transport.toLowerCase()};lr>`)
    }
    request.headers.prepend('Via', serializeVia({ protocolName: 'SIP', protocolVersion: '2.0', transport: destination.transport.toUpperCase(), host: out.host, port: out.port, branch: newBranch(), rport: true, params: new Map() }))
  }

  #relay(incoming: IncomingRequest, targetUri: string, destination: Destination, unreachable?: { status: number; reason: string; retryAfterS: number }): void {
    const original = incoming.message
    const request: SipRequest = { kind: 'request', method: original.method, uri: targetUri, version: original.version, headers: original.headers.clone(), body: original.body }
    try {
      this.#prepareForward(request, destination, incoming.source)
    } catch (error) {
      const status = (error as { status?: number }).status ?? 503
      incoming.respond(status)
      return
    }
    const core = this.#sip.core
    let answered = false
    try {
      core.transactions.sendRequest(request, destination, {
        onResponse: (response) => {
          if (response.status === 100) return // hop by hop (§16.7 step 5)
          const forwarded = { ...response, headers: response.headers.clone() }
          forwarded.headers.shiftListElement('Via')
          if (response.status >= 200) answered = true
          incoming.transaction?.respond(forwarded)
        },
        onFailure: (error) => {
          if (!answered && !incoming.answered) {
            if (unreachable !== undefined) incoming.respond(unreachable.status, { reason: unreachable.reason, headers: [['Retry-After', String(unreachable.retryAfterS)]] })
            else incoming.respond(error.status === 408 ? 408 : 503)
          }
          answered = true
        },
      })
    } catch (error) {
      this.#log.debug(`forwarding ${original.method} failed: ${String(error)}`)
      if (unreachable !== undefined) incoming.respond(unreachable.status, { reason: unreachable.reason, headers: [['Retry-After', String(unreachable.retryAfterS)]] })
      else incoming.respond(503)
      return
    }
    if (original.method === 'INVITE') incoming.onCancel(() => core.cancel(request))
  }
}

function hasToTag(request: SipRequest): boolean {
  return /;\s*tag=/i.test(request.headers.get('To') ?? '')
}
