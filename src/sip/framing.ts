import { ParseError } from '../errors.ts'

/** One unit cut from a SIP byte stream by {@link SipStreamFramer}. */
export type SipFrame =
  /** A whole SIP message: start line, headers, blank line and exactly Content-Length body octets. */
  | { readonly type: 'message'; readonly bytes: Buffer }
  /** RFC 5626 §3.5.1 keepalive ping: a double CRLF between messages. */
  | { readonly type: 'ping' }
  /** RFC 5626 §3.5.1 keepalive pong: a single CRLF between messages. */
  | { readonly type: 'pong' }
  /** The stream is unusable from here on; the connection should be closed (RFC 3261 §18.3). */
  | { readonly type: 'error'; readonly error: ParseError }

/** Size limits for {@link SipStreamFramer}; both bound what it buffers. */
export interface SipFramerLimits {
  /** Largest start line plus header block, in octets (default 64 KiB). */
  readonly maxHeaderBytes?: number
  /** Largest body, in octets (default 1 MiB). */
  readonly maxBodyBytes?: number
  /**
   * Which end of the connection this framer reads for. RFC 5626 §3.5.1: the side that opened
   * the connection (`client`) receives single-CRLF pongs, the side that accepted it (`server`,
   * the default) receives double-CRLF pings, so a lone CRLF is a pong at once for a client but
   * may be the first half of a ping for a server.
   */
  readonly side?: 'client' | 'server'
}

const CRLF = 0x0d0a
const HEADER_END = Buffer.from('\r\n\r\n')
const DEFAULT_MAX_HEADER = 64 * 1024
const DEFAULT_MAX_BODY = 1024 * 1024

/**
 * Cuts a SIP byte stream (TCP, TLS) into messages and keepalives.
 *
 * Stream transports carry no message boundaries, so RFC 3261 §18.3 makes Content-Length
 * mandatory on them: a message whose header block lacks it cannot be framed and yields an
 * `error` frame. After an error frame the framer stays failed; close the connection.
 * The framer only finds boundaries: the caller parses each `message` frame's bytes.
 *
 * @example
 * const framer = new SipStreamFramer()
 * socket.on('data', (chunk) => { for (const frame of framer.push(chunk)) handle(frame) })
 */
export class SipStreamFramer {
  readonly #maxHeader: number
  readonly #maxBody: number
  readonly #side: 'client' | 'server'
  #buffer: Buffer = Buffer.alloc(0)
  /** Bytes of #buffer already searched for the header end, so nothing is scanned twice. */
  #scanned = 0
  /** Once found, where the current message's header block ends and how long its body is. */
  #pending: { headerEnd: number; total: number } | undefined
  #failed: ParseError | undefined

  constructor(limits: SipFramerLimits = {}) {
    this.#maxHeader = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER
    this.#maxBody = limits.maxBodyBytes ?? DEFAULT_MAX_BODY
    this.#side = limits.side ?? 'server'
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.#buffer.length
  }

  /** Feeds the next chunk of the stream and returns every frame it completes, in order. */
  push(chunk: Uint8Array): SipFrame[] {
    if (this.#failed) return [{ type: 'error', error: this.#failed }]
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk])
    const frames: SipFrame[] = []
    for (;;) {
      const frame = this.#next()
      if (!frame) break
      frames.push(frame)
      if (frame.type === 'error') {
        this.#failed = frame.error
        this.#buffer = Buffer.alloc(0)
        break
      }
    }
    return frames
  }

  #next(): SipFrame | undefined {
    const buf = this.#buffer
    if (buf.length === 0) return undefined
    // Keepalives only stand between messages (RFC 5626 §3.5.1).
    if (this.#scanned === 0 && buf.length >= 2 && buf.readUInt16BE(0) === CRLF) {
      if (buf.length >= 4 && buf.readUInt16BE(2) === CRLF) {
        this.#consume(4)
        return { type: 'ping' }
      }
      if (buf.length === 3 && buf[2] === 0x0d) return undefined // maybe the rest of a ping
      if (buf.length === 2 && this.#side === 'server') return undefined // maybe the rest of a ping
      this.#consume(2)
      return { type: 'pong' }
    }
    if (this.#scanned === 0 && buf.length === 1 && buf[0] === 0x0d) return undefined
    if (this.#pending) return this.#takeIfComplete(this.#pending.total)
    const from = Math.max(0, this.#scanned - 3)
    const headerEnd = buf.indexOf(HEADER_END, from)
    if (headerEnd < 0) {
      this.#scanned = buf.length
      if (buf.length > this.#maxHeader) {
        return this.#error('SIP_HEADER_TOO_LARGE', `SIP header block exceeds ${this.#maxHeader} octets without ending; raise maxHeaderBytes if this peer is legitimate`)
      }
      return undefined
    }
    if (headerEnd > this.#maxHeader) {
      return this.#error('SIP_HEADER_TOO_LARGE', `SIP header block of ${headerEnd} octets exceeds ${this.#maxHeader}; raise maxHeaderBytes if this peer is legitimate`)
    }
    const length = contentLength(buf.toString('latin1', 0, headerEnd))
    if (length instanceof ParseError) return { type: 'error', error: length }
    if (length > this.#maxBody) {
      return this.#error('SIP_BODY_TOO_LARGE', `SIP body of ${length} octets exceeds ${this.#maxBody}; raise maxBodyBytes if this peer is legitimate`)
    }
    this.#pending = { headerEnd, total: headerEnd + 4 + length }
    this.#scanned = buf.length
    return this.#takeIfComplete(this.#pending.total)
  }

  #takeIfComplete(total: number): SipFrame | undefined {
    if (this.#buffer.length < total) return undefined
    const bytes = Buffer.from(this.#buffer.subarray(0, total))
    this.#consume(total)
    return { type: 'message', bytes }
  }

  #consume(n: number): void {
    this.#buffer = this.#buffer.subarray(n)
    this.#scanned = 0
    this.#pending = undefined
  }

  #error(code: string, message: string): SipFrame {
    return { type: 'error', error: new ParseError('sip', code, message) }
  }
}

const CONTENT_LENGTH_LINE = /^(?:content-length|l)[ \t]*:[ \t]*(.*)$/i

/**
 * Reads Content-Length from a raw header block (start line and headers, no blank line).
 * Returns a ParseError when it is absent, repeated with other values, or not a number:
 * on a stream such a message cannot be framed (RFC 3261 §18.3, §20.14).
 */
export function contentLength(headerBlock: string): number | ParseError {
  let found: number | undefined
  const lines = headerBlock.split('\r\n')
  for (let i = 1; i < lines.length; i++) {
    const match = CONTENT_LENGTH_LINE.exec(lines[i]!)
    if (!match) continue
    let raw = match[1]!
    // A folded value continues on lines that start with white space (RFC 3261 §7.3.1).
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) raw += ' ' + lines[++i]!.trim()
    const text = raw.trim()
    if (!/^\d{1,10}$/.test(text)) {
      return new ParseError('sip', 'SIP_BAD_CONTENT_LENGTH', `Content-Length "${text}" is not a non-negative integer`)
    }
    const value = Number(text)
    if (found !== undefined && found !== value) {
      return new ParseError('sip', 'SIP_BAD_CONTENT_LENGTH', `Content-Length appears twice with different values (${found} and ${value})`)
    }
    found = value
  }
  if (found === undefined) {
    return new ParseError('sip', 'SIP_MISSING_CONTENT_LENGTH', 'a SIP message on a stream transport must carry Content-Length (RFC 3261 §18.3)')
  }
  return found
}
