import type { SipMessage } from './message.ts'

/**
 * Writes a SIP message to bytes (RFC 3261 §7): start line, one line per header field with its
 * canonical name, Content-Length always set to the body's length (replacing any given one, in
 * its place, or appended last), an empty line, then the body.
 *
 * Header values are written as stored; build them with the typed writers (serializeVia,
 * serializeNameAddr ...) rather than by hand. Values holding CR or LF are refused by
 * {@link assertHeaderValue} so a value can never inject a header.
 */
export function serializeSipMessage(message: SipMessage): Buffer {
  const startLine =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`
  let head = startLine + '\r\n'
  let wroteLength = false
  for (const field of message.headers) {
    if (field.name === 'Content-Length') {
      if (wroteLength) continue
      wroteLength = true
      head += `Content-Length: ${message.body.length}\r\n`
      continue
    }
    assertHeaderValue(field.name, field.value)
    head += `${field.name}: ${field.value}\r\n`
  }
  if (!wroteLength) head += `Content-Length: ${message.body.length}\r\n`
  head += '\r\n'
  if (message.body.length === 0) return Buffer.from(head, 'utf8')
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body])
}

/** Throws a TypeError when a header value would break the framing (CR or LF inside it). */
export function assertHeaderValue(name: string, value: string): void {
  if (value.includes('\r') || value.includes('\n')) {
    throw new TypeError(`header ${name} value contains CR or LF; header values are single lines (build them with the typed writers)`)
  }
}
