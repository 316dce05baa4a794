/**
 * REGISTER handling (RFC 3261 §10.3) over the {@link Registrar} decisions, and the location
 * lookups the proxy uses: each binding remembers the connection it was registered over so a
 * request reaches a TCP/WS UA through its own connection (RFC 5626 §5.3 flow routing).
 *
 * @module
 */

import type { IncomingRequest } from '../../sip/core/incoming-request.ts'
import { destinationForUri } from '../../sip/core/routing.ts'
import { contactExpires, contactQ, readContacts } from '../../sip/headers/contact.ts'
import { readNameAddrHeader } from '../../sip/headers/name-addr.ts'
import { readCSeq } from '../../sip/headers/cseq.ts'
import { readExpires } from '../../sip/headers/scalars.ts'
import type { Destination } from '../../sip/transaction/transport-port.ts'
import { parseUri, serializeUri } from '../../sip/uri.ts'
import type { TimeSource } from '../../clock.ts'
import { Registrar, type ContactInput } from '../registrar.ts'
import { aorOf } from './identity.ts'

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

  constructor(domain: string, clock: TimeSource) {
    this.registrar = new Registrar({ clock, domains: [domain] })
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
      aor: aorOf(to.uri),
      callId: request.headers.get('Call-ID') ?? '',
      cseq: readCSeq(request.headers).seq,
      contacts,
      ...(expires === undefined ? {} : { expires }),
      ...(source.connectionId === undefined ? {} : { flow: source.connectionId }),
      source: `${source.transport} ${source.host}:${source.port}`,
    })
    if (decision.status === 200 && source.connectionId !== undefined) this.#flows.set(source.connectionId, source)
    const headers: Array<[string, string]> = []
    for (const [name, value] of Object.entries(decision.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v])
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
      try {
        out.push({ contact: b.contact, destination: destinationForUri(parseUri(b.contact)) })
      } catch {
        // A contact we cannot reach (tel:, unknown scheme): skip it.
      }
    }
    return out
  }
}
