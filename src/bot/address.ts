/**
 * Comparing SIP URIs the way the bot needs to (is this sender me?). The rules are the room
 * contract's (src/rooms/identity.ts), published here under the bot API's names.
 *
 * @module
 */

export {
  /**
   * Reduces a SIP URI to what identifies an address of record: angle brackets, URI parameters
   * and headers removed, scheme and host lower-cased, user part kept as is (RFC 3261 §19.1.4);
   * text that is no URI comes back trimmed.
   */
  identityKeyOrText as addressKey,
  /** True when two SIP URIs name the same address of record (see {@link addressKey}). */
  sameIdentity as sameAddress,
  /** The user part of a SIP URI (`echo` for `sip:echo@example.test`), or undefined. */
  uriUser as userPart,
} from '../rooms/identity.ts'

/** True when `s` looks like a SIP or SIPS URI rather than a nickname. */
export function isSipUri(s: string): boolean {
  return /^sips?:/i.test(s.trim())
}
