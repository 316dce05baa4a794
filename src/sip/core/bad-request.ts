import type { ParseError } from '../../errors.ts'
import { SipHeaders } from '../header-list.ts'
import { canonicalHeaderName } from '../header-names.ts'
import { parseVia } from '../headers/via.ts'
import type { SipResponse } from '../message.ts'

const COPIED = new Set(['Via', 'From', 'To', 'Call-ID', 'CSeq'])

/**
 * Builds a stateless `400 Bad Request` for a request the parser refused, when enough of it can
 * be read to route an answer (RFC 3261 §8.2, RFC 4475 §3.1.2: e.g. clerr over UDP). The header
 * lines are read leniently: only Via, From, To, Call-ID and CSeq are copied, raw, and the top
 * Via must parse. Returns undefined when the bytes are not a request or no Via is usable — then
 * the message can only be dropped. The reason phrase names the parse error code.
 */
export function badRequestFor(bytes: Uint8Array, error: ParseError): SipResponse | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = buf.indexOf('\r\n\r\n')
  const text = buf.toString('utf8', 0, end < 0 ? Math.min(buf.length, 64 * 1024) : end)
  const lines = text.split('\r\n')
  const start = lines[0] ?? ''
  if (start.startsWith('SIP/') || !/^[A-Za-z0-9\-.!%*_+`'~]+ \S+ SIP\/\d\.\d$/i.test(start)) return undefined
  const headers = new SipHeaders()
  let current: { name: string; value: string } | undefined
  const flush = (): void => {
    if (current && COPIED.has(current.name)) headers.append(current.name, current.value)
  }
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && current) {
      current.value += ' ' + line.trim()
      continue
    }
    flush()
    const colon = line.indexOf(':')
    current = colon > 0 ? { name: canonicalHeaderName(line.slice(0, colon).trim()), value: line.slice(colon + 1) } : undefined
  }
  flush()
  const topVia = headers.getList('Via')[0]
  if (topVia === undefined) return undefined
  try {
    parseVia(topVia)
  } catch {
    return undefined
  }
  const reason = `Bad Request (${error.code})`
  return { kind: 'response', status: 400, reason, version: 'SIP/2.0', headers, body: Buffer.alloc(0) }
}
