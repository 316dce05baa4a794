/**
 * The check before the server forms a dialog from a request (INVITE, SUBSCRIBE, REFER): a
 * request that cannot form one is a client error (400), not a server fault (500).
 *
 * @module
 */

import { ParseError } from '../errors.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import { readNameAddrHeader, tagOf } from '../sip/headers/name-addr.ts'

/**
 * Answers 400 and returns false when `incoming` lacks what a dialog needs: one readable Contact
 * (RFC 3261 §8.1.1.8, §12.1.1; RFC 3515 §2.4.4 for REFER) and a From tag (§8.1.1.3).
 */
export function acceptsDialog(incoming: IncomingRequest): boolean {
  const headers = incoming.message.headers
  let problem: string | undefined
  try {
    const contact = readNameAddrHeader(headers, 'Contact')
    const from = readNameAddrHeader(headers, 'From')
    if (contact === undefined) problem = `Missing Contact: a ${incoming.method} that forms a dialog needs one (RFC 3261 §8.1.1.8)`
    else if (from === undefined || tagOf(from) === undefined) problem = 'Missing From tag (RFC 3261 §8.1.1.3)'
  } catch (error) {
    if (!(error instanceof ParseError)) throw error
    problem = `Unreadable Contact or From: ${error.message}`
  }
  if (problem === undefined) return true
  incoming.respond(400, { reason: problem.length > 100 ? 'Bad Request' : problem })
  return false
}
