/** fast-check generators of SIP messages shared by the codec property tests. */
import fc from 'fast-check'
import { SipHeaders } from '../../src/sip/header-list.ts'
import type { SipMessage } from '../../src/sip/message.ts'

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9\-.!%*_+`'~]{0,10}$/)
const host = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,8}\.(com|net|test)$/), fc.ipV4())
const uri = fc.tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), host).map(([u, h]) => `sip:${u}@${h}`)
// Printable ASCII and UTF-8 text with no leading/trailing white space (values are trimmed).
const text = fc
  .string({ unit: fc.oneof(fc.constantFrom(...'abcXYZ019 ;,=<>"\\/:@'.split('')), fc.constantFrom('é', '大', '€')), maxLength: 30 })
  .map((s) => s.trim())

/** A SIP message with the mandatory headers, some extension headers and a random body. */
export const sipMessageArb: fc.Arbitrary<SipMessage> = fc
  .record({
    request: fc.boolean(),
    method: fc.oneof(fc.constantFrom('INVITE', 'MESSAGE', 'OPTIONS', 'BYE'), token),
    uri,
    status: fc.integer({ min: 100, max: 699 }),
    reason: text,
    from: uri,
    to: uri,
    tag: token,
    callId: fc.stringMatching(/^[A-Za-z0-9\-.]{1,20}(@[a-z0-9.]{1,10})?$/),
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    vias: fc.array(fc.tuple(fc.constantFrom('UDP', 'TCP', 'TLS', 'WS'), host, token), { minLength: 1, maxLength: 3 }),
    extra: fc.array(fc.tuple(fc.stringMatching(/^X-[A-Za-z0-9\-]{1,10}$/), text), { maxLength: 4 }),
    body: fc.uint8Array({ maxLength: 300 }),
  })
  .map((r): SipMessage => {
    const headers = new SipHeaders()
    for (const [transport, h, branch] of r.vias) headers.append('Via', `SIP/2.0/${transport} ${h};branch=z9hG4bK${branch}`)
    headers.append('From', `<${r.from}>;tag=${r.tag}`)
    headers.append('To', `<${r.to}>`)
    headers.append('Call-ID', r.callId)
    headers.append('CSeq', `${r.seq} ${r.method}`)
    if (r.request) headers.append('Max-Forwards', '70')
    for (const [name, value] of r.extra) headers.append(name, value)
    if (r.body.length > 0) headers.append('Content-Type', 'application/octet-stream')
    headers.append('Content-Length', String(r.body.length))
    const body = Buffer.from(r.body)
    return r.request
      ? { kind: 'request', method: r.method, uri: r.uri, version: 'SIP/2.0', headers, body }
      : { kind: 'response', status: r.status, reason: r.reason, version: 'SIP/2.0', headers, body }
  })

/** A comparable plain form of a message. */
export function plain(m: SipMessage): unknown {
  const head = m.kind === 'request' ? { method: m.method, uri: m.uri } : { status: m.status, reason: m.reason }
  return { kind: m.kind, ...head, version: m.version, headers: [...m.headers].map((f) => [f.name, f.value]), body: m.body.toString('hex') }
}
