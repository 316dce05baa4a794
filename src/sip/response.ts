import { SipHeaders } from './header-list.ts'
import type { SipRequest, SipResponse } from './message.ts'
import { parseNameAddr, tagOf } from './headers/name-addr.ts'

/** Default reason phrases (RFC 3261 §21 and later RFCs). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  410: 'Gone', 412: 'Conditional Request Failed', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long',
  415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme', 420: 'Bad Extension', 421: 'Extension Required',
  423: 'Interval Too Brief', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending', 493: 'Undecipherable',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
}

/** Options for {@link createResponse}. */
export interface ResponseOptions {
  /** Reason phrase (default: the standard one for the code). */
  readonly reason?: string
  /** To tag to add when the request's To has none (not added to 100 Trying, §8.2.6.2). */
  readonly toTag?: string
  /** Extra header fields, appended in order. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
  /** Body; give its Content-Type in `headers`. */
  readonly body?: Buffer
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

/**
 * Builds a response to `request` as RFC 3261 §8.2.6 says: Via (all, in order), From, Call-ID,
 * CSeq copied; To copied with `toTag` added when it has none; Timestamp copied into 100;
 * Record-Route copied into 101..299 responses to dialog-creating requests (§12.1.1).
 */
export function createResponse(request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
  const h = new SipHeaders()
  for (const via of request.headers.getAllLines('Via')) h.append('Via', via)
  const from = request.headers.get('From')
  if (from !== undefined) h.append('From', from)
  const to = request.headers.get('To')
  if (to !== undefined) {
    let value = to
    if (status > 100 && options.toTag !== undefined) {
      // Appending keeps the peer's spelling; after a name-addr or an addr-spec, ";tag=" is a header parameter.
      let hasTag = false
      try {
        hasTag = tagOf(parseNameAddr(to, 'To')) !== undefined
      } catch {
        hasTag = /;\s*tag\s*=/i.test(to)
      }
      if (!hasTag) value = `${to};tag=${options.toTag}`
    }
    h.append('To', value)
  }
  const callId = request.headers.get('Call-ID')
  if (callId !== undefined) h.append('Call-ID', callId)
  const cseq = request.headers.get('CSeq')
  if (cseq !== undefined) h.append('CSeq', cseq)
  if (status === 100) {
    const ts = request.headers.get('Timestamp')
    if (ts !== undefined) h.append('Timestamp', ts)
  }
  if (status > 100 && status < 300 && DIALOG_CREATING.has(request.method)) {
    for (const rr of request.headers.getAllLines('Record-Route')) h.append('Record-Route', rr)
  }
  for (const [name, value] of options.headers ?? []) h.append(name, value)
  return {
    kind: 'response',
    status,
    reason: options.reason ?? REASON_PHRASES[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'OK' : 'Error'),
    version: 'SIP/2.0',
    headers: h,
    body: options.body ?? Buffer.alloc(0),
  }
}
