import { ParseError } from '../errors.ts'
import { clip, isToken } from './grammar.ts'
import { SipHeaders, trimLws } from './header-list.ts'
import { parseContactList } from './headers/contact.ts'
import { parseCSeq } from './headers/cseq.ts'
import { parseContentType } from './headers/media-type.ts'
import { parseNameAddr, parseNameAddrList } from './headers/name-addr.ts'
import { parseCallId, parseContentLength, parseDeltaSeconds, parseMaxForwards, parseSipDate } from './headers/scalars.ts'
import { parseViaList } from './headers/via.ts'
import type { SipMessage, SipRequest, SipResponse } from './message.ts'
import { parseUri } from './uri.ts'

/** Options for {@link parseSipMessage}. */
export interface SipParseOptions {
  /**
   * The bytes are one UDP datagram (RFC 3261 §18.3): Content-Length decides where the body
   * ends and extra octets are dropped (RFC 4475 dblreq); without Content-Length the body runs
   * to the end of the datagram. Stream messages arrive already cut by SipStreamFramer.
   */
  readonly datagram?: boolean
  /**
   * Also reject requests lacking To, From, Call-ID or Max-Forwards (RFC 3261 §8.1.1). Off by
   * default: a UAS must still answer such a request with 400 (RFC 4475 insuf) and accept an
   * RFC 2543 request without Max-Forwards (inv2543), which needs the parsed message — see
   * `validateRequest`. Via and CSeq are always required: without them no transaction exists.
   */
  readonly strict?: boolean
}

const HEADER_END = Buffer.from('\r\n\r\n')

/**
 * Parses one SIP message (RFC 3261 §7) from bytes.
 *
 * Throws only {@link ParseError} (protocol `sip`), with a code naming the fault:
 * `SIP_BAD_REQUEST_LINE`, `SIP_BAD_REQUEST_URI`, `SIP_BAD_VERSION`, `SIP_BAD_STATUS_CODE`,
 * `SIP_BAD_STATUS_LINE`, `SIP_BAD_HEADER_LINE`, `SIP_INCOMPLETE_HEADERS`, `SIP_BODY_TRUNCATED`,
 * `SIP_MISSING_VIA`, `SIP_MISSING_CSEQ` (strict: `SIP_MISSING_TO` ...), `SIP_CSEQ_METHOD_MISMATCH`,
 * and `SIP_BAD_<HEADER>` when a header the stack relies on is malformed (Via, CSeq, To, From,
 * Call-ID, Max-Forwards, Content-Length, Expires, Contact, Date, Content-Type, Route, Record-Route).
 * Other headers are kept raw and only parsed by the typed readers that need them.
 *
 * Header values are decoded as UTF-8; the body is a view of the input bytes (not copied).
 */
export function parseSipMessage(bytes: Uint8Array, options: SipParseOptions = {}): SipMessage {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  let start = 0
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2
  if (start >= buf.length) throw new ParseError('sip', 'SIP_EMPTY_MESSAGE', 'the message is empty (only CRLFs)')
  let headerEnd = buf.indexOf(HEADER_END, start)
  let bodyStart: number
  if (headerEnd >= 0) bodyStart = headerEnd + 4
  else if (buf.length >= 2 && buf[buf.length - 2] === 0x0d && buf[buf.length - 1] === 0x0a) {
    // A message that ends right after its last header line lacks the blank line; it can only be
    // bodiless, so accept it (be liberal, RFC 4475 baddn is rejected for its display names).
    headerEnd = buf.length - 2
    bodyStart = buf.length
  } else {
    throw new ParseError('sip', 'SIP_INCOMPLETE_HEADERS', 'the header block does not end with an empty line (CRLF CRLF); the message is truncated', { offset: buf.length })
  }
  const lines = buf.toString('utf8', start, headerEnd).split('\r\n')
  const startLine = lines[0] ?? ''
  const headers = new SipHeaders()
  const contentLengths: string[] = []
  let name: string | undefined
  let value = ''
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const first = line.charCodeAt(0)
    if (first === 0x20 || first === 0x09) {
      // RFC 3261 §7.3.1: a line starting with white space continues the previous one.
      if (name === undefined) throw new ParseError('sip', 'SIP_BAD_HEADER_LINE', 'the first header line starts with white space (nothing to continue)')
      value += ' ' + trimLws(line)
      continue
    }
    if (name !== undefined) addField(headers, contentLengths, name, value)
    const colon = line.indexOf(':')
    if (colon <= 0) throw new ParseError('sip', 'SIP_BAD_HEADER_LINE', `header line "${clip(line)}" has no "name:" (RFC 3261 §7.3)`)
    const rawName = line.slice(0, colon).trimEnd()
    if (!isToken(rawName)) throw new ParseError('sip', 'SIP_BAD_HEADER_LINE', `header name "${clip(rawName)}" is not a token (RFC 3261 §7.3)`)
    name = rawName
    value = line.slice(colon + 1)
  }
  if (name !== undefined) addField(headers, contentLengths, name, value)

  const body = bodyOf(buf, bodyStart, contentLengths, options)
  let message: SipMessage
  if (startLine.startsWith('SIP/') || startLine.startsWith('sip/')) message = parseStatusLine(startLine, headers, body)
  else message = parseRequestLine(startLine, headers, body)
  checkHeaders(message, options.strict === true)
  return message
}

function addField(headers: SipHeaders, contentLengths: string[], name: string, value: string): void {
  headers.append(name, value)
  if (name.length <= 14 && (name === 'l' || name === 'L' || name.toLowerCase() === 'content-length')) contentLengths.push(trimLws(value))
}

