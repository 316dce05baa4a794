/** fast-check generators for MSRP URIs and frames, shared by the codec property tests. */
import fc from 'fast-check'
import type { ExtensionHeader, MsrpFrame, MsrpHeaders } from '../../src/msrp/message.ts'
import type { MsrpUri } from '../../src/msrp/uri.ts'

const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split(''))
const identChar = fc.constantFrom(...'abcXYZ0189.-+%='.split(''))

/** A transaction id / Message-ID (`ident`, RFC 4975 §9). */
export const ident = fc
  .tuple(alnum, fc.array(fc.oneof(alnum, identChar), { minLength: 3, maxLength: 31 }))
  .map(([first, rest]) => first + rest.join(''))

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.')),
  fc.constantFrom('::1', '2001:db8::7', 'fe80::1:2', '::ffff:192.0.2.1'),
)

/** An MSRP URI in canonical form (lower-case scheme). */
export const msrpUri: fc.Arbitrary<MsrpUri> = fc
  .record({
    scheme: fc.constantFrom('msrp' as const, 'msrps' as const),
    user: fc.option(fc.stringMatching(/^[a-z0-9._~%!$&'()*+,;=:-]{1,8}$/).filter((u) => !/%(?![0-9A-Fa-f]{2})/.test(u)), { nil: undefined }),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    sessionId: fc.option(fc.stringMatching(/^[A-Za-z0-9\-._~+=/]{1,16}$/), { nil: undefined }),
    transport: fc.constantFrom('tcp', 'ws', 'TCP', 'sctp'),
    params: fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,5}$/), fc.option(fc.stringMatching(/^[a-z0-9]{1,5}$/), { nil: undefined })), { maxLength: 2 }),
  })
  .map((r) => {
    const uri: Record<string, unknown> = { scheme: r.scheme, host: r.host, transport: r.transport, params: r.params }
    if (r.user !== undefined) uri['user'] = r.user
    if (r.port !== undefined) uri['port'] = r.port
    if (r.sessionId !== undefined) uri['sessionId'] = r.sessionId
    return uri as unknown as MsrpUri
  })

/** Header text: printable, no edge whitespace. */
const text = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/)
const path = fc.array(msrpUri, { minLength: 1, maxLength: 3 })

const optionalHeaders = fc.record(
  {
    'Message-ID': ident,
    'Byte-Range': fc.record({
      start: fc.integer({ min: 1, max: 1e9 }),
      end: fc.oneof(fc.nat(1e9), fc.constant('*' as const)),
      total: fc.oneof(fc.nat(1e9), fc.constant('*' as const)),
    }, { noNullPrototype: true }),
    'Success-Report': fc.constantFrom('yes' as const, 'no' as const),
    'Failure-Report': fc.constantFrom('yes' as const, 'no' as const, 'partial' as const),
    Status: fc.record(
      { namespace: fc.constant(0), code: fc.integer({ min: 100, max: 999 }), comment: text },
      { requiredKeys: ['namespace', 'code'], noNullPrototype: true },
    ),
    'Use-Nickname': fc.stringMatching(/^[ -~]{0,16}$/),
    'Use-Path': path,
    Expires: fc.nat(1e6),
    'Min-Expires': fc.nat(1e6),
    'Max-Expires': fc.nat(1e6),
    'WWW-Authenticate': text,
    Authorization: text,
    'Authentication-Info': text,
    'Content-ID': text,
    'Content-Description': text,
    'Content-Disposition': text,
    'Content-Type': text,
  },
  { requiredKeys: [] },
)

const extension: fc.Arbitrary<ExtensionHeader> = fc.record({
  name: fc.stringMatching(/^(X|Content)-[A-Za-z]{1,8}$/).filter((n) => !['content-id', 'content-type'].includes(n.toLowerCase())),
  value: text,
}, { noNullPrototype: true })

const body = fc.option(
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.string({ maxLength: 100, unit: 'grapheme' }).map((s) => new TextEncoder().encode(s)),
  ).map((b) => Buffer.from(b)),
  { nil: undefined },
)

/** An MSRP request or response as the parser would return it. */
export const msrpFrame: fc.Arbitrary<MsrpFrame> = fc
  .record({
    transactionId: ident,
    request: fc.boolean(),
    method: fc.oneof(fc.constantFrom('SEND', 'REPORT', 'NICKNAME', 'AUTH'), fc.stringMatching(/^[A-Z]{1,10}$/)),
    status: fc.integer({ min: 100, max: 999 }),
    comment: fc.option(fc.stringMatching(/^[ -~]{0,20}$/), { nil: undefined }),
    toPath: path,
    fromPath: path,
    optional: optionalHeaders,
    extensionHeaders: fc.array(extension, { maxLength: 3 }),
    body,
    continuation: fc.constantFrom('$' as const, '+' as const, '#' as const),
  })
  .map((r) => {
    const headers = { 'To-Path': r.toPath, 'From-Path': r.fromPath, ...r.optional } as MsrpHeaders
    // The serializer writes Content-* extension headers in the MIME block (RFC 4975 §9), so the
    // canonical order has them after the others.
    const isMime = (h: ExtensionHeader) => /^content-/i.test(h.name)
    const extensionHeaders = [...r.extensionHeaders.filter((h) => !isMime(h)), ...r.extensionHeaders.filter(isMime)]
    const base = { transactionId: r.transactionId, headers, extensionHeaders, continuation: r.continuation }
    const frame: MsrpFrame = r.request
      ? { type: 'request', method: r.method, ...base }
      : { type: 'response', status: r.status, ...base }
    if (frame.type === 'response' && r.comment !== undefined) frame.comment = r.comment
    if (r.body !== undefined) frame.body = r.body
    return frame
  })

/** Splits `bytes` at the given fractional cut points. */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * (bytes.length + 1))))].sort((a, b) => a - b)
  const parts: Buffer[] = []
  let prev = 0
  for (const p of points) {
    if (p > prev && p < bytes.length) {
      parts.push(bytes.subarray(prev, p))
      prev = p
    }
  }
  parts.push(bytes.subarray(prev))
  return parts
}
