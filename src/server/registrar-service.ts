/**
 * REGISTER handling (RFC 3261 §10.3) over the {@link Registrar} decisions, and the location
 * lookups the proxy uses: each binding remembers the connection it was registered over so a
 * request reaches a TCP/WS UA through its own connection (RFC 5626 §5.3 flow routing).
 *
 * @module
 */

import { identityKey } from '../rooms/identity.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import { destinationForUri } from '../sip/core/routing.ts'
import { contactExpires, contactQ, readContacts } from '../sip/headers/contact.ts'
import { readNameAddrHeader } from '../sip/headers/name-addr.ts'
import { readCSeq } from '../sip/headers/cseq.ts'
import { readExpires } from '../sip/headers/scalars.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { hostForSocket, parseUri, serializeUri } from '../sip/uri.ts'
import { serializeSipMessage } from '../sip/serializer.ts'
import type { TimeSource } from '../clock.ts'
import { Registrar, type ContactInput, type RegistrarOptions } from './core/registrar.ts'

/** Contact bytes a 200 over UDP may always carry, however small the REGISTER (one typical binding). */
export const UDP_CONTACT_MIN_BYTES = 300

/** Where to send a request for a registered user. */
export interface Location {
  readonly contact: string
  readonly destination: Destination
}

/** Registrar + location service for one domain. */
export class RegistrarService {
  readonly registrar: Registrar
  /** Flow id (connection id) → the source it was registered from. */
  readonly #flows = new Map<string, Destination>()

  /** `limits`: the registrar's caps (see REGISTRAR_LIMITS for the defaults). */
  constructor(domain: string, clock: TimeSource, limits: Pick<RegistrarOptions, 'maxContactsPerAor' | 'maxBindings' | 'maxContactLength'> = {}) {
    this.registrar = new Registrar({ clock, domains: [domain], ...limits })
  }

  /** Answers a REGISTER whose sender is already authenticated. */
  handle(incoming: IncomingRequest): void {
    const request = incoming.message
    const to = readNameAddrHeader(request.headers, 'To')
    if (to === undefined) {
      incoming.respond(400, { reason: 'Missing To' })
      return
    }
    const list = readContacts(request.headers)
    let contacts: '*' | ContactInput[]
    if (list === '*') contacts = '*'
    else {
      contacts = list.map((c) => {
        const input: { uri: string; expires?: number; q?: number; instanceId?: string; regId?: number } = { uri: serializeUri(c.uri) }
        const expires = contactExpires(c)
        if (expires !== undefined) input.expires = expires
        const q = contactQ(c)
        if (q !== undefined) input.q = q
        const instance = c.params.get('+sip.instance')
        if (typeof instance === 'string') input.instanceId = instance.replace(/^"|"$/g, '')
        const regId = c.params.get('reg-id')
        if (typeof regId === 'string' && /^\d+$/.test(regId)) input.regId = Number(regId)
        return input
      })
    }
    const source = incoming.source
    const expires = readExpires(request.headers)
    const decision = this.registrar.register({
      aor: identityKey(to.uri),
      callId: request.headers.get('Call-ID') ?? '',
      cseq: readCSeq(request.headers).seq,
      contacts,
      ...(expires === undefined ? {} : { expires }),
      ...(source.connectionId === undefined ? {} : { flow: source.connectionId }),
      source: `${source.transport} ${source.host.includes(':') && !source.host.startsWith('[') ? `[${source.host}]` : source.host}:${source.port}`,
    })
    if (decision.status === 200 && source.connectionId !== undefined) this.#flows.set(source.connectionId, source)
    const headers: Array<[string, string]> = []
    // Over UDP the 200 lists no more Contact bytes than the request carried (at least
    // UDP_CONTACT_MIN_BYTES): a small spoofed query must not fetch a large answer (RFC 3261
    // §18.1.1 keeps datagrams small; issue 16 item 5). The best bindings (highest q) come first.
    let contactBudget = source.transport.toUpperCase() === 'UDP' ? Math.max(UDP_CONTACT_MIN_BYTES, serializeSipMessage(request).length) : Number.POSITIVE_INFINITY
    for (const [name, value] of Object.entries(decision.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (name === 'Contact') {
          contactBudget -= v.length + 11
          if (contactBudget < 0) continue
        }
        headers.push([name, v])
      }
    }
    incoming.respond(decision.status, { reason: decision.reason, headers })
  }

  /** Drops the bindings registered over a connection that closed (RFC 5626 §5.3). */
  connectionClosed(connectionId: string): void {
    this.registrar.removeFlow(connectionId)
    this.#flows.delete(connectionId)
  }

  /** Where requests for `aor` go: its bindings, best q first; empty when not registered. */
  locate(aor: string): Location[] {
    const bindings = [...this.registrar.lookup(aor)].sort((a, b) => (b.q ?? 1) - (a.q ?? 1))
    const out: Location[] = []
    for (const b of bindings) {
      const flow = b.flow === undefined ? undefined : this.#flows.get(b.flow)
      if (flow !== undefined) {
        out.push({ contact: b.contact, destination: flow })
        continue
      }
      // Registered over UDP: requests go back to the address the REGISTER came from, never to a
      // host the Contact merely names (a third party; RFC 3581 received/rport, issue 16 item 5).
      const udpSource = b.source === undefined ? undefined : parseUdpSource(b.source)
      if (udpSource !== undefined) {
        out.push({ contact: b.contact, destination: udpSource })
        continue
      }
      try {
        out.push({ contact: b.contact, destination: destinationForUri(parseUri(b.contact)) })
      } catch {
        // A contact we cannot reach (tel:, unknown scheme): skip it.
      }
    }
    return out
  }
}

/** The destination of a binding's `source` (`UDP host:port`, as {@link RegistrarService.handle} writes it), when it is UDP. */
function parseUdpSource(source: string): Destination | undefined {
  const m = /^udp (\[[^\]]+\]|[^\s:]+):(\d+)$/i.exec(source)
  return m === null ? undefined : { transport: 'UDP', host: hostForSocket(m[1]!), port: Number(m[2]) }
}
