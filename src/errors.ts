/**
 * The root of every error msrp-bot throws or returns.
 *
 * Each error carries a stable machine-readable `code` (e.g. `MSRP_HEADER_TOO_LARGE`) so that
 * callers can branch on it, and a message written for the person who has to fix the problem.
 */
export class MsrpBotError extends Error {
  /** Stable identifier for this kind of failure; never changes between releases. */
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/**
 * A codec rejected its input. Parsers never throw anything else on bad bytes.
 *
 * `protocol` names the codec, `offset` (when known) the byte where the fault was found.
 */
export class ParseError extends MsrpBotError {
  /** Which codec rejected the input. */
  readonly protocol: 'sip' | 'msrp' | 'cpim' | 'sdp' | 'pidf' | 'conference-info' | 'uri'
  /** Byte offset of the fault in the input, when the parser knows it. */
  readonly offset: number | undefined

  constructor(
    protocol: ParseError['protocol'],
    code: string,
    message: string,
    options?: { offset?: number; cause?: unknown },
  ) {
    super(code, message, options)
    this.protocol = protocol
    this.offset = options?.offset
  }
}
