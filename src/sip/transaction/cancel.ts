import { SipHeaders } from '../header-list.ts'
import type { SipRequest } from '../message.ts'

/**
 * Builds the CANCEL for a pending INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, To, From,
 * CSeq number (method CANCEL) and Route headers, and a single Via equal to the INVITE's top Via
 * (same branch, so the server matches it to the INVITE, §9.2). No body.
 */
export function buildCancel(invite: SipRequest, reason?: string): SipRequest {
  const h = new SipHeaders()
  const topVia = invite.headers.getList('Via')[0]
  if (topVia !== undefined) h.append('Via', topVia)
  h.append('Max-Forwards', invite.headers.get('Max-Forwards') ?? '70')
  for (const route of invite.headers.getAllLines('Route')) h.append('Route', route)
  for (const name of ['From', 'To', 'Call-ID']) {
    const v = invite.headers.get(name)
    if (v !== undefined) h.append(name, v)
  }
  const seq = (invite.headers.get('CSeq') ?? '0').trim().split(/\s+/)[0] ?? '0'
  h.append('CSeq', `${seq} CANCEL`)
  // RFC 3326: why it was cancelled, e.g. 'SIP;cause=200;text="Call completed elsewhere"'.
  if (reason !== undefined) h.append('Reason', reason)
  h.append('Content-Length', '0')
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, version: 'SIP/2.0', headers: h, body: Buffer.alloc(0) }
}
