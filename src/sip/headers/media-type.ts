import { SipScanner } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'
import { type HeaderParams, paramValue, readParams, serializeParams } from './params.ts'

/** A media type with parameters: Content-Type (RFC 3261 §20.15) or one Accept entry (§20.1). */
export interface MediaType {
  /** Top-level type, lower-case (`application`). */
  type: string
  /** Subtype, lower-case (`sdp`, `pidf+xml`). */
  subtype: string
  /** Parameters (`charset`, `boundary` ...). */
  params: HeaderParams
}

function readMediaType(s: SipScanner, allowWildcard: boolean): MediaType {
  s.skipWs()
  const type = s.token('as the media type').toLowerCase()
  s.expect('/', 'between type and subtype')
  const subtype = s.token('as the media subtype').toLowerCase()
  if (!allowWildcard && (type === '*' || subtype === '*')) s.fail('has a wildcard, which only Accept may carry')
  return { type, subtype, params: readParams(s) }
}

/** Parses a Content-Type value; fails with SIP_BAD_CONTENT_TYPE. */
export function parseContentType(value: string): MediaType {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_CONTENT_TYPE', 'Content-Type')
  const mt = readMediaType(s, false)
  s.end()
  return mt
}

/** Reads Content-Type; undefined when absent. */
export function readContentType(headers: SipHeaders): MediaType | undefined {
  const v = headers.get('Content-Type')
  return v === undefined ? undefined : parseContentType(v)
}

/** Parses an Accept value (may be empty: accepts nothing, §20.1); fails with SIP_BAD_ACCEPT. */
export function parseAccept(value: string): MediaType[] {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_ACCEPT', 'Accept')
  const list: MediaType[] = []
  s.skipWs()
  if (s.done) return list
  for (;;) {
    list.push(readMediaType(s, true))
    s.skipWs()
    if (s.done) return list
    s.expect(',', 'between media types')
  }
}

/** `type/subtype` in lower case, without parameters. */
export function mediaTypeName(mt: MediaType): string {
  return `${mt.type}/${mt.subtype}`
}

/** Whether `accepted` (an Accept entry, wildcards allowed) covers the media type name `name`. */
export function mediaTypeMatches(accepted: MediaType, name: string): boolean {
  const [type = '', subtype = ''] = name.toLowerCase().split('/')
  return (accepted.type === '*' || accepted.type === type) && (accepted.subtype === '*' || accepted.subtype === subtype)
}

/** Writes a media type with its parameters. */
export function serializeMediaType(mt: MediaType): string {
  return `${mt.type}/${mt.subtype}${serializeParams(mt.params)}`
}

/** The charset parameter, if any. */
export function charsetOf(mt: MediaType): string | undefined {
  const v = paramValue(mt.params, 'charset')
  return typeof v === 'string' ? v : undefined
}
