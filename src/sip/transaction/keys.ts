import { readCSeq } from '../headers/cseq.ts'
import { readNameAddrHeader, tagOf } from '../headers/name-addr.ts'
import { hasRfc3261Branch, readTopVia } from '../headers/via.ts'
import type { SipRequest, SipResponse } from '../message.ts'

/**
 * Transaction matching keys (RFC 3261 §17.1.3, §17.2.3).
 */

/** Key of a client transaction: top Via branch + CSeq method (§17.1.3). */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`
}

/** The client key a response matches; undefined when its top Via has no branch. */
export function clientKeyOfResponse(response: SipResponse): string | undefined {
  const branch = readTopVia(response.headers).branch
  if (branch === undefined) return undefined
  return clientKey(branch, readCSeq(response.headers).method)
}

/**
 * Key of the server transaction a request belongs to (§17.2.3). With an RFC 3261 branch:
 * branch + sent-by + method (ACK counts as INVITE). Without (RFC 2543 peers, RFC 4475 badbranch):
 * Request-URI, From tag, Call-ID, CSeq number, top Via and method; the To tag is compared
 * separately by {@link toTagMatches2543} because an ACK carries the tag of our response.
 * `asMethod` overrides the method (CANCEL looks up the INVITE it cancels, §9.2).
 */
export function serverKey(request: SipRequest, asMethod?: string): string {
  const via = readTopVia(request.headers)
  const method = asMethod ?? (request.method === 'ACK' ? 'INVITE' : request.method)
  if (hasRfc3261Branch(via.branch)) {
    return flat(`3261|${via.branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${method}`)
  }
  const from = readNameAddrHeader(request.headers, 'From')
  const cseq = readCSeq(request.headers)
  const topVia = request.headers.getList('Via')[0] ?? ''
  return flat(`2543|${request.uri}|${from ? tagOf(from) ?? '' : ''}|${request.headers.get('Call-ID') ?? ''}|${cseq.seq}|${topVia}|${method}`)
}

/**
 * Returns `key` flattened. A key built from pieces is a rope over slices of the parsed request;
 * held for Timer J (32 s on UDP) it would keep those alive. Reading a character makes V8 copy
 * the rope into one string and drop the pieces.
 */
export function flat(key: string): string {
  key.charCodeAt(0)
  return key
}

/** Whether a key was built by the RFC 2543 fallback. */
export function isRfc2543Key(key: string): boolean {
  return key.startsWith('2543|')
}

/** The To tag of a message, or undefined. */
export function toTagOf(message: SipRequest | SipResponse): string | undefined {
  const to = readNameAddrHeader(message.headers, 'To')
  return to ? tagOf(to) : undefined
}

/**
 * RFC 3261 §17.2.3 (2543 part): a retransmission carries the original request's To tag; an ACK
 * carries the To tag of the response the transaction sent.
 */
export function toTagMatches2543(incoming: SipRequest, original: SipRequest, lastResponse: SipResponse | undefined): boolean {
  const tag = toTagOf(incoming)
  if (incoming.method === 'ACK' && original.method === 'INVITE') {
    const sent = lastResponse ? toTagOf(lastResponse) : toTagOf(original)
    return tag === sent
  }
  return tag === toTagOf(original)
}