function bodyOf(buf: Buffer, bodyStart: number, contentLengths: string[], options: SipParseOptions): Buffer {
  const available = buf.length - bodyStart
  if (contentLengths.length === 0) return buf.subarray(bodyStart)
  const values = contentLengths.map(parseContentLength)
  // Differing values (RFC 4475 mcl01) leave the length unknown: keep every octet and let
  // validateRequest answer 400; on a stream the framer has already refused such a message.
  for (const v of values) if (v !== values[0]) return buf.subarray(bodyStart)
  const length = values[0]!
  if (length > available) {
    throw new ParseError(
      'sip',
      'SIP_BODY_TRUNCATED',
      `Content-Length says ${length} octets but only ${available} follow the headers${options.datagram ? ' in the datagram (answer 400, RFC 3261 §18.3)' : ''}`,
      { offset: buf.length },
    )
  }
  // RFC 3261 §18.3: octets past Content-Length in a datagram are discarded.
  return buf.subarray(bodyStart, bodyStart + length)
}

function parseRequestLine(line: string, headers: SipHeaders, body: Buffer): SipRequest {
  // Request-Line = Method SP Request-URI SP SIP-Version: exactly single spaces (RFC 4475 lwsstart, trws, lwsruri).
  const parts = line.split(' ')
  if (parts.length !== 3) {
    throw new ParseError('sip', 'SIP_BAD_REQUEST_LINE', `request line "${clip(line)}" is not "METHOD SP Request-URI SP SIP/2.0" with single spaces (RFC 3261 §7.1)`)
  }
  const [method, uriText, version] = parts as [string, string, string]
  if (!isToken(method)) throw new ParseError('sip', 'SIP_BAD_REQUEST_LINE', `method "${clip(method)}" is not a token (RFC 3261 §7.1)`)
  checkVersion(version)
  const uri = parseUri(uriText, { code: 'SIP_BAD_REQUEST_URI', what: 'Request-URI' })
  // RFC 3261 §19.1.1 table: headers and the method parameter are not allowed in a Request-URI (escruri).
  if (uri.kind === 'sip' && uri.headers.length > 0) {
    throw new ParseError('sip', 'SIP_BAD_REQUEST_URI', `Request-URI "${clip(uriText)}" carries URI headers, which a Request-URI may not (RFC 3261 §19.1.1)`)
  }
  return { kind: 'request', method, uri: uriText, version: 'SIP/2.0', headers, body }
}

function parseStatusLine(line: string, headers: SipHeaders, body: Buffer): SipResponse {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2)
  const sp1 = line.indexOf(' ')
  if (sp1 < 0) throw new ParseError('sip', 'SIP_BAD_STATUS_LINE', `status line "${clip(line)}" has no status code`)
  checkVersion(line.slice(0, sp1))
  const sp2 = line.indexOf(' ', sp1 + 1)
  const codeText = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2)
  if (!/^[1-6][0-9][0-9]$/.test(codeText)) {
    throw new ParseError('sip', 'SIP_BAD_STATUS_CODE', `status code "${clip(codeText, 20)}" is not three digits in 100..699 (RFC 3261 §7.2)`)
  }
  const reason = sp2 < 0 ? '' : line.slice(sp2 + 1)
  return { kind: 'response', status: Number(codeText), reason, version: 'SIP/2.0', headers, body }
}

function checkVersion(version: string): void {
  if (version.toUpperCase() !== 'SIP/2.0') {
    throw new ParseError('sip', 'SIP_BAD_VERSION', `SIP version "${clip(version, 20)}" is not supported; only SIP/2.0 is (RFC 3261 §7.1, answer 505)`)
  }
}

function checkHeaders(message: SipMessage, strict: boolean): void {
  let vias = 0
  let cseqs = 0
  const seen = new Set<string>()
  // One pass over the fields: each header the stack relies on must be well-formed.
  for (const { name, value } of message.headers) {
    switch (name) {
      case 'Via':
        vias++
        parseViaList(value)
        break
      case 'CSeq': {
        cseqs++
        const cseq = parseCSeq(value)
        if (message.kind === 'request' && cseq.method !== message.method) {
          throw new ParseError('sip', 'SIP_CSEQ_METHOD_MISMATCH', `CSeq method "${cseq.method}" does not match the request method "${message.method}" (RFC 3261 §8.1.1.5)`)
        }
        break
      }
      case 'To':
      case 'From':
        parseNameAddr(value, name)
        break
      case 'Call-ID':
        parseCallId(value)
        break
      case 'Max-Forwards':
        parseMaxForwards(value)
        break
      case 'Expires':
        parseDeltaSeconds(value)
        break
      case 'Contact':
        parseContactList(value)
        break
      case 'Date':
        parseSipDate(value)
        break
      case 'Content-Type':
        parseContentType(value)
        break
      case 'Route':
      case 'Record-Route':
        parseNameAddrList(value, name)
        break
      default:
        continue
    }
    seen.add(name)
  }
  if (vias === 0) throw new ParseError('sip', 'SIP_MISSING_VIA', 'the message has no Via header (RFC 3261 §8.1.1.7); no response could be routed')
  if (cseqs === 0) throw new ParseError('sip', 'SIP_MISSING_CSEQ', 'the message has no CSeq header (RFC 3261 §8.1.1.5)')
  if (strict) {
    const required = message.kind === 'request' ? ['To', 'From', 'Call-ID', 'Max-Forwards'] : ['To', 'From', 'Call-ID']
    for (const name of required) {
      if (!seen.has(name)) throw new ParseError('sip', `SIP_MISSING_${name.toUpperCase().replace('-', '_')}`, `the message has no ${name} header (RFC 3261 §8.1.1)`)
    }
  }
}
