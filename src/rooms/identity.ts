/**
 * Who someone is in a room, for the room client (src/chat) and the server alike: "is this CPIM
 * From the sender's own URI?", "which participant does this To name?", "is this sender me?".
 *
 * One rule for both sides: the SIP layer's {@link addressOfRecordKey} (RFC 3261 §10.3, §19.1.4),
 * reached here through a parser that also unwraps a name-addr (`"Alice" <sip:alice@example.test>`),
 * so a `<` inside a quoted display name is never taken for the address. Display names, URI
 * parameters and headers do not count (a `;transport=tcp` or `;gr` must not make someone a
 * different person), `sip:` and `sips:` stay distinct (§19.1.4), and text that does not parse
 * names nobody.
 *
 * @module
 */

import { ParseError } from '../errors.ts'
import { parseNameAddr } from '../sip/headers/name-addr.ts'
import { addressOfRecordKey, parseUri, uriEquals, type Uri } from '../sip/uri.ts'

/**
 * The identity key of a URI or name-addr, such as `sip:alice@example.test` for
 * `"Alice" <SIP:alice@Example.TEST;gr>`; `undefined` when the text does not parse as one.
 *
 * @example
 * ```ts
 * identityKey('<SIP:alice@Example.TEST:5060;transport=tcp>') // 'sip:alice@example.test:5060'
 * identityKey('nonsense')                                     // undefined
 * ```
 *
 * A parsed {@link Uri} always has a key.
 */
export function identityKey(input: Uri): string
export function identityKey(input: string | Uri): string | undefined
export function identityKey(input: string | Uri): string | undefined {
  const uri = typeof input === 'string' ? parseIdentity(input) : input
  if (uri === undefined) return undefined
  const result = addressOfRecordKey(uri)
  return result.ok ? result.key : undefined
}

/**
 * A map key for an identity that is never `undefined`: {@link identityKey}, or the trimmed text
 * when it does not parse (such text can never equal a real key, which is itself a valid URI).
 */
export function identityKeyOrText(input: string): string {
  return identityKey(input) ?? input.trim()
}

/** True when both inputs name the same address of record by {@link identityKey}; false if either is unparseable. */
export function sameIdentity(a: string, b: string): boolean {
  const ka = identityKey(a)
  return ka !== undefined && ka === identityKey(b)
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

/** The user part (`echo` in `sip:echo@example.test`), unescaped, or undefined. */
export function uriUser(uri: string): string | undefined {
  const parsed = parseIdentity(uri)
  return parsed?.kind === 'sip' ? parsed.user : undefined
}

/** The host part (`example.test` in `sip:echo@example.test:5060`), lower-case, without port; '' when not a SIP URI. */
export function uriHost(uri: string): string {
  const parsed = parseIdentity(uri)
  return parsed?.kind === 'sip' ? parsed.host.toLowerCase() : ''
}
