/**
 * MSRP message model (RFC 4975 §7, §9; AUTH headers from RFC 4976; NICKNAME from RFC 7701 §7).
 *
 * Header fields keep their wire names (`'To-Path'`, `'Byte-Range'`) so that the codec reads like
 * the RFC. The parser fills `headers` in wire order; the serializer writes To-Path and From-Path
 * first, the MIME headers and Content-Type last (the RFC 4975 §9 ABNF), and every other header in
 * the order of the object's properties, so a parsed frame is written back byte for byte.
 */
import type { ParseError } from '../errors.ts'
import type { MsrpUri } from './uri.ts'

/** Methods this codec knows by name; any other `1*UPALPHA` method is kept as a string. */
export type MsrpMethod = 'SEND' | 'REPORT' | 'NICKNAME' | 'AUTH' | (string & {})

/**
 * The flag after the end-line's transaction id (RFC 4975 §7.1): `$` last chunk of a message,
 * `+` more chunks follow, `#` the message was aborted (truncated) by the sender.
 */
export type ContinuationFlag = '$' | '+' | '#'

/**
 * `Byte-Range: start-end/total` (RFC 4975 §7.1.1). Positions are 1-based and inclusive;
 * `end` or `total` is `'*'` when the sender does not know it yet.
 */
export interface ByteRange {
  readonly start: number
  readonly end: number | '*'
  readonly total: number | '*'
}

/** `Status: namespace code [comment]` of a REPORT (RFC 4975 §9); namespace 000 is MSRP. */
export interface MsrpStatus {
  readonly namespace: number
  readonly code: number
  readonly comment?: string
}

/** Values of `Success-Report` (RFC 4975 §7.1.1). */
export type SuccessReport = 'yes' | 'no'
/** Values of `Failure-Report` (RFC 4975 §7.1.1). */
export type FailureReport = 'yes' | 'no' | 'partial'

/** The headers this codec understands, by their wire names. */
export interface MsrpHeaders {
  'To-Path': MsrpUri[]
  'From-Path': MsrpUri[]
  'Message-ID'?: string
  'Byte-Range'?: ByteRange
  'Success-Report'?: SuccessReport
  'Failure-Report'?: FailureReport
  Status?: MsrpStatus
  /** RFC 7701 §7; the nickname without its quotes. */
  'Use-Nickname'?: string
  /** RFC 4976 (response to AUTH). */
  'Use-Path'?: MsrpUri[]
  /** Seconds (RFC 4976). */
  Expires?: number
  'Min-Expires'?: number
  'Max-Expires'?: number
  /** Raw challenge, e.g. `Digest realm="example.test", nonce="…"` (RFC 4976). */
  'WWW-Authenticate'?: string
  /** Raw credentials (RFC 4976). */
  Authorization?: string
  'Authentication-Info'?: string
  'Content-ID'?: string
  'Content-Description'?: string
  'Content-Disposition'?: string
  'Content-Type'?: string
}

/** Names of the typed headers. */
export type MsrpHeaderName = keyof MsrpHeaders

/** A header this codec does not know, kept verbatim and in order. */
export interface ExtensionHeader {
  readonly name: string
  readonly value: string
}

interface FrameBase {
  /** Transaction id (RFC 4975 §9 `ident`: 4–32 characters). */
  transactionId: string
  headers: MsrpHeaders
  /** Unknown headers, in wire order. Names starting with `Content-` are MIME extension headers. */
  extensionHeaders: ExtensionHeader[]
  /**
   * The body (RFC 4975 `data`), present when the frame has content-stuff, i.e. a blank line
   * after the headers. An empty `Uint8Array` is a present but empty body.
   */
  body?: Uint8Array
  continuation: ContinuationFlag
  /**
   * Set when a header value did not parse (e.g. a malformed Byte-Range): the frame was still
   * delimited, so the connection goes on, and `MsrpConnection` answers such a request with 400
   * instead of handling it. That header is missing from `headers`.
   */
  invalid?: ParseError
}

/** An MSRP request: SEND, REPORT, NICKNAME, AUTH, or an unknown method (answered with 501). */
export interface MsrpRequest extends FrameBase {
  type: 'request'
  method: MsrpMethod
}

/** An MSRP response: status code and optional comment (RFC 4975 §7.2). */
export interface MsrpResponse extends FrameBase {
  type: 'response'
  status: number
  comment?: string
}

/** Either kind of frame on an MSRP connection. */
export type MsrpFrame = MsrpRequest | MsrpResponse

/** Reason phrases used when this SDK writes a response (RFC 4975 §10, RFC 4976 §5, RFC 7701). */
export const MSRP_REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  408: 'Request Timeout',
  413: 'Message Too Large',
  415: 'Unsupported Media Type',
  423: 'Interval Out-of-Bounds',
  424: 'Nickname Too Long',
  425: 'Nickname Usage Failed',
  481: 'Session Does Not Exist',
  501: 'Not Implemented',
  506: 'Session Already Bound',
}
