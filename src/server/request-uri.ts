/**
 * The Request-URI of an incoming request, parsed once for the server's dispatch and its proxy.
 *
 * @module
 */

import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import { parseUri, type Uri } from '../sip/uri.ts'

/**
 * Parses the request's Request-URI; when it does not parse, answers 416 (Unsupported URI
 * Scheme, RFC 3261 §8.2.2.1: the UAS cannot process it) and returns undefined.
 */
export function requestUriOrRespond(incoming: IncomingRequest): Uri | undefined {
  try {
    return parseUri(incoming.message.uri)
  } catch {
    incoming.respond(416)
    return undefined
  }
}
