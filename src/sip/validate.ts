import { ParseError } from '../errors.ts'
import { parseContentLength, readTokenList } from './headers/scalars.ts'
import { mediaTypeMatches, mediaTypeName, parseAccept, parseContentType } from './headers/media-type.ts'
import { parseMaxForwards } from './headers/scalars.ts'
import type { SipRequest, SipResponse } from './message.ts'
import { parseUri } from './uri.ts'

/**
 * Checks a parsed message must pass before the application sees it, and the final response
 * that RFC 3261 §8.2 (UAS) or §16.3 (proxy) prescribes when it does not.
 */

/** The response an application layer must send instead of processing the request. */
export interface Rejection {
  /** Status code: 400, 405, 415, 416, 420, 483, 406 ... */
  readonly status: number
  /** Reason phrase naming the fault (e.g. "Missing Call-ID header"). */
  readonly reason: string
  /** Header fields the response must carry (Unsupported, Accept, Allow). */
  readonly headers: ReadonlyArray<readonly [string, string]>
}

/** What the receiving element supports; every field has a conservative default. */
export interface ValidateOptions {
  /** `uas` (default) or `proxy`: a proxy also checks Max-Forwards (483) and Proxy-Require. */
  readonly role?: 'uas' | 'proxy'
  /** Request-URI schemes handled (default sip, sips); others get 416 (§8.2.2.1). */
  readonly schemes?: readonly string[]
  /** Option tags supported (Require / Proxy-Require); others get 420 + Unsupported (§8.2.2.3). */
  readonly extensions?: readonly string[]
  /** Methods handled; when given, others get 405 + Allow (§8.2.1). */
  readonly methods?: readonly string[]
  /** Body media types understood (default: any); others get 415 + Accept (§8.2.3). */
  readonly contentTypes?: readonly string[]
  /** Media types this UA would put in the response body; when no Accept entry covers them, 406 (§21.4.7). */
  readonly answerTypes?: readonly string[]
}

const SINGLE_VALUED = ['To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards'] as const
const MANDATORY = ['To', 'From', 'Call-ID', 'CSeq', 'Via'] as const

function reject(status: number, reason: string, headers: Array<readonly [string, string]> = []): Rejection {
  return { status, reason, headers }
}

/**
 * Returns the final response an element must answer instead of processing `request`, or
 * undefined when it may go on. Checks, in RFC 3261 §8.2 order: missing mandatory headers and
 * repeated single-valued ones (400, RFC 4475 insuf, multi01), conflicting Content-Length (400,
 * mcl01), Max-Forwards 0 at a proxy (483, zeromf), method (405), Request-URI scheme (416,
 * unkscm), Require / Proxy-Require (420 + Unsupported, bext01), body type (415 + Accept, invut),
 * and Accept against the answer types (406, sdp01). Max-Forwards may be absent (RFC 2543, inv2543).
 */
export function validateRequest(request: SipRequest, options: ValidateOptions = {}): Rejection | undefined {
  const h = request.headers
  for (const name of MANDATORY) {
    if (!h.has(name)) return reject(400, `Missing ${name} header`)
  }
  for (const name of SINGLE_VALUED) {
    const lines = h.getAllLines(name)
    if (lines.length > 1) {
      return reject(400, `Multiple ${name} headers`)
    }
  }
  const lengths = new Set(h.getAllLines('Content-Length').map((v) => safe(() => parseContentLength(v))))
  if (lengths.size > 1) return reject(400, 'Conflicting Content-Length headers')
  if (request.body.length > 0 && !h.has('Content-Type')) return reject(400, 'Missing Content-Type header for the body')

  const role = options.role ?? 'uas'
  if (role === 'proxy') {
    const mf = h.get('Max-Forwards')
    if (mf !== undefined && safe(() => parseMaxForwards(mf)) === 0) return reject(483, 'Too Many Hops')
  }
  if (options.methods && !options.methods.includes(request.method)) {
    return reject(405, 'Method Not Allowed', [['Allow', options.methods.join(', ')]])
  }
  const uri = safe(() => parseUri(request.uri))
  const scheme = uri === undefined ? '' : uri.kind === 'absolute' ? uri.scheme : uri.kind === 'tel' ? 'tel' : uri.scheme
  const schemes = options.schemes ?? ['sip', 'sips']
  if (!schemes.includes(scheme)) return reject(416, 'Unsupported URI Scheme')

  // RFC 3261 §8.2.2.3: Require is not checked on ACK or CANCEL.
  const supported = new Set((options.extensions ?? []).map((t) => t.toLowerCase()))
  const unsupported: string[] = []
  if (request.method !== 'ACK' && request.method !== 'CANCEL') {
    unsupported.push(...readTokenList(h, 'Require').filter((t) => !supported.has(t.toLowerCase())))
  }
  if (role === 'proxy') unsupported.push(...readTokenList(h, 'Proxy-Require').filter((t) => !supported.has(t.toLowerCase())))
  if (unsupported.length > 0) return reject(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]])

  if (request.body.length > 0 && options.contentTypes) {
    const ct = h.get('Content-Type')
    const name = ct === undefined ? undefined : safe(() => mediaTypeName(parseContentType(ct)))
    if (name === undefined || !options.contentTypes.map((t) => t.toLowerCase()).includes(name)) {
      return reject(415, 'Unsupported Media Type', [['Accept', options.contentTypes.join(', ')]])
    }
  }
  if (options.answerTypes && h.has('Accept')) {
    const accepted = h.getAllLines('Accept').flatMap((v) => safe(() => parseAccept(v)) ?? [])
    if (!options.answerTypes.some((type) => accepted.some((a) => mediaTypeMatches(a, type)))) {
      return reject(406, 'Not Acceptable', [['Accept', options.answerTypes.join(', ')]])
    }
  }
  return undefined
}

/** Why a UAC must silently discard a response (RFC 3261 §8.1.3.3), or undefined when it may use it. */
export function validateResponse(response: SipResponse): string | undefined {
  // More than one Via: the response was meant for someone else (RFC 4475 bcast).
  const vias = response.headers.getList('Via')
  if (vias.length !== 1) return `response carries ${vias.length} Via values; a UAC expects exactly its own (RFC 3261 §8.1.3.3)`
  return undefined
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
}
