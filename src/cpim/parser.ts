import { ParseError } from '../errors.ts'
import { parseCpimAddress } from './address.ts'
import { unescapeCpimValue } from './escape.ts'
import { CPIM_NAME, RFC3339_DATE_TIME } from './grammar.ts'
import { CPIM_CORE_NAMESPACE } from './types.ts'
import type { CpimAddress, CpimContentHeader, CpimExtensionHeader, CpimMessage, CpimSubject } from './types.ts'

/** Limits applied by {@link parseCpim}. */
export interface CpimParseOptions {
  /** Largest header section (message headers or MIME headers) accepted, in bytes. Default 64 KiB. */
  maxHeaderBytes?: number
  /** Largest body accepted, in bytes. Default: no limit beyond the input (the transport bounds it). */
  maxBodyBytes?: number
}

const DEFAULT_MAX_HEADER_BYTES = 64 * 1024
const utf8 = new TextDecoder('utf-8', { fatal: true })

function fail(code: string, message: string, offset?: number): never {
  throw new ParseError('cpim', code, message, offset === undefined ? undefined : { offset })
}

/** Find the end of a header block: returns [index of blank line start, index after it] or undefined. */
function findBlankLine(buf: Uint8Array, from: number, limit: number): [number, number] | undefined {
  // A block that is empty starts with the blank line itself.
  if (buf[from] === 0x0d && buf[from + 1] === 0x0a) return [from, from + 2]
  if (buf[from] === 0x0a) return [from, from + 1]
  const end = Math.min(buf.length, from + limit + 4)
  for (let i = from; i < end; i++) {
    if (buf[i] !== 0x0a) continue
    if (buf[i + 1] === 0x0a) return [i + 1, i + 2]
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return [i + 1, i + 3]
  }
  return undefined
}

function decode(bytes: Uint8Array, what: string, offset: number): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return fail('CPIM_BAD_ENCODING', `CPIM ${what} are not valid UTF-8 (RFC 3862 requires UTF-8 header text).`, offset)
  }
}

interface RawHeader {
  prefix: string | undefined
  name: string
  params: Record<string, string> | undefined
  value: string
}

/** Split one message-header line: `Header-Name ":" *(";" Parameter) SP Header-Value` (RFC 3862). */
function splitHeader(line: string, offset: number): RawHeader {
  const colon = line.indexOf(':')
  if (colon <= 0) fail('CPIM_BAD_HEADER', `CPIM header line "${line.slice(0, 80)}" has no "Name:"; message headers must be "Name: value" (RFC 3862).`, offset)
  const fullName = line.slice(0, colon)
  const dot = fullName.indexOf('.')
  const prefix = dot < 0 ? undefined : fullName.slice(0, dot)
  const name = dot < 0 ? fullName : fullName.slice(dot + 1)
  if ((prefix !== undefined && !CPIM_NAME.test(prefix)) || !CPIM_NAME.test(name)) {
    fail('CPIM_BAD_HEADER', `CPIM header name "${fullName.slice(0, 80)}" is not [prefix.]name with token characters (RFC 3862).`, offset)
  }
  let i = colon + 1
  let params: Record<string, string> | undefined
  while (line[i] === ';') {
    const eq = line.indexOf('=', i)
    if (eq < 0) fail('CPIM_BAD_HEADER', `CPIM header "${fullName}" has a parameter without "=" (RFC 3862).`, offset)
    const pname = line.slice(i + 1, eq)
    if (!CPIM_NAME.test(pname)) fail('CPIM_BAD_HEADER', `CPIM header "${fullName}" has a bad parameter name "${pname}".`, offset)
    let j = eq + 1
    let pvalue = ''
    if (line[j] === '"') {
      j++
      let raw = ''
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) raw += line[j++]
        raw += line[j++]
      }
      if (j >= line.length) fail('CPIM_BAD_HEADER', `CPIM header "${fullName}" has an unterminated quoted parameter.`, offset)
      pvalue = unescapeCpimValue(raw)
      j++
    } else {
      while (j < line.length && line[j] !== ';' && line[j] !== ' ') pvalue += line[j++]
    }
    params ??= {}
    params[pname] = pvalue
    i = j
  }
  // Exactly one SP separates the name from the value; tolerate its absence.
  if (line[i] === ' ') i++
  return { prefix, name, params, value: line.slice(i) }
}

function parseNs(value: string, offset: number): [string, string] {
  const m = /^(?:([^\s<]+) +)?<([^<>\s]*)>\s*$/.exec(value)
  if (!m || m[2] === '' || (m[1] !== undefined && !CPIM_NAME.test(m[1]))) {
    fail('CPIM_BAD_NS', `CPIM NS header "${value.slice(0, 80)}" must be "NS: prefix <uri>" (RFC 3862).`, offset)
  }
  return [m[1] ?? '', m[2]!]
}

/**
 * Parse a message/cpim object (RFC 3862): message headers, blank line, encapsulated MIME
 * headers, blank line, body. Accepts bytes or a string; the body is returned byte-exact.
 *
 * @throws ParseError('cpim', code) on malformed input — nothing else.
 */
