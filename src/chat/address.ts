/**
 * SIP URI identity for the chat layer ("is this sender me?", "is this my room?"). These are the
 * only copy of the chat layer's rules: the bot layer re-exports them under its own names
 * (`src/bot/address.ts`), as layers only call downward. The comparison itself is the SIP layer's
 * one identity function, {@link addressOfRecordKey} (RFC 3261 §10.3, §19.1.4).
 *
 * @module
 */

import { ParseError } from '../errors.ts'
import { parseNameAddr } from '../sip/headers/name-addr.ts'
import { addressOfRecordKey, parseUri, type Uri } from '../sip/uri.ts'

/**
 * Reduces a SIP URI (or a name-addr) to what identifies an address of record: brackets,
 * parameters and headers removed, scheme and host lower-cased, user part kept (unescaped and
 * re-escaped canonically, case-sensitive; RFC 3261 §19.1.4), `sips:` folded into `sip:` (for "is
 * this sender me?" they name the same address of record, RFC 5630 §3.1.1).
 *
 * Text that does not parse as a URI comes back trimmed and unchanged: it can never equal the key
 * of a URI that does (keys are themselves valid URIs), and {@link sameUri} never matches it.
 */
export function uriKey(uri: string): string {
  const parsed = parseAddress(uri)
  if (parsed === undefined) return uri.trim()
  const result = addressOfRecordKey(parsed)
  if (!result.ok) return uri.trim()
  return result.key.startsWith('sips:') ? `sip:${result.key.slice(5)}` : result.key
}

/** True when two SIP URIs name the same address of record; false when either does not parse. */
export function sameUri(a: string, b: string): boolean {
  const pa = parseAddress(a)
  const pb = parseAddress(b)
  return pa !== undefined && pb !== undefined && uriKey(a) === uriKey(b)
}

/** The user part (`echo` in `sip:echo@example.test`), unescaped, or undefined. */
export function uriUser(uri: string): string | undefined {
  const parsed = parseAddress(uri)
  return parsed?.kind === 'sip' ? parsed.user : undefined
}

/** The host part (`example.test` in `sip:echo@example.test:5060`), lower-case, without port; '' when not a SIP URI. */
export function uriHost(uri: string): string {
  const parsed = parseAddress(uri)
  return parsed?.kind === 'sip' ? parsed.host.toLowerCase() : ''
}

function parseAddress(text: string): Uri | undefined {
  try {
    const t = text.trim()
    return t.includes('<') || t.includes('"') ? parseNameAddr(t, 'To').uri : parseUri(t)
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
}
