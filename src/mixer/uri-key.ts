/**
 * Identity comparison for SIP/IM URIs, as the mixer needs it: "is this CPIM From the participant's
 * own URI?", "which participant does this To name?", "which address-of-record is this?".
 *
 * Thin wrappers over the one identity function, {@link addressOfRecordKey} in `sip/uri.ts`
 * (RFC 3261 §10.3, §19.1.4): the URI is parsed first, display names, URI parameters and headers
 * do not count (a `;transport=tcp` or `;gr` on a participant's URI must not make it a different
 * person), and text that does not parse names nobody.
 *
 * @module
 */

import { ParseError } from '../errors.ts'
import { parseNameAddr } from '../sip/headers/name-addr.ts'
import { addressOfRecordKey, parseUri, uriEquals, type Uri } from '../sip/uri.ts'

/**
 * Reduces a URI, or a name-addr such as `"Alice" <sip:alice@example.test;gr>`, to a comparison key
 * like `sip:alice@example.test`. Returns `undefined` when the text does not parse as one.
 *
 * @example
 * ```ts
 * uriKey('<SIP:alice@Example.TEST:5060;transport=tcp>') // 'sip:alice@example.test:5060'
 * ```
 */
export function uriKey(input: string): string | undefined {
  const uri = parseIdentity(input)
  if (uri === undefined) return undefined
  const result = addressOfRecordKey(uri)
  return result.ok ? result.key : undefined
}

/** True when both inputs name the same resource by {@link uriKey}; false if either is unparseable. */
export function sameUri(a: string, b: string): boolean {
  const ka = uriKey(a)
  return ka !== undefined && ka === uriKey(b)
}

/**
 * Full RFC 3261 §19.1.4 URI equality of two URI texts (a name-addr is unwrapped): port
 * and `transport`/`user`/`maddr`/`ttl`/`method` parameters count. False if either does not parse.
 */
export function equalUris(a: string, b: string): boolean {
  const ua = parseIdentity(a)
  const ub = parseIdentity(b)
  return ua !== undefined && ub !== undefined && uriEquals(ua, ub)
}

/**
 * Parses a URI or a name-addr (`"Alice" <sip:alice@example.test>`) with the SIP parsers, so a
 * `<` inside a quoted display name can never be taken for the address. Undefined when it does not parse.
 */
export function parseIdentity(input: string): Uri | undefined {
  const text = input.trim()
  try {
    return text.includes('<') || text.includes('"') ? parseNameAddr(text, 'To').uri : parseUri(text)
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
}