export function parseCpim(input: Uint8Array | string, options: CpimParseOptions = {}): CpimMessage {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES

  const first = findBlankLine(buf, 0, maxHeader)
  if (!first) {
    if (buf.length > maxHeader) fail('CPIM_HEADERS_TOO_LARGE', `CPIM message headers exceed ${maxHeader} bytes; raise maxHeaderBytes if this is legitimate.`, maxHeader)
    fail('CPIM_MISSING_BLANK_LINE', 'CPIM message headers are not followed by a blank line (RFC 3862: headers, CRLF, MIME headers, CRLF, body).')
  }
  if (first[0] > maxHeader) fail('CPIM_HEADERS_TOO_LARGE', `CPIM message headers exceed ${maxHeader} bytes.`, maxHeader)
  const second = findBlankLine(buf, first[1], maxHeader)
  if (!second) {
    if (buf.length - first[1] > maxHeader) fail('CPIM_HEADERS_TOO_LARGE', `CPIM MIME headers exceed ${maxHeader} bytes; raise maxHeaderBytes if this is legitimate.`, first[1])
    fail('CPIM_MISSING_BLANK_LINE', 'CPIM encapsulated MIME headers are not followed by a blank line (RFC 3862).', first[1])
  }
  if (second[0] - first[1] > maxHeader) fail('CPIM_HEADERS_TOO_LARGE', `CPIM MIME headers exceed ${maxHeader} bytes.`, first[1])
  const body = buf.subarray(second[1])
  if (options.maxBodyBytes !== undefined && body.length > options.maxBodyBytes) {
    fail('CPIM_BODY_TOO_LARGE', `CPIM body of ${body.length} bytes exceeds the limit of ${options.maxBodyBytes}.`, second[1])
  }

  const headerText = decode(buf.subarray(0, first[0]), 'message headers', 0)
  const lines = headerText.split(/\r?\n/)
  if (lines[lines.length - 1] === '') lines.pop()

  let from: CpimAddress | undefined
  const to: CpimAddress[] = []
  const cc: CpimAddress[] = []
  let dateTime: Date | undefined
  let dateTimeText: string | undefined
  const subject: CpimSubject[] = []
  const require: string[] = []
  const namespaces: Record<string, string> = {}
  const headers: CpimExtensionHeader[] = []

  let offset = 0
  for (const line of lines) {
    const h = splitHeader(line, offset)
    offset += Buffer.byteLength(line) + 2
    let ns: string
    if (h.prefix === undefined) ns = namespaces[''] ?? CPIM_CORE_NAMESPACE
    else {
      const declared = Object.hasOwn(namespaces, h.prefix) ? namespaces[h.prefix] : undefined
      if (declared === undefined) fail('CPIM_UNDECLARED_PREFIX', `CPIM header "${h.prefix}.${h.name}" uses prefix "${h.prefix}" before any "NS: ${h.prefix} <uri>" declares it (RFC 3862).`, offset)
      ns = declared
    }
    if (ns === CPIM_CORE_NAMESPACE) {
      switch (h.name) {
        case 'From':
          if (from) fail('CPIM_DUPLICATE_FROM', 'CPIM message has more than one From header (RFC 3862 allows one).', offset)
          from = parseCpimAddress(h.value, 'From')
          continue
        case 'To':
          to.push(parseCpimAddress(h.value, 'To'))
          continue
        case 'cc':
          cc.push(parseCpimAddress(h.value, 'cc'))
          continue
        case 'DateTime': {
          const v = h.value.trim()
          const t = Date.parse(v)
          if (!RFC3339_DATE_TIME.test(v) || Number.isNaN(t)) fail('CPIM_BAD_DATETIME', `CPIM DateTime "${v.slice(0, 60)}" is not an RFC 3339 date-time (RFC 3862).`, offset)
          dateTime = new Date(t)
          dateTimeText = v
          continue
        }
        case 'Subject': {
          const lang = h.params?.['lang']
          subject.push(lang === undefined ? { value: unescapeCpimValue(h.value) } : { value: unescapeCpimValue(h.value), lang })
          continue
        }
        case 'NS': {
          const [prefix, uri] = parseNs(h.value, offset)
          namespaces[prefix] = uri
          continue
        }
        case 'Require':
          for (const n of h.value.split(',')) if (n.trim() !== '') require.push(n.trim())
          continue
      }
    }
    const ext: CpimExtensionHeader = { namespace: ns, name: h.name, value: unescapeCpimValue(h.value) }
    if (h.params) ext.params = h.params
    headers.push(ext)
  }
  if (!from) fail('CPIM_MISSING_FROM', 'CPIM message has no From header (RFC 3862); peers need it to know the sender.')

  const contentHeaders = parseContentHeaders(decode(buf.subarray(first[1], second[0]), 'MIME headers', first[1]), first[1])
  const ct = contentHeaders.find((c) => c.name.toLowerCase() === 'content-type')

  const msg: CpimMessage = { from, to, cc, subject, require, namespaces, headers, contentHeaders, body }
  if (dateTime) {
    msg.dateTime = dateTime
    msg.dateTimeText = dateTimeText!
  }
  if (ct) msg.contentType = ct.value
  return msg
}

/** MIME headers of the encapsulated object (RFC 2045): case-insensitive names, folded lines allowed. */
function parseContentHeaders(text: string, base: number): CpimContentHeader[] {
  const out: CpimContentHeader[] = []
  const lines = text.split(/\r?\n/)
  if (lines[lines.length - 1] === '') lines.pop()
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 0) {
      const last = out[out.length - 1]!
      last.value = (last.value + ' ' + line.trim()).trim()
      continue
    }
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon) : ''
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      fail('CPIM_BAD_CONTENT_HEADER', `CPIM MIME header line "${line.slice(0, 80)}" is not "Name: value" (RFC 3862, RFC 2045).`, base)
    }
    out.push({ name, value: line.slice(colon + 1).trim() })
  }
  return out
}

/** The body decoded as UTF-8 text (invalid sequences become U+FFFD). */
export function cpimText(message: Pick<CpimMessage, 'body'>): string {
  return Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('utf8')
}

/** Find the first extension header with this namespace URI and name (e.g. IMDN `Message-ID`). */
export function getCpimHeader(message: Pick<CpimMessage, 'headers'>, namespace: string, name: string): string | undefined {
  return message.headers.find((h) => h.namespace === namespace && h.name === name)?.value
}
